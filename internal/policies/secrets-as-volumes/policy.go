// Package secretsasvolumes asks for Secrets mounted as files rather than exposed as environment variables.
package secretsasvolumes

import (
	_ "embed"

	"github.com/gatewarden/gatewarden/internal/spec"
)

//go:embed policy.rego
var rego string

//go:embed policy.cel
var cel string

// Params are the parameters of K8sSecretsAsVolumes.
type Params struct {
	ExemptImages []string `json:"exemptImages,omitempty" description:"Images whose containers may read Secrets into environment variables (software that takes a credential only from its environment): an exact reference, or a prefix ending in '*'."`
}

// Policy is the catalog entry.
var Policy = spec.Policy{
	Key:   "secrets-as-volumes",
	Kind:  "K8sSecretsAsVolumes",
	Title: "Secrets as volumes, not environment variables",
	Description: `Containers should read Secrets from files (a secret volume or a projected volume)
rather than from environment variables: env[].valueFrom.secretKeyRef and
envFrom[].secretRef are reported. The environment leaks where files do not: it is
inherited by every child process, printed by crash reporters and debug endpoints,
visible in /proc/<pid>/environ and in the kubelet's and runtime's logs of the
container spec; and a mounted Secret is updated in place when it rotates while an
environment variable is fixed at start. Enforcement is warn by default: much
software takes credentials only from its environment, so each team moves to files
at its own pace (exemptImages for software that cannot). Applies to containers,
initContainers and ephemeralContainers of Pods and of every workload that creates
them.`,
	Version:     "1.0.5",
	Practice:    "Mount secrets as volumes rather than environment variables",
	Bundles:     []string{"hardened"},
	Compliance:  []string{"CIS 5.4.1"},
	Scope:       spec.ScopeContainer,
	Params:      Params{},
	Defaults:    Params{},
	Match:       spec.Match{Kinds: spec.Workloads},
	Enforcement: spec.Warn,
	Rego:        rego,
	CEL:         cel,
}
