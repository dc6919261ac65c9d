// Package nohostprocess forbids Windows HostProcess pods and containers.
package nohostprocess

import (
	_ "embed"

	"github.com/gatewarden/gatewarden/internal/spec"
)

//go:embed policy.rego
var rego string

//go:embed policy.cel
var cel string

// Policy is the catalog entry.
var Policy = spec.Policy{
	Key:   "no-host-process",
	Kind:  "K8sNoHostProcess",
	Title: "No Windows HostProcess containers",
	Description: `Pods must not set securityContext.windowsOptions.hostProcess to true, neither at
the pod level nor in any container, initContainer or ephemeralContainer (unset or
false is allowed). A HostProcess container runs directly on the Windows node, in
its network namespace and with the privileges of a node user: it is the Windows
equivalent of a privileged container. As in the Pod Security Standards (baseline)
the check does not depend on spec.os. Pod-level: a HostProcess container makes the
whole pod a HostProcess pod, so no container is exempt by image.`,
	Version:     "1.0.4",
	Practice:    "Don't run Windows HostProcess containers",
	Bundles:     []string{"baseline", "restricted", "hardened"},
	Compliance:  []string{"PSS baseline: HostProcess", "CIS 5.2.11"},
	Scope:       spec.ScopePod,
	Match:       spec.Match{Kinds: spec.Workloads},
	Enforcement: spec.Deny,
	Rego:        rego,
	CEL:         cel,
}
