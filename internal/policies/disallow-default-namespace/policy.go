// Package disallowdefaultnamespace keeps workloads and their objects out of the default namespace.
package disallowdefaultnamespace

import (
	_ "embed"

	"github.com/gatewarden/gatewarden/internal/spec"
)

//go:embed policy.rego
var rego string

//go:embed policy.cel
var cel string

// Params are the parameters of K8sDisallowDefaultNamespace.
type Params struct {
	ExemptObjects []string `json:"exemptObjects,omitempty" description:"Objects allowed in the default namespace, as Kind/name (exact). Keep the ones Kubernetes itself creates there: the API server's Service/kubernetes, the ConfigMap/kube-root-ca.crt that the root CA publisher puts in every namespace, and the ServiceAccount/default the controller manager creates." default:"[\"ConfigMap/kube-root-ca.crt\",\"Service/kubernetes\",\"ServiceAccount/default\"]"`
}

// Policy is the catalog entry.
var Policy = spec.Policy{
	Key:   "disallow-default-namespace",
	Kind:  "K8sDisallowDefaultNamespace",
	Title: "Disallow the default namespace",
	Description: `Workloads and the objects that go with them (Services, ConfigMaps, Secrets,
ServiceAccounts, PersistentVolumeClaims, Ingresses, Roles, RoleBindings,
HorizontalPodAutoscalers, PodDisruptionBudgets) must not be created in the default
namespace. It is where everything lands that forgot to choose, so RBAC, network
policies, quotas and Pod Security admission labels cannot be scoped to one team or
app there. The namespace is metadata.namespace, or, when a manifest leaves it unset,
the namespace of the admission request (the API server fills it in before admission).
Offline (gatewarden check, gator) a manifest without metadata.namespace is not
reported: where it lands is decided when it is applied (kubectl -n, the kubeconfig
context, a kustomize namespace), and admission checks it then. The objects Kubernetes
itself creates in default are exempt (exemptObjects). Enforcement is warn by default:
the default namespace is a hygiene problem, not an attack, and denying it on a live
cluster would break whatever was installed there first; switch to deny once it is
empty.`,
	Version:    "1.0.4",
	Practice:   "Catch manifest misconfigurations: no workloads in the default namespace",
	Bundles:    []string{"hardened"},
	Compliance: []string{"CIS 5.7.4"},
	Scope:      spec.ScopeObject,
	Params:     Params{},
	Defaults:   Params{ExemptObjects: []string{"ConfigMap/kube-root-ca.crt", "Service/kubernetes", "ServiceAccount/default"}},
	Match: spec.Match{Kinds: []spec.GroupKinds{
		{APIGroups: []string{""}, Kinds: []string{"ConfigMap", "PersistentVolumeClaim", "Pod", "ReplicationController", "Secret", "Service", "ServiceAccount"}},
		{APIGroups: []string{"apps"}, Kinds: []string{"DaemonSet", "Deployment", "ReplicaSet", "StatefulSet"}},
		{APIGroups: []string{"autoscaling"}, Kinds: []string{"HorizontalPodAutoscaler"}},
		{APIGroups: []string{"batch"}, Kinds: []string{"CronJob", "Job"}},
		{APIGroups: []string{"networking.k8s.io"}, Kinds: []string{"Ingress"}},
		{APIGroups: []string{"policy"}, Kinds: []string{"PodDisruptionBudget"}},
		{APIGroups: []string{"rbac.authorization.k8s.io"}, Kinds: []string{"Role", "RoleBinding"}},
	}},
	Enforcement: spec.Warn,
	Rego:        rego,
	CEL:         cel,
}
