package tests

import (
	"context"
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/kustomize/api/krusty"
	"sigs.k8s.io/kustomize/kyaml/filesys"

	"github.com/gatewarden/gatewarden/internal/docs"
	"github.com/gatewarden/gatewarden/internal/engine"
	"github.com/gatewarden/gatewarden/internal/policies"
	"github.com/gatewarden/gatewarden/internal/render"
	"github.com/gatewarden/gatewarden/internal/spec"
)

// repoRoot is where the committed generated files live, relative to this package.
const repoRoot = ".."

// The committed templates/, constraints/, sync/, kustomizations and registry are
// the golden files: they must be exactly what the generator renders now.
func TestGeneratedFilesMatch(t *testing.T) {
	readme, err := os.ReadFile(repoRoot + "/README.md")
	if err != nil {
		t.Fatal(err)
	}
	mem := render.MemSink{}
	if err := render.Library(policies.MustAll(), mem, readme); err != nil {
		t.Fatal(err)
	}
	root := os.DirFS(repoRoot)
	if err := docs.Render(context.Background(), policies.MustAll(), root, mem); err != nil {
		t.Fatal(err)
	}
	lock, err := render.Lock(policies.MustAll(), committedLock(t))
	if err != nil {
		t.Fatal(err)
	}
	if err := mem.Write(render.LockPath, lock); err != nil {
		t.Fatal(err)
	}
	drift, err := render.Diff(mem, root)
	if err != nil {
		t.Fatal(err)
	}
	keys, err := render.PolicyKeys(root)
	if err != nil {
		t.Fatal(err)
	}
	reg, err := render.Registry(keys)
	if err != nil {
		t.Fatal(err)
	}
	if got, _ := os.ReadFile(repoRoot + "/" + render.RegistryPath); string(got) != string(reg) {
		drift = append(drift, render.RegistryPath+" (differs)")
	}
	if len(drift) > 0 {
		t.Errorf("%v:\n  %s", render.ErrDrift, strings.Join(drift, "\n  "))
	}
}

func TestRenderIsDeterministic(t *testing.T) {
	a, b := render.MemSink{}, render.MemSink{}
	if err := render.Library(policies.MustAll(), a, nil); err != nil {
		t.Fatal(err)
	}
	if err := render.Library(policies.MustAll(), b, nil); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(a, b); diff != "" {
		t.Errorf("two renders differ:\n%s", diff)
	}
}

// Every policy passes spec validation and has its fixtures.
func TestPoliciesValidate(t *testing.T) {
	for _, p := range policies.MustAll() {
		if err := spec.Validate(p, os.DirFS(".")); err != nil {
			t.Errorf("%v", err)
		}
	}
}

// Each parameter of each template is typed: a constraint giving a parameter a
// value of the wrong type is rejected, as the API server would reject it.
func TestConstraintSchemaRejectsWrongTypes(t *testing.T) {
	ctx := context.Background()
	for _, p := range policies.MustAll() {
		if p.Params == nil {
			continue
		}
		schema, err := spec.Schema(p.Params)
		if err != nil {
			t.Fatal(err)
		}
		ct, err := render.Template(p)
		if err != nil {
			t.Fatal(err)
		}
		for name, prop := range schema.Properties {
			wrong := map[string]any{"string": int64(42), "integer": "forty-two", "boolean": "yes", "array": "not-a-list", "object": "not-an-object"}[prop.Type]
			t.Run(p.Key+"/"+name, func(t *testing.T) {
				c, err := engine.New(engine.Rego)
				if err != nil {
					t.Fatal(err)
				}
				if err := c.AddTemplate(ctx, ct); err != nil {
					t.Fatal(err)
				}
				con, err := render.Constraint(p)
				if err != nil {
					t.Fatal(err)
				}
				if err := unstructured.SetNestedField(con.Object, wrong, "spec", "parameters", name); err != nil {
					t.Fatal(err)
				}
				if err := c.AddConstraint(ctx, con); err == nil {
					t.Errorf("parameter %s=%v (%s expected) was accepted", name, wrong, prop.Type)
				}
				def, _ := render.Constraint(p)
				if err := c.AddConstraint(ctx, def); err != nil {
					t.Errorf("the default constraint is rejected: %v", err)
				}
			})
		}
	}
}

