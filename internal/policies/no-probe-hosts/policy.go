// Package noprobehosts forbids probes and lifecycle hooks aimed at another host.
package noprobehosts

import (
	_ "embed"

	"github.com/gatewarden/gatewarden/internal/spec"
)

//go:embed policy.rego
var rego string

//go:embed policy.cel
var cel string

// Params are the parameters of K8sNoProbeHosts.
type Params struct {
	ExemptImages []string `json:"exemptImages,omitempty" description:"Images whose containers may aim probes and lifecycle hooks at another host: an exact reference, or a prefix ending in '*'."`
}

// Policy is the catalog entry.
var Policy = spec.Policy{
	Key:   "no-probe-hosts",
	Kind:  "K8sNoProbeHosts",
	Title: "No probe or lifecycle hook hosts",
	Description: `Probes (livenessProbe, readinessProbe, startupProbe) and lifecycle hooks
(postStart, preStop) must not set httpGet.host or tcpSocket.host: unset or the empty
string is allowed, any other value is refused as written. The kubelet makes these
requests from the node, so a host turns a pod spec into a way to reach, from the
node's network position, addresses the pod itself could not (node-local services,
cloud metadata endpoints, other tenants). Without a host the kubelet targets the
pod's own IP. Applies to containers, initContainers and ephemeralContainers of Pods
and of every workload that creates them, as the Pod Security Standards (baseline,
since Kubernetes 1.34) do.`,
	Version:     "1.0.7",
	Practice:    "Don't aim probes or lifecycle hooks at other hosts",
	Bundles:     []string{"baseline", "restricted", "hardened"},
	Compliance:  []string{"PSS baseline: Host Probes / Lifecycle Hooks"},
	Scope:       spec.ScopeContainer,
	Params:      Params{},
	Defaults:    Params{},
	Match:       spec.Match{Kinds: spec.Workloads},
	Enforcement: spec.Deny,
	Rego:        rego,
	CEL:         cel,
}
