// Package procmount requires containers to keep the default masking of /proc.
package procmount

import (
	_ "embed"

	"github.com/gatewarden/gatewarden/internal/spec"
)

//go:embed policy.rego
var rego string

//go:embed policy.cel
var cel string

// Params are the parameters of K8sProcMount.
type Params struct {
	AllowUnmaskedWithUserNamespaces bool     `json:"allowUnmaskedWithUserNamespaces,omitempty" description:"Allow any procMount in pods with hostUsers: false, whose /proc belongs to a user namespace, as the PSS baseline level does since Kubernetes 1.35 (PSS restricted never allows it)."`
	ExemptImages                    []string `json:"exemptImages,omitempty" description:"Images whose containers may set another procMount: an exact reference, or a prefix ending in '*'. Use only for nested container runtimes that need it."`
}

// Policy is the catalog entry.
var Policy = spec.Policy{
	Key:   "proc-mount",
	Kind:  "K8sProcMount",
	Title: "Default /proc mount",
	Description: `Containers must leave securityContext.procMount unset or set it to "Default":
the runtime then masks and makes read-only the parts of /proc that expose the node
(Unmasked removes that protection). The baseline bundle, like PSA baseline since
Kubernetes 1.35, allows any value in pods with hostUsers: false
(allowUnmaskedWithUserNamespaces); the restricted and hardened bundles never do, as
PSA restricted. Applies to containers, initContainers and ephemeralContainers.`,
	Version:    "1.0.4",
	Practice:   "Keep the default masking of /proc",
	Bundles:    []string{"baseline", "restricted", "hardened"},
	Compliance: []string{"PSS baseline: /proc Mount Type", "PSS restricted: /proc Mount Type"},
	Scope:      spec.ScopeContainer,
	Params:     Params{},
	Defaults:   Params{},
	BundleParams: map[string]any{
		"baseline":   Params{AllowUnmaskedWithUserNamespaces: true},
		"restricted": Params{},
	},
	Match:       spec.Match{Kinds: spec.Workloads},
	Enforcement: spec.Deny,
	Rego:        rego,
	CEL:         cel,
}
