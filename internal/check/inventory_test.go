package check

import (
	"testing"

	templatesv1 "github.com/open-policy-agent/frameworks/constraint/pkg/apis/templates/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/gatewarden/gatewarden/internal/engine"
	"github.com/gatewarden/gatewarden/internal/policies"
	"github.com/gatewarden/gatewarden/internal/render"
)

func obj(apiVersion, kind string) *unstructured.Unstructured {
	o := &unstructured.Unstructured{}
	o.SetAPIVersion(apiVersion)
	o.SetKind(kind)
	o.SetName("x")
	return o
}

func TestReadsData(t *testing.T) {
	for rego, want := range map[string]bool{
		"import data.lib.workload\nx := workload.containers(input.review.object)": false,
		"x := data.lib.workload.display_name(input.review.object)":                false,
		"x := input.review.object.data.password":                                  false,
		`x := object.get(input.review.object, "data", {})`:                        false,
		"x := data.inventory.cluster.v1.Namespace[n]":                             true,
		"import data.inventory\nx := inventory.cluster":                           true,
		"x := data[\"inventory\"]":                                                true,
		"x := data":                                                               true,
		"x := data . inventory":                                                   true,
	} {
		if got := readsData(rego); got != want {
			t.Errorf("readsData(%q) = %v, want %v", rego, got, want)
		}
	}
}

func TestRequiredSync(t *testing.T) {
	ct := &templatesv1.ConstraintTemplate{}
	ct.Name = "k8sx"
	ct.Spec.CRD.Spec.Names.Kind = "K8sX"
	ct.Annotations = map[string]string{render.AnnotationRequiresSync: `"[[{"groups":["networking.k8s.io"],"versions":["v1"],"kinds":["Ingress"]}],[{"groups":[""],"versions":["v1"],"kinds":["Namespace"]},{"groups":["example.com"],"versions":["v1","v2"],"kinds":["Project"]}]]"`}
	got, ok := requiredSync(ct)
	if !ok || len(got) != 4 {
		t.Fatalf("requiredSync = %v, %v; want the 4 kinds", got, ok)
	}
	n := inventoryNeeds{gvks: got}
	for _, c := range []struct {
		o    *unstructured.Unstructured
		want bool
	}{
		{obj("networking.k8s.io/v1", "Ingress"), true},
		{obj("extensions/v1beta1", "Ingress"), false},
		{obj("v1", "Namespace"), true},
		{obj("example.com/v2", "Project"), true},
		{obj("apps/v1", "Deployment"), false},
	} {
		if got := n.includes(c.o); got != c.want {
			t.Errorf("includes(%s %s) = %v, want %v", c.o.GetAPIVersion(), c.o.GetKind(), got, c.want)
		}
	}
	for _, bad := range []string{"", "not json", `"[[{"group":["x"]}]]"`, `"[]"`} {
		ct.Annotations[render.AnnotationRequiresSync] = bad
		if _, ok := requiredSync(ct); ok {
			t.Errorf("requiredSync(%q) accepted", bad)
		}
	}
}

// The built-in library reads, as inventory, the kinds its referential
// policies sync and nothing else, whichever engine evaluates them: a
// Deployment is never held as inventory, an Ingress is.
func TestBuiltInLibraryInventory(t *testing.T) {
	all, err := policies.All()
	if err != nil {
		t.Fatal(err)
	}
	lib, err := BuiltIn(all, "")
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]bool{}
	for _, p := range all {
		for _, g := range p.Sync {
			want[g.Group+"/"+g.Version+"/"+g.Kind] = true
		}
	}
	if len(want) == 0 {
		t.Fatal("no policy syncs anything: the test proves nothing")
	}
	for _, e := range []engine.Engine{engine.Auto, engine.Rego} {
		c, err := engine.New(e)
		if err != nil {
			t.Fatal(err)
		}
		needs := inventoryFor(c, lib)
		if needs.all {
			t.Fatalf("%s: every object is inventory; want only the synced kinds", e)
		}
		got := map[string]bool{}
		for _, g := range needs.gvks {
			got[g.Group+"/"+g.Version+"/"+g.Kind] = true
		}
		if len(got) != len(want) {
			t.Errorf("%s: inventory kinds %v, want %v", e, got, want)
		}
		for k := range want {
			if !got[k] {
				t.Errorf("%s: %s is not inventory", e, k)
			}
		}
		if needs.includes(obj("apps/v1", "Deployment")) || !needs.includes(obj("networking.k8s.io/v1", "Ingress")) {
			t.Errorf("%s: a Deployment is inventory or an Ingress is not", e)
		}
	}
	c, err := engine.New(engine.CEL)
	if err != nil {
		t.Fatal(err)
	}
	if needs := inventoryFor(c, lib); needs.all || len(needs.gvks) > 0 {
		t.Errorf("cel: CEL reads no inventory, got %+v", needs)
	}
}

// A template that reads data without declaring what it syncs gets every
// object, as gator gives it.
func TestUndeclaredInventoryGetsEverything(t *testing.T) {
	ct := &templatesv1.ConstraintTemplate{}
	ct.Name = "k8sreads"
	ct.Spec.CRD.Spec.Names.Kind = "K8sReads"
	ct.Spec.Targets = []templatesv1.Target{{Target: render.TargetName, Rego: "package k8sreads\nviolation contains {\"msg\": \"x\"} if data.inventory.cluster.v1.Namespace[_]\n"}}
	c, err := engine.New(engine.Auto)
	if err != nil {
		t.Fatal(err)
	}
	if needs := inventoryFor(c, &Library{Templates: []*templatesv1.ConstraintTemplate{ct}}); !needs.all {
		t.Errorf("got %+v, want every object", needs)
	}
	ct.Annotations = map[string]string{render.AnnotationRequiresSync: `"[[{"groups":[""],"versions":["v1"],"kinds":["Namespace"]}]]"`}
	needs := inventoryFor(c, &Library{Templates: []*templatesv1.ConstraintTemplate{ct}})
	if needs.all || !needs.includes(obj("v1", "Namespace")) || needs.includes(obj("v1", "Pod")) {
		t.Errorf("declared: got %+v, want Namespaces only", needs)
	}
}
