// Package noprivilegedcontainers forbids privileged containers.
package noprivilegedcontainers

import (
	_ "embed"

	"github.com/gatewarden/gatewarden/internal/spec"
)

//go:embed policy.rego
var rego string

//go:embed policy.cel
var cel string

// Params are the parameters of K8sNoPrivilegedContainers.
type Params struct {
	ExemptImages []string `json:"exemptImages,omitempty" description:"Images whose containers may run privileged: an exact reference, or a prefix ending in '*'. Use only for node agents that need it (e.g. CNI or storage drivers)."`
}

// Policy is the catalog entry.
var Policy = spec.Policy{
	Key:   "no-privileged-containers",
	Kind:  "K8sNoPrivilegedContainers",
	Title: "No privileged containers",
	Description: `Containers must not set securityContext.privileged to true. A privileged
container runs with every capability and access to all host devices: escaping to the
node is trivial. Applies to containers, initContainers and ephemeralContainers of Pods
and of every workload that creates them.`,
	Version:     "1.0.4",
	Practice:    "Don't run privileged containers",
	Bundles:     []string{"baseline", "restricted", "hardened"},
	Compliance:  []string{"PSS baseline: Privileged Containers", "CIS 5.2.2"},
	Scope:       spec.ScopeContainer,
	Params:      Params{},
	Defaults:    Params{},
	Match:       spec.Match{Kinds: spec.Workloads},
	Enforcement: spec.Deny,
	Rego:        rego,
	CEL:         cel,
}
