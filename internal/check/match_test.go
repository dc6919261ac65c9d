package check

import (
	"slices"
	"testing"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/yaml"
)

func TestMatchedConstraints(t *testing.T) {
	var lib Library
	for _, src := range []string{
		`{kind: Workloads, metadata: {name: apps}, spec: {match: {kinds: [{apiGroups: [apps], kinds: [Deployment]}, {apiGroups: [""], kinds: [Pod]}]}}}`,
		`{kind: Anything, metadata: {name: all}, spec: {match: {kinds: [{apiGroups: ["*"], kinds: ["*"]}]}}}`,
		`{kind: NoKinds, metadata: {name: none}, spec: {}}`,
		`{kind: Included, metadata: {name: shop}, spec: {match: {namespaces: ["shop-*", "*-prod"]}}}`,
		`{kind: Excluded, metadata: {name: system}, spec: {match: {excludedNamespaces: [kube-system, "gatekeeper-*"]}}}`,
		`{kind: Included, metadata: {name: empty-list}, spec: {match: {namespaces: []}}}`,
	} {
		c := &unstructured.Unstructured{}
		if err := yaml.Unmarshal([]byte(src), &c.Object); err != nil {
			t.Fatal(err)
		}
		lib.Constraints = append(lib.Constraints, c)
	}
	ms := constraintMatches(&lib)
	for _, tc := range []struct {
		apiVersion, kind, namespace, reviewedIn string
		want                                    []string
	}{
		{"apps/v1", "Deployment", "shop-eu", "shop-eu", []string{"Workloads/apps", "Anything/all", "NoKinds/none", "Included/shop", "Excluded/system", "Included/empty-list"}},
		{"v1", "Pod", "kube-system", "kube-system", []string{"Workloads/apps", "Anything/all", "NoKinds/none", "Included/empty-list"}},
		{"v1", "Pod", "api-prod", "api-prod", []string{"Workloads/apps", "Anything/all", "NoKinds/none", "Included/shop", "Excluded/system", "Included/empty-list"}},
		{"v1", "Service", "gatekeeper-system", "gatekeeper-system", []string{"Anything/all", "NoKinds/none", "Included/empty-list"}},
		// A Deployment in the core group is not apps' Deployment.
		{"v1", "Deployment", "web", "web", []string{"Anything/all", "NoKinds/none", "Excluded/system", "Included/empty-list"}},
		// A workload without a namespace is reviewed in the one it lands in.
		{"apps/v1", "Deployment", "", "kube-system", []string{"Workloads/apps", "Anything/all", "NoKinds/none", "Included/empty-list"}},
		// A Namespace is matched by its own name (kube-system, below).
		{"v1", "Namespace", "", "", []string{"Anything/all", "NoKinds/none", "Included/empty-list"}},
		// An empty namespaces list restricts nothing.
		{"v1", "Service", "web", "web", []string{"Anything/all", "NoKinds/none", "Excluded/system", "Included/empty-list"}},
		// Cluster-scoped objects ignore the namespace filters.
		{"rbac.authorization.k8s.io/v1", "ClusterRole", "", "", []string{"Anything/all", "NoKinds/none", "Included/shop", "Excluded/system", "Included/empty-list"}},
	} {
		o := obj(tc.apiVersion, tc.kind)
		o.SetNamespace(tc.namespace)
		if tc.kind == "Namespace" {
			o.SetName("kube-system")
		}
		if got := matchedConstraints(ms, o, tc.reviewedIn); !slices.Equal(got, tc.want) {
			t.Errorf("%s %s in %q: matched %v, want %v", tc.apiVersion, tc.kind, tc.namespace, got, tc.want)
		}
	}
}
