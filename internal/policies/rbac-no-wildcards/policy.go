// Package rbacnowildcards forbids wildcards in the rules of Roles and ClusterRoles.
package rbacnowildcards

import (
	_ "embed"

	"github.com/gatewarden/gatewarden/internal/spec"
)

//go:embed policy.rego
var rego string

//go:embed policy.cel
var cel string

// Params are the parameters of K8sRBACNoWildcards.
type Params struct {
	ExemptRoles []string `json:"exemptRoles,omitempty" default:"[\"system:*\",\"cluster-admin\",\"gatekeeper-manager-role\"]" description:"Names of the Roles and ClusterRoles that may use wildcards: an exact name, or a prefix ending in '*'. The default admits the roles the control plane creates and reconciles itself (system:*, and cluster-admin, which the API server recreates at startup when it is missing) and Gatekeeper's own gatekeeper-manager-role (read access to every kind, for audit and sync). A ClusterRole is matched by its name, a Role by <namespace>/<name> (kube-system/*, say): otherwise whoever may create Roles in a namespace could exempt one by naming it system:something."`
}

// Policy is the catalog entry.
var Policy = spec.Policy{
	Key:   "rbac-no-wildcards",
	Kind:  "K8sRBACNoWildcards",
	Title: "No wildcards in RBAC roles",
	Description: `The rules of Roles and ClusterRoles must name the verbs, API groups and resources
they grant: "*" in verbs, apiGroups or resources (and "*/subresource", the
subresource of every resource) grants everything that exists now and everything a
CRD or a Kubernetes upgrade adds later, and a nonResourceURLs entry of "*" (or "/*")
every endpoint of the API server. Roles named in exemptRoles (ClusterRoles by name,
Roles by namespace/name) are skipped: by default the control plane's system:*
ClusterRoles, cluster-admin and Gatekeeper's gatekeeper-manager-role. A ClusterRole with an aggregationRule is skipped too: the
clusterrole-aggregation controller overwrites its rules with the union of the
ClusterRoles it selects, which are checked themselves, and the API server lets only
holders of every permission (or of the escalate verb) set an aggregationRule. A rule is named by its position
(rules[2]); identical rules are reported once, at the first position. Because the
UPDATE rule compares findings, inserting a rule before an old wildcard rule reports
that rule again at its new position.`,
	Version:     "1.0.6",
	Practice:    "Least-privilege RBAC",
	Bundles:     []string{"hardened"},
	Compliance:  []string{"CIS 5.1.3"},
	Scope:       spec.ScopeObject,
	Params:      Params{},
	Defaults:    Params{ExemptRoles: []string{"system:*", "cluster-admin", "gatekeeper-manager-role"}},
	Match:       spec.Match{Kinds: []spec.GroupKinds{{APIGroups: []string{"rbac.authorization.k8s.io"}, Kinds: []string{"ClusterRole", "Role"}}}},
	Enforcement: spec.Deny,
	Rego:        rego,
	CEL:         cel,
}