// kustomize build of the root emits every template before any constraint, so a
// plain `kubectl apply` creates templates first (sortOptions fifo).
func TestKustomizeOrdersTemplatesFirst(t *testing.T) {
	opts := krusty.MakeDefaultOptions()
	// As `kustomize build` without --reorder: the kustomization's sortOptions decide.
	opts.Reorder = krusty.ReorderOptionUnspecified
	k := krusty.MakeKustomizer(opts)
	resMap, err := k.Run(filesys.MakeFsOnDisk(), repoRoot)
	if err != nil {
		t.Fatal(err)
	}
	var kinds []string
	for _, r := range resMap.Resources() {
		kinds = append(kinds, r.GetKind())
	}
	n := len(policies.MustAll())
	seenConstraint := false
	templates := 0
	for _, k := range kinds {
		switch {
		case k == "ConstraintTemplate":
			templates++
			if seenConstraint {
				t.Fatalf("a ConstraintTemplate comes after a constraint: %v", kinds)
			}
		case strings.HasPrefix(k, "K8s"):
			seenConstraint = true
		}
	}
	if templates != n {
		t.Errorf("kustomize build emits %d templates, want %d", templates, n)
	}
}

// A referential template loads only where data.inventory can be served: every
// template that reads it declares so (and has no CEL), and every other template
// loads into a CEL-only client, which has no inventory at all.
func TestInventoryIsDeclared(t *testing.T) {
	ctx := context.Background()
	for _, p := range policies.MustAll() {
		ct, err := render.Template(p)
		if err != nil {
			t.Fatal(err)
		}
		_, declared := ct.Annotations[render.AnnotationRequiresSync]
		reads := strings.Contains(p.Rego, "data.inventory")
		if reads != declared {
			t.Errorf("%s: reads data.inventory=%v but requires-sync-data annotation present=%v", p.Key, reads, declared)
		}
		if declared {
			continue
		}
		c, err := engine.New(engine.CEL)
		if err != nil {
			t.Fatal(err)
		}
		if err := c.AddTemplate(ctx, ct); err != nil {
			t.Errorf("%s: does not load into a client without inventory: %v", p.Key, err)
		}
	}
}

func TestRegistryRejectsDuplicates(t *testing.T) {
	a := &spec.Policy{Key: "a", Kind: "K8sA"}
	_, err := policies.Sorted([]*spec.Policy{a, {Key: "a", Kind: "K8sB"}, {Key: "c", Kind: "K8sA"}})
	if !errors.Is(err, policies.ErrDuplicate) {
		t.Fatalf("want ErrDuplicate, got %v", err)
	}
	for _, want := range []string{`key "a"`, `kind "K8sA"`} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not name %s", err, want)
		}
	}
}

// The sample overlay combines the templates, a bundle component and an
// enforcement-mode component: it must emit every template first, exactly the
// bundle's constraints, all switched to warn.
func TestBundleOverlay(t *testing.T) {
	opts := krusty.MakeDefaultOptions()
	opts.Reorder = krusty.ReorderOptionUnspecified
	resMap, err := krusty.MakeKustomizer(opts).Run(filesys.MakeFsOnDisk(), repoRoot+"/examples/overlays/baseline-warn")
	if err != nil {
		t.Fatal(err)
	}
	var want []string
	for _, p := range policies.MustAll() {
		if p.InBundle("baseline") {
			want = append(want, p.Kind)
		}
	}
	var got []string
	templates, seenConstraint := 0, false
	for _, r := range resMap.Resources() {
		if r.GetKind() == "ConstraintTemplate" {
			templates++
			if seenConstraint {
				t.Errorf("template %s after a constraint", r.GetName())
			}
			continue
		}
		seenConstraint = true
		got = append(got, r.GetKind())
		m, _ := r.Map()
		if action, _, _ := unstructured.NestedString(m, "spec", "enforcementAction"); action != "warn" {
			t.Errorf("%s: enforcementAction %q, want warn", r.GetKind(), action)
		}
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("baseline constraints (-want +got):\n%s", diff)
	}
	if templates != len(policies.MustAll()) {
		t.Errorf("%d templates, want %d", templates, len(policies.MustAll()))
	}
}

