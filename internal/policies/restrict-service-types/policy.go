// Package restrictservicetypes keeps Services off node ports, load balancers and external IPs unless allowed.
package restrictservicetypes

import (
	_ "embed"

	"github.com/gatewarden/gatewarden/internal/spec"
)

//go:embed policy.rego
var rego string

//go:embed policy.cel
var cel string

// Params are the parameters of K8sRestrictServiceTypes.
type Params struct {
	AllowedTypes     []string `json:"allowedTypes" enum:"ClusterIP,NodePort,LoadBalancer,ExternalName" default:"[\"ClusterIP\"]" description:"The Service types allowed (spec.type; unset or empty is ClusterIP). Default ClusterIP only: expose workloads through an Ingress or Gateway. NodePort opens the port on every node; LoadBalancer exposes the Service outside the cluster (and opens node ports too unless spec.allocateLoadBalancerNodePorts is false); ExternalName makes the cluster DNS name, and the ingress controllers that proxy to it, point at any host name, internal ones included."`
	AllowExternalIPs bool     `json:"allowExternalIPs" default:"false" description:"Allow spec.externalIPs. Default false: any user who can create a Service with externalIPs can intercept the cluster's traffic to those addresses (CVE-2020-8554); Kubernetes itself recommends refusing them by admission."`
}

// Policy is the catalog entry.
var Policy = spec.Policy{
	Key:   "restrict-service-types",
	Kind:  "K8sRestrictServiceTypes",
	Title: "Restricted Service types",
	Description: `A Service's type (spec.type, unset or empty meaning ClusterIP) must be in
allowedTypes, by default ClusterIP only: a NodePort Service opens its port on every
node, bypassing whatever guards the ingress path, and a LoadBalancer exposes it
outside the cluster (and, unless spec.allocateLoadBalancerNodePorts is false, opens
node ports too); ExternalName is refused by default as well, since it turns a
cluster DNS name, and any Ingress routing to it, into a pointer to an arbitrary
host. spec.externalIPs are refused unless allowExternalIPs is true: they let anyone
who can create a Service intercept the cluster's traffic to those addresses
(CVE-2020-8554, for which no fix exists but admission control). Allow the types a
namespace needs (an ingress controller's LoadBalancer, say) with a constraint of
its own that matches that namespace.`,
	Version:     "1.0.5",
	Practice:    "Control node ports and external exposure",
	Bundles:     []string{"hardened"},
	Scope:       spec.ScopeObject,
	Params:      Params{},
	Defaults:    Params{AllowedTypes: []string{"ClusterIP"}, AllowExternalIPs: false},
	Match:       spec.Match{Kinds: []spec.GroupKinds{{APIGroups: []string{""}, Kinds: []string{"Service"}}}},
	Enforcement: spec.Deny,
	Rego:        rego,
	CEL:         cel,
}
