// Package requiredefaultdenynetworkpolicy requires every namespace to deny pod traffic by default.
package requiredefaultdenynetworkpolicy

import (
	_ "embed"

	"github.com/gatewarden/gatewarden/internal/spec"
)

//go:embed policy.rego
var rego string

// Params are the parameters of K8sRequireDefaultDenyNetworkPolicy.
type Params struct {
	RequireEgress    bool     `json:"requireEgress" default:"false" description:"Also require a default-deny NetworkPolicy for Egress (podSelector {}, Egress in policyTypes, no egress rules). Default false: only Ingress, as in the security notes; egress denial also blocks DNS until a policy allows it."`
	CheckWorkloads   bool     `json:"checkWorkloads" default:"true" description:"At admission (CREATE and UPDATE), also report Pods and workloads (Deployment, StatefulSet, DaemonSet, ReplicaSet, ReplicationController, Job, CronJob) that would run pods in a namespace without the default-deny policy; the constraint's enforcementAction decides whether they are refused or warned about. Audit reports the Namespace only."`
	ExemptNamespaces []string `json:"exemptNamespaces,omitempty" description:"Namespaces that need no default-deny policy: an exact name, or a prefix ending in '*'. The default constraint already excludes the system namespaces through match.excludedNamespaces."`
}

// Policy is the catalog entry.
var Policy = spec.Policy{
	Key:   "require-default-deny-network-policy",
	Kind:  "K8sRequireDefaultDenyNetworkPolicy",
	Title: "Namespaces deny pod traffic by default",
	Description: `Every namespace (minus exemptNamespaces and the constraint's excluded namespaces)
must have a default-deny NetworkPolicy: one that selects every pod (podSelector {}),
lists Ingress in its policyTypes and has no ingress rules; with requireEgress, also
one (the same or another) that lists Egress and has no egress rules. Without it,
Kubernetes lets every pod of the cluster connect to every pod of the namespace.
policyTypes left unset count as Kubernetes defaults them (Ingress, plus Egress when
egress rules are present). NetworkPolicies add up, so another policy that selects
every pod and has a rule allowing every pod of the cluster on every port (no ports,
and no peers or a peer with namespaceSelector {}) undoes the default deny: it is
reported wherever the missing policy would be. Reads the NetworkPolicies and Namespaces Gatekeeper syncs.
Admission sees one object at a time and a NetworkPolicy can only be created in a
namespace that exists, so: audit, and the admission of a Namespace, report each
Namespace that lacks one; at admission (CREATE and UPDATE), with checkWorkloads
(default true), Pods and workloads that would run pods (replicas other than 0, Jobs
and CronJobs not suspended) in such a namespace are reported too, once the Namespace
is in the synced inventory (so a namespace created in the same apply is not judged
before its NetworkPolicy is synced). As on every UPDATE, what the old object already
had is not reported again: scaling a Deployment from 0 is. The constraint's
enforcementAction decides whether they are refused or warned about. The default
constraint is dryrun: review the audit results, add the policy to each namespace
(components/default-deny-ingress does it in a kustomize overlay), then switch to warn
or deny. Under deny, match only the workload kinds: a new Namespace can never have a
NetworkPolicy yet, so its creation would always be refused.`,
	Version:     "1.1.0",
	Practice:    "Deny all traffic between pods by default",
	Bundles:     []string{"hardened"},
	Compliance:  []string{"CIS 5.3.2"},
	Scope:       spec.ScopeObject,
	Params:      Params{},
	Defaults:    Params{RequireEgress: false, CheckWorkloads: true},
	Match:       spec.Match{Kinds: matchKinds()},
	Enforcement: spec.DryRun,
	Rego:        rego,
	Sync: []spec.GVK{
		{Group: "networking.k8s.io", Version: "v1", Kind: "NetworkPolicy"},
		{Group: "", Version: "v1", Kind: "Namespace"},
	},
}

// matchKinds is the Namespace and every workload kind; Namespace joins the
// core group's entry of spec.Workloads.
func matchKinds() []spec.GroupKinds {
	var out []spec.GroupKinds
	for _, gk := range spec.Workloads {
		if len(gk.APIGroups) == 1 && gk.APIGroups[0] == "" {
			gk.Kinds = append([]string{"Namespace"}, gk.Kinds...)
		}
		out = append(out, gk)
	}
	return out
}