// The default-deny-ingress component, used by the sample overlay, adds one
// NetworkPolicy in the overlay's namespace, and it is what
// K8sRequireDefaultDenyNetworkPolicy asks for: the namespace passes with it in
// the inventory and is reported without it.
func TestDefaultDenyIngressComponent(t *testing.T) {
	ctx := context.Background()
	opts := krusty.MakeDefaultOptions()
	resMap, err := krusty.MakeKustomizer(opts).Run(filesys.MakeFsOnDisk(), repoRoot+"/examples/overlays/hardened-namespace")
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	var built []*unstructured.Unstructured
	for _, r := range resMap.Resources() {
		got = append(got, r.GetKind()+" "+r.GetNamespace()+"/"+r.GetName())
		m, err := r.Map()
		if err != nil {
			t.Fatal(err)
		}
		built = append(built, &unstructured.Unstructured{Object: m})
	}
	if diff := cmp.Diff([]string{"NetworkPolicy shop/default-deny-ingress"}, got); diff != "" {
		t.Fatalf("overlay output (-want +got):\n%s", diff)
	}
	p, ok := policies.ByKey("require-default-deny-network-policy")
	if !ok {
		t.Fatal("require-default-deny-network-policy is not registered")
	}
	ct, err := render.Template(p)
	if err != nil {
		t.Fatal(err)
	}
	constraint, err := render.Constraint(p)
	if err != nil {
		t.Fatal(err)
	}
	ns := &unstructured.Unstructured{Object: map[string]any{"apiVersion": "v1", "kind": "Namespace", "metadata": map[string]any{"name": "shop"}}}
	for _, tc := range []struct {
		name      string
		inventory []*unstructured.Unstructured
		want      int
	}{
		{"with the component", built, 0},
		{"without it", nil, 1},
	} {
		c, err := engine.New(engine.Rego)
		if err != nil {
			t.Fatal(err)
		}
		if err := c.AddTemplate(ctx, ct); err != nil {
			t.Fatal(err)
		}
		if err := c.AddConstraint(ctx, constraint); err != nil {
			t.Fatal(err)
		}
		for _, o := range append([]*unstructured.Unstructured{ns}, tc.inventory...) {
			if err := c.AddData(ctx, o); err != nil {
				t.Fatal(err)
			}
		}
		res, err := c.Review(ctx, ns)
		if err != nil {
			t.Fatal(err)
		}
		if len(res) != tc.want {
			t.Errorf("%s: %d violations, want %d: %+v", tc.name, len(res), tc.want, res)
		}
	}
}

// The sync component carries a SyncSet for every referential policy, naming
// exactly the kinds it reads.
func TestSyncComponent(t *testing.T) {
	opts := krusty.MakeDefaultOptions()
	opts.Reorder = krusty.ReorderOptionUnspecified
	resMap, err := krusty.MakeKustomizer(opts).Run(filesys.MakeFsOnDisk(), repoRoot+"/examples/overlays/hardened-components")
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]bool{}
	for _, r := range resMap.Resources() {
		if r.GetKind() == "SyncSet" {
			got[r.GetName()] = true
		}
	}
	for _, p := range policies.MustAll() {
		if p.Referential() != got["gatewarden-"+p.Key] {
			t.Errorf("%s: referential=%v but SyncSet present=%v", p.Key, p.Referential(), got["gatewarden-"+p.Key])
		}
	}
}

