// Package containerresources requires CPU and memory requests and limits on every container.
package containerresources

import (
	_ "embed"

	"github.com/gatewarden/gatewarden/internal/spec"
)

//go:embed policy.rego
var rego string

//go:embed policy.cel
var cel string

// QuantityPattern is the grammar of a Kubernetes quantity (resource.ParseQuantity),
// anchored; policy.rego and policy.cel spell it too.
const QuantityPattern = `^[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+|[numkMGTPE]|[KMGTPE]i)?$`

// Params are the parameters of K8sContainerResources.
type Params struct {
	RequireRequests *bool    `json:"requireRequests,omitempty" description:"Require a CPU and a memory request on every container (a limit alone counts: the API server copies it into the unset request)." default:"true"`
	RequireLimits   *bool    `json:"requireLimits,omitempty" description:"Require a CPU and a memory limit on every container." default:"true"`
	MaxCPULimit     string   `json:"maxCPULimit,omitempty" description:"Largest CPU limit a container may set, as a Kubernetes quantity (\"2\", \"1500m\"); empty for no maximum." pattern:"^([+-]?([0-9]+(\\.[0-9]*)?|\\.[0-9]+)([eE][+-]?[0-9]+|[numkMGTPE]|[KMGTPE]i)?)?$"`
	MaxMemoryLimit  string   `json:"maxMemoryLimit,omitempty" description:"Largest memory limit a container may set, as a Kubernetes quantity (\"4Gi\", \"512Mi\"); empty for no maximum." pattern:"^([+-]?([0-9]+(\\.[0-9]*)?|\\.[0-9]+)([eE][+-]?[0-9]+|[numkMGTPE]|[KMGTPE]i)?)?$"`
	ExemptImages    []string `json:"exemptImages,omitempty" description:"Images whose containers need not set requests and limits: an exact reference, or a prefix ending in '*'."`
}

func ptr[T any](v T) *T { return &v }

// Policy is the catalog entry.
var Policy = spec.Policy{
	Key:   "container-resources",
	Kind:  "K8sContainerResources",
	Title: "Container resources",
	Description: `Every container and initContainer must set CPU and memory requests (requireRequests)
and limits (requireLimits), and its limits must not exceed maxCPULimit and
maxMemoryLimit when they are set (Kubernetes quantities, compared exactly: "0.5" is
"500m", "1Gi" is "1024Mi"). Without a request the scheduler places the pod as if it
needed nothing and it is the first evicted under pressure; without a limit one
container can take its node's memory or CPU from every other pod. A limit alone also
satisfies the request, because the API server copies it into the unset request. A
quantity of 0 sets nothing and is reported: Kubernetes treats a limit of 0 as no
limit (no CPU quota, no memory limit) and a request of 0 reserves nothing.
Ephemeral containers cannot have resources (the API server refuses them: they share
what the pod already has), so they are not required to; an ephemeral container that
does set resources is reported instead, for manifests checked offline. Pod-level
resources (spec.resources) are not taken into account. Enforcement is warn by
default: the right values are each team's own, and a missing limit is a
misconfiguration rather than an attack.`,
	Version:     "1.1.5",
	Practice:    "Set resource requests and limits (manifest misconfigurations)",
	Bundles:     []string{"hardened"},
	Scope:       spec.ScopeContainer,
	Params:      Params{},
	Defaults:    Params{RequireRequests: ptr(true), RequireLimits: ptr(true)},
	Match:       spec.Match{Kinds: spec.Workloads},
	Enforcement: spec.Warn,
	Rego:        rego,
	CEL:         cel,
}
