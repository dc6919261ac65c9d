// Package nohostports forbids binding container ports on the node.
package nohostports

import (
	_ "embed"

	"github.com/gatewarden/gatewarden/internal/spec"
)

//go:embed policy.rego
var rego string

//go:embed policy.cel
var cel string

// PortRange is an inclusive range of host ports.
type PortRange struct {
	Min int `json:"min" description:"The lowest host port of the range." required:"true"`
	Max int `json:"max" description:"The highest host port of the range (inclusive). A range whose max is below its min allows nothing." required:"true"`
}

// Params are the parameters of K8sNoHostPorts.
type Params struct {
	AllowedHostPorts []PortRange `json:"allowedHostPorts,omitempty" description:"Inclusive ranges of host ports containers may bind. Empty (the default, and the Pod Security Standards' value) allows none."`
	ExemptImages     []string    `json:"exemptImages,omitempty" description:"Images whose containers may bind any host port: an exact reference, or a prefix ending in '*'. Use only for node agents that must listen on the node (e.g. an ingress controller run as a DaemonSet)."`
}

// Policy is the catalog entry.
var Policy = spec.Policy{
	Key:   "no-host-ports",
	Kind:  "K8sNoHostPorts",
	Title: "No host ports",
	Description: `Containers must not bind ports on the node: every ports[].hostPort must be unset
or 0, or lie within one of the allowedHostPorts ranges (default: none). A host port
bypasses Services and NetworkPolicies, exposes the pod on every address of the node,
and pins the pod to nodes where the port is free. In a pod with hostNetwork: true the
API server sets an unset hostPort of a container or init container to its
containerPort, so such a port must lie within the ranges too: a workload is judged
as its pods will be admitted, not refused only once its pods are. Applies to containers,
initContainers and ephemeralContainers of Pods and of every workload that creates
them, as the Pod Security Standards (baseline) do.`,
	Version:     "1.1.4",
	Practice:    "Don't bind host ports: expose pods through Services",
	Bundles:     []string{"baseline", "restricted", "hardened"},
	Compliance:  []string{"PSS baseline: Host Ports", "CIS 5.2.13"},
	Scope:       spec.ScopeContainer,
	Params:      Params{},
	Defaults:    Params{},
	Match:       spec.Match{Kinds: spec.Workloads},
	Enforcement: spec.Deny,
	Rego:        rego,
	CEL:         cel,
}
