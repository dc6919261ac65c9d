// Package selinuxoptions limits the SELinux type, user and role pods and containers may set.
package selinuxoptions

import (
	_ "embed"

	"github.com/gatewarden/gatewarden/internal/spec"
)

//go:embed policy.rego
var rego string

//go:embed policy.cel
var cel string

// PSSTypes are the SELinux types the Pod Security Standards allow (baseline, since 1.31).
var PSSTypes = []string{"container_t", "container_init_t", "container_kvm_t", "container_engine_t"}

// Params are the parameters of K8sSELinuxOptions.
type Params struct {
	AllowedTypes []string `json:"allowedTypes,omitempty" default:"[\"container_t\",\"container_init_t\",\"container_kvm_t\",\"container_engine_t\"]" description:"SELinux types a pod or container may set in seLinuxOptions.type, compared exactly; an empty type is always allowed. The default is the Pod Security Standards' list."`
	AllowedUsers []string `json:"allowedUsers,omitempty" description:"SELinux users a pod or container may set in seLinuxOptions.user, compared exactly. Empty (the default, as in the Pod Security Standards) allows none."`
	AllowedRoles []string `json:"allowedRoles,omitempty" description:"SELinux roles a pod or container may set in seLinuxOptions.role, compared exactly. Empty (the default, as in the Pod Security Standards) allows none."`
	ExemptImages []string `json:"exemptImages,omitempty" description:"Images whose containers are not checked: an exact reference, or a prefix ending in '*'. The pod-level seLinuxOptions are checked whatever the images."`
}

// Policy is the catalog entry.
var Policy = spec.Policy{
	Key:   "selinux-options",
	Kind:  "K8sSELinuxOptions",
	Title: "SELinux options",
	Description: `securityContext.seLinuxOptions of the pod and of every container (init and
ephemeral ones included) may set type only to one of allowedTypes (default: container_t,
container_init_t, container_kvm_t, container_engine_t) and may not set user or role
(unless allowedUsers / allowedRoles list them); level is free. A type such as spc_t or
unconfined_t runs the container outside the SELinux confinement meant for containers.
This is Pod Security Admission's seLinuxOptions check.`,
	Version:     "1.0.4",
	Practice:    "Keep containers in the container SELinux domain",
	Bundles:     []string{"baseline", "restricted", "hardened"},
	Compliance:  []string{"PSS baseline: SELinux"},
	Scope:       spec.ScopeContainer,
	Params:      Params{},
	Defaults:    Params{AllowedTypes: PSSTypes},
	Match:       spec.Match{Kinds: spec.Workloads},
	Enforcement: spec.Deny,
	Rego:        rego,
	CEL:         cel,
}
