// Package noprivilegeescalation requires every container to set allowPrivilegeEscalation: false.
package noprivilegeescalation

import (
	_ "embed"

	"github.com/gatewarden/gatewarden/internal/spec"
)

//go:embed policy.rego
var rego string

//go:embed policy.cel
var cel string

// Params are the parameters of K8sNoPrivilegeEscalation.
type Params struct {
	ExemptImages []string `json:"exemptImages,omitempty" description:"Images whose containers may leave privilege escalation allowed: an exact reference, or a prefix ending in '*'."`
}

// Policy is the catalog entry.
var Policy = spec.Policy{
	Key:   "no-privilege-escalation",
	Kind:  "K8sNoPrivilegeEscalation",
	Title: "No privilege escalation",
	Description: `Every container must set securityContext.allowPrivilegeEscalation to false:
left unset, the kernel lets a process gain more privileges than its parent (through
set-user-ID binaries or file capabilities). There is no pod-level field, so an unset
value is a violation, as in the PSS restricted level. Windows pods (spec.os.name:
windows), which cannot set the field, are exempt, as PSS restricted exempts them.
Applies to containers, initContainers and ephemeralContainers.`,
	Version:     "1.0.4",
	Practice:    "Don't let containers gain more privileges than they start with",
	Bundles:     []string{"restricted", "hardened"},
	Compliance:  []string{"PSS restricted: Privilege Escalation", "CIS 5.2.6", "CIS 5.7.3"},
	Scope:       spec.ScopeContainer,
	Params:      Params{},
	Defaults:    Params{},
	Match:       spec.Match{Kinds: spec.Workloads},
	Enforcement: spec.Deny,
	Rego:        rego,
	CEL:         cel,
}