// Every Pod Security Standards control is enforced by some policy, and every
// compliance reference names a control of the matrix (spec.Validate), so the
// matrix in docs/compliance.md can only lose a PSS row by a visible change.
func TestComplianceMatrixCoversPodSecurityStandards(t *testing.T) {
	enforced := map[string]bool{}
	for _, p := range policies.MustAll() {
		for _, ref := range p.Compliance {
			enforced[spec.ControlID(ref)] = true
		}
	}
	for _, f := range spec.Frameworks {
		for _, c := range f.Controls {
			if strings.HasPrefix(c.ID, "PSS ") && !enforced[c.ID] {
				t.Errorf("no policy lists %q in its Compliance: the library must enforce every Pod Security Standards control", c.ID)
			}
			if enforced[c.ID] && c.NotAdmission != "" {
				t.Errorf("%q is marked as out of reach of admission, but a policy lists it", c.ID)
			}
		}
	}
	matrix := string(docs.Compliance(policies.MustAll()))
	if !strings.Contains(matrix, "| PSS baseline: Privileged Containers | privileged containers are not allowed | [`K8sNoPrivilegedContainers`](policies/no-privileged-containers.md) |") {
		t.Errorf("the matrix does not link PSS baseline: Privileged Containers to its policy:\n%s", matrix)
	}
}

func committedLock(t *testing.T) map[string]render.LockEntry {
	t.Helper()
	data, err := os.ReadFile(repoRoot + "/" + render.LockPath)
	if err != nil {
		t.Fatalf("%v: run `make generate` to create the version lock", err)
	}
	lock, err := render.ParseLock(data)
	if err != nil {
		t.Fatal(err)
	}
	return lock
}

// A template whose content changed must carry a higher version than the lock
// records; the error names the policy and the file to bump.
func TestTemplateVersionsAreBumped(t *testing.T) {
	lock := committedLock(t)
	all := policies.MustAll()
	if _, err := render.Lock(all, lock); err != nil {
		t.Fatal(err)
	}
	for _, p := range all {
		if _, ok := lock[p.Key]; !ok {
			t.Errorf("%s has no line in %s: run `make generate`", p.Key, render.LockPath)
		}
	}

	// Change one policy's Rego, as an author would, and keep its version.
	var changed []*spec.Policy
	for _, p := range all {
		q := *p
		if q.Key == "no-privileged-containers" {
			q.Rego += "\n# a new comment changes the template\n"
		}
		changed = append(changed, &q)
	}
	_, err := render.Lock(changed, lock)
	if !errors.Is(err, render.ErrVersionNotBumped) {
		t.Fatalf("changing the Rego without a version bump was not refused: %v", err)
	}
	for _, want := range []string{"K8sNoPrivilegedContainers", "bump Version in internal/policies/no-privileged-containers/policy.go above " + lock["no-privileged-containers"].Version} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("the refusal does not say %q:\n%v", want, err)
		}
	}
	if strings.Count(err.Error(), "bump Version") != 1 {
		t.Errorf("only the changed policy must be named:\n%v", err)
	}

	// With the version bumped, the new hash is recorded.
	for _, q := range changed {
		if q.Key == "no-privileged-containers" {
			q.Version = "99.0.0"
		}
	}
	out, err := render.Lock(changed, lock)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(out), "no-privileged-containers 99.0.0 sha256:") {
		t.Errorf("the bumped version is not recorded:\n%s", out)
	}
}

// Every template version above the first release is described in CHANGELOG.md.
func TestChangelogNamesEveryVersion(t *testing.T) {
	data, err := os.ReadFile(repoRoot + "/CHANGELOG.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range policies.MustAll() {
		if p.Version == "1.0.0" {
			continue
		}
		if entry := "`" + p.Kind + "` " + p.Version; !strings.Contains(string(data), entry) {
			t.Errorf("CHANGELOG.md has no entry %q: describe what changed in %s", entry, p.Key)
		}
	}
}
