// Package rbacrestrictsensitiveverbs forbids the RBAC permissions that lead to
// privilege escalation: escalate, bind, impersonate, reading Secrets, exec,
// attach, port-forward, ephemeral containers and the kubelet API.
package rbacrestrictsensitiveverbs

import (
	_ "embed"

	"github.com/gatewarden/gatewarden/internal/spec"
)

//go:embed policy.rego
var rego string

//go:embed policy.cel
var cel string

// Params are the parameters of K8sRBACRestrictSensitiveVerbs.
type Params struct {
	AllowedRoles []string `json:"allowedRoles,omitempty" default:"[\"system:*\",\"cluster-admin\",\"gatekeeper-manager-role\",\"gatekeeper-system/gatekeeper-manager-role\",\"kube-system/system:*\"]" description:"Roles and ClusterRoles that may grant these permissions: an exact name, or a prefix ending in '*'. A ClusterRole is matched by its name, a Role by <namespace>/<name> (so whoever may create Roles in a namespace cannot allow one by naming it system:something). The default admits the roles the control plane creates and reconciles itself (the system:* ClusterRoles, cluster-admin, and the system:* Roles of kube-system, where the bootstrap signer and token cleaner read Secrets) and Gatekeeper's own: the gatekeeper-manager-role ClusterRole reads every kind, Secrets included, for audit and sync, and the Role of that name in gatekeeper-system manages its webhook certificate Secret."`
}

// Policy is the catalog entry.
var Policy = spec.Policy{
	Key:   "rbac-restrict-sensitive-verbs",
	Kind:  "K8sRBACRestrictSensitiveVerbs",
	Title: "No privilege-escalating RBAC permissions",
	Description: `Roles and ClusterRoles must not grant the permissions that lead past RBAC: escalate,
bind and impersonate (named in verbs, whatever the resources); get, list or watch on
secrets; create or get on pods/exec, pods/attach and pods/portforward (until
Kubernetes 1.35, whose AuthorizePodWebsocketUpgradeCreatePermission gate requires
create, a WebSocket exec, attach or port-forward needed only get); update or patch on
pods/ephemeralcontainers (an ephemeral container runs any image inside a running
pod); and any verb on nodes/proxy (the kubelet API, which runs commands in every pod
of the node). A "*" verb counts as every verb and "*" resources and API groups as
every resource and group ("*/exec" as the exec subresource of every resource), so
"*" on roles grants escalate and bind, and get on "*" in "*" reads Secrets and opens
exec. Reading Secrets is allowed when the rule names them in resourceNames: a
workload reading its own Secret is least privilege. An empty name does not count:
RBAC compares resourceNames with the request's name, and a list or watch has the
empty one, so resourceNames [""] grants them on every Secret. Roles in allowedRoles
(ClusterRoles by name, Roles by namespace/name) are skipped: by default system:*,
cluster-admin and Gatekeeper's gatekeeper-manager-role. A ClusterRole with an
aggregationRule is skipped: the clusterrole-aggregation controller writes its rules
from the ClusterRoles it selects, which are checked themselves (the built-in admin
and edit are aggregated). A rule is named by its position (rules[2]).`,
	Version:     "1.1.5",
	Practice:    "Least-privilege RBAC: no escalation, impersonation, Secret reading or exec",
	Bundles:     []string{"hardened"},
	Compliance:  []string{"CIS 5.1.2", "CIS 5.1.8", "CIS 5.1.10"},
	Scope:       spec.ScopeObject,
	Params:      Params{},
	Defaults:    Params{AllowedRoles: []string{"system:*", "cluster-admin", "gatekeeper-manager-role", "gatekeeper-system/gatekeeper-manager-role", "kube-system/system:*"}},
	Match:       spec.Match{Kinds: []spec.GroupKinds{{APIGroups: []string{"rbac.authorization.k8s.io"}, Kinds: []string{"ClusterRole", "Role"}}}},
	Enforcement: spec.Deny,
	Rego:        rego,
	CEL:         cel,
}
