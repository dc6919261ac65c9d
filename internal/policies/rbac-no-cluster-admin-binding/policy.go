// Package rbacnoclusteradminbinding forbids bindings to cluster-admin and to the
// groups that RBAC cannot restrict or that stand for unauthenticated requests.
package rbacnoclusteradminbinding

import (
	_ "embed"

	"github.com/gatewarden/gatewarden/internal/spec"
)

//go:embed policy.rego
var rego string

//go:embed policy.cel
var cel string

// Subject names a subject of a RoleBinding or ClusterRoleBinding.
type Subject struct {
	Kind      string `json:"kind" required:"true" enum:"User,Group,ServiceAccount" description:"The subject's kind: User, Group or ServiceAccount."`
	Name      string `json:"name" required:"true" description:"The subject's name, compared exactly."`
	Namespace string `json:"namespace,omitempty" description:"For a ServiceAccount, its namespace (a subject without one is in the RoleBinding's namespace); empty matches a ServiceAccount of that name in any namespace. Users and Groups have no namespace: leave it empty for them."`
}

// Params are the parameters of K8sRBACNoClusterAdminBinding.
type Params struct {
	AllowedSubjects []Subject `json:"allowedSubjects,omitempty" description:"Subjects allowed in any binding: bound to cluster-admin, or, for the groups system:masters, system:anonymous and system:unauthenticated and the user system:anonymous, bound at all. Prefer exemptBindings to allow one binding: an allowed subject is allowed everywhere."`
	ExemptBindings  []string  `json:"exemptBindings,omitempty" default:"[\"cluster-admin\",\"system:*\",\"kubeadm:cluster-admins\",\"kube-public/kubeadm:bootstrap-signer-clusterinfo\"]" description:"Bindings that are not checked: an exact name, or a prefix ending in '*'. A ClusterRoleBinding is matched by its name, a RoleBinding by <namespace>/<name> (kube-system/*, say), so whoever may create RoleBindings in a namespace cannot exempt one by naming it system:something. The default admits the bindings the control plane creates itself: the bootstrap cluster-admin binding of the group system:masters, the system:* bindings (system:public-info-viewer grants health and version endpoints to system:unauthenticated), kubeadm's kubeadm:cluster-admins (Kubernetes 1.29 and later), which binds cluster-admin to the group of admin.conf, and kubeadm's RoleBinding that lets anonymous clients read the cluster-info ConfigMap of kube-public for kubeadm join."`
}

// Policy is the catalog entry.
var Policy = spec.Policy{
	Key:   "rbac-no-cluster-admin-binding",
	Kind:  "K8sRBACNoClusterAdminBinding",
	Title: "No cluster-admin bindings",
	Description: `RoleBindings and ClusterRoleBindings must not grant the cluster-admin ClusterRole
(in a RoleBinding it is full control of the namespace, Secrets and RBAC included),
and no binding may name the group system:masters (whose members pass every
authorization check whatever RBAC says, so a binding only hides them), or
system:anonymous and system:unauthenticated (User or Group system:anonymous, Group
system:unauthenticated: every request without credentials). Each offending
subject is one finding, named by its position (subjects[1]). Subjects in
allowedSubjects are allowed everywhere; bindings in exemptBindings (by default the
bootstrap cluster-admin binding, system:* and kubeadm's bindings) are not
checked. To publish the service account issuer discovery document to
unauthenticated clients, say, exempt that one ClusterRoleBinding by name.`,
	Version:     "1.0.6",
	Practice:    "Limit access: least-privilege RBAC, no cluster-admin for users or dashboards",
	Bundles:     []string{"hardened"},
	Compliance:  []string{"CIS 5.1.1", "CIS 5.1.7"},
	Scope:       spec.ScopeObject,
	Params:      Params{},
	Defaults:    Params{ExemptBindings: []string{"cluster-admin", "system:*", "kubeadm:cluster-admins", "kube-public/kubeadm:bootstrap-signer-clusterinfo"}},
	Match:       spec.Match{Kinds: []spec.GroupKinds{{APIGroups: []string{"rbac.authorization.k8s.io"}, Kinds: []string{"ClusterRoleBinding", "RoleBinding"}}}},
	Enforcement: spec.Deny,
	Rego:        rego,
	CEL:         cel,
}
