package policies_test

import (
	"context"
	"fmt"
	"github.com/gatewarden/gatewarden/bench/internal/benchfmt"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"

	templatesv1 "github.com/open-policy-agent/frameworks/constraint/pkg/apis/templates/v1"
	"github.com/open-policy-agent/frameworks/constraint/pkg/core/templates"
	admissionv1 "k8s.io/api/admission/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"

	"github.com/gatewarden/gatewarden/internal/engine"
	"github.com/gatewarden/gatewarden/internal/policies"
	"github.com/gatewarden/gatewarden/internal/render"
	"github.com/gatewarden/gatewarden/internal/spec"
	"github.com/gatewarden/gatewarden/internal/suite"
)

// suitesDir holds the policy suites (tests/<key>/suite.yaml), relative to this package.
const suitesDir = "../../tests"

// scalingSizes are the container counts of the scaling benchmark.
var scalingSizes = []int{1, 10, 100}

// subject is one object to review, with what a client needs around it.
type subject struct {
	name       string
	object     *unstructured.Unstructured
	namespace  *corev1.Namespace // for namespaceSelector; nil: the inventory's
	constraint *unstructured.Unstructured
	inventory  []*unstructured.Unstructured
	// allowed subjects must yield no finding: the benchmark fails otherwise.
	allowed bool
	// request, when set, is reviewed as is (an AdmissionReview case of a suite).
	request *admissionv1.AdmissionRequest
	// audit reviews the object as Gatekeeper's audit does, without an operation.
	audit bool
}

// fixtures is everything the benchmarks share, built once per process, on first
// use inside a benchmark (never by `go test` without -bench).
type fixtures struct {
	policies    []*spec.Policy
	templates   map[string]*templatesv1.ConstraintTemplate
	constraints map[string]*unstructured.Unstructured
	inventory   []*unstructured.Unstructured
	namespaces  map[string]*corev1.Namespace
	// objects are the hardened and insecure Pod and Deployment by subject name.
	objects map[string]*unstructured.Unstructured
	// scaling are insecure Pods by container count.
	scaling map[int]*unstructured.Unstructured
	floor   *templatesv1.ConstraintTemplate

	subjectsMu sync.Mutex
	subjectsOf map[string][]*subject
}

var (
	fixturesOnce sync.Once
	shared       *fixtures
	fixturesErr  error
)

func load(b *testing.B) *fixtures {
	b.Helper()
	fixturesOnce.Do(func() { shared, fixturesErr = newFixtures() })
	if fixturesErr != nil {
		b.Fatal(fixturesErr)
	}
	return shared
}

func newFixtures() (*fixtures, error) {
	f := &fixtures{
		policies:    policies.MustAll(),
		templates:   map[string]*templatesv1.ConstraintTemplate{},
		constraints: map[string]*unstructured.Unstructured{},
		namespaces:  map[string]*corev1.Namespace{},
		objects:     map[string]*unstructured.Unstructured{},
		scaling:     map[int]*unstructured.Unstructured{},
		floor:       floorTemplate(),
		subjectsOf:  map[string][]*subject{},
	}
	for _, p := range f.policies {
		ct, err := render.Template(p)
		if err != nil {
			return nil, err
		}
		c, err := render.BundleConstraint(p, "hardened")
		if err != nil {
			return nil, err
		}
		f.templates[p.Key], f.constraints[p.Key] = ct, c
	}
	inv, err := suite.Objects(filepath.Join("testdata", "inventory.yaml"))
	if err != nil {
		return nil, err
	}
	f.inventory = inv
	for _, o := range inv {
		if o.GetKind() != "Namespace" {
			continue
		}
		ns := &corev1.Namespace{}
		if err := runtime.DefaultUnstructuredConverter.FromUnstructured(o.Object, ns); err != nil {
			return nil, err
		}
		f.namespaces[ns.Name] = ns
	}
	for file, names := range map[string][2]string{
		"hardened.yaml": {benchfmt.DeploymentAllowed, benchfmt.PodAllowed},
		"insecure.yaml": {benchfmt.DeploymentViolating, benchfmt.PodViolating},
	} {
		objs, err := suite.Objects(filepath.Join("testdata", file))
		if err != nil {
			return nil, err
		}
		if len(objs) != 1 || objs[0].GetKind() != "Deployment" {
			return nil, fmt.Errorf("testdata/%s: want one Deployment", file)
		}
		d := objs[0]
		if n := len(containersOf(d)); n != 3 {
			return nil, fmt.Errorf("testdata/%s: the Deployment has %d containers, want 3", file, n)
		}
		pod, err := podOf(d)
		if err != nil {
			return nil, fmt.Errorf("testdata/%s: %w", file, err)
		}
		f.objects[names[0]], f.objects[names[1]] = d, pod
	}
	for _, n := range scalingSizes {
		f.scaling[n] = scalingPod(n)
	}
	return f, nil
}

// containersOf lists a workload's init and app containers.
func containersOf(d *unstructured.Unstructured) []any {
	var out []any
	for _, field := range []string{"initContainers", "containers"} {
		cs, _, _ := unstructured.NestedSlice(d.Object, "spec", "template", "spec", field)
		out = append(out, cs...)
	}
	return out
}

// podOf is the Pod a Deployment's ReplicaSet would create: the pod template's
// metadata and spec, named as the controller names them.
func podOf(d *unstructured.Unstructured) (*unstructured.Unstructured, error) {
	tmpl, ok, err := unstructured.NestedMap(d.Object, "spec", "template")
	if err != nil || !ok {
		return nil, fmt.Errorf("deployment %s has no pod template", d.GetName())
	}
	meta, _ := tmpl["metadata"].(map[string]any)
	if meta == nil {
		meta = map[string]any{}
	}
	meta["name"] = d.GetName() + "-7d9f8c6b5-x2x4q"
	meta["namespace"] = d.GetNamespace()
	return &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": "v1",
		"kind":       "Pod",
		"metadata":   meta,
		"spec":       tmpl["spec"],
	}}, nil
}

// scalingContainer breaks every container-scoped practice at once, so that a
// container-scoped policy has one finding (at least) per container.
func scalingContainer(i int) map[string]any {
	return map[string]any{
		"name":            fmt.Sprintf("c%d", i),
		"image":           "nginx:latest",
		"imagePullPolicy": "IfNotPresent",
		"ports":           []any{map[string]any{"containerPort": int64(8000 + i), "hostPort": int64(8000 + i)}},
		"env": []any{
			map[string]any{"name": "DB_PASSWORD", "value": "hunter2"},
			map[string]any{"name": "API_TOKEN", "valueFrom": map[string]any{"secretKeyRef": map[string]any{"name": "api", "key": "token"}}},
		},
		"livenessProbe": map[string]any{"httpGet": map[string]any{"host": "10.0.0.1", "path": "/", "port": int64(8000 + i)}},
		"securityContext": map[string]any{
			"privileged":               true,
			"allowPrivilegeEscalation": true,
			"readOnlyRootFilesystem":   false,
			"runAsNonRoot":             false,
			"runAsUser":                int64(0),
			"procMount":                "Unmasked",
			"capabilities":             map[string]any{"add": []any{"SYS_ADMIN"}},
			"seccompProfile":           map[string]any{"type": "Unconfined"},
			"seLinuxOptions":           map[string]any{"type": "spc_t"},
			"appArmorProfile":          map[string]any{"type": "Unconfined"},
		},
	}
}

// scalingPod is an insecure Pod with n containers, each breaking every
// container-scoped practice.
func scalingPod(n int) *unstructured.Unstructured {
	cs := make([]any, n)
	for i := range cs {
		cs[i] = scalingContainer(i)
	}
	return &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": "v1",
		"kind":       "Pod",
		"metadata": map[string]any{
			"name":      fmt.Sprintf("scale-%d", n),
			"namespace": "shop-insecure",
			"labels":    map[string]any{"app": "scale"},
		},
		"spec": map[string]any{
			"serviceAccountName": "web",
			"containers":         cs,
		},
	}}
}

// floorRego never reports anything and never reads the object.
const floorRego = `package k8sbenchfloor

violation contains {"msg": "never"} if {
	input.parameters.never == true
}
`

// floorTemplate is the cheapest template each engine can evaluate: what a
// review costs before a policy does any work.
func floorTemplate() *templatesv1.ConstraintTemplate {
	return &templatesv1.ConstraintTemplate{
		TypeMeta:   metav1.TypeMeta{APIVersion: templatesv1.SchemeGroupVersion.String(), Kind: "ConstraintTemplate"},
		ObjectMeta: metav1.ObjectMeta{Name: "k8sbenchfloor"},
		Spec: templatesv1.ConstraintTemplateSpec{
			CRD: templatesv1.CRD{Spec: templatesv1.CRDSpec{Names: templatesv1.Names{Kind: "K8sBenchFloor"}}},
			Targets: []templatesv1.Target{{
				Target: render.TargetName,
				Code: []templatesv1.Code{
					{Engine: render.EngineCEL, Source: &templates.Anything{Value: map[string]any{
						"validations": []any{map[string]any{"expression": "true", "message": "never"}},
					}}},
					{Engine: render.EngineRego, Source: &templates.Anything{Value: map[string]any{
						"version": "v1", "rego": floorRego,
					}}},
				},
			}},
		},
	}
}

// withoutMessageExpressions returns a copy of a template whose CEL validations
// have a constant message instead of their messageExpression.
func withoutMessageExpressions(ct *templatesv1.ConstraintTemplate) (*templatesv1.ConstraintTemplate, error) {
	out := ct.DeepCopy()
	n := 0
	for ti := range out.Spec.Targets {
		for _, code := range out.Spec.Targets[ti].Code {
			if code.Engine != render.EngineCEL || code.Source == nil {
				continue
			}
			src, ok := code.Source.Value.(map[string]any)
			if !ok {
				return nil, fmt.Errorf("template %s: CEL source is %T, not an object", ct.Name, code.Source.Value)
			}
			vals, _ := src["validations"].([]any)
			for _, v := range vals {
				m, ok := v.(map[string]any)
				if !ok {
					return nil, fmt.Errorf("template %s: a validation is %T, not an object", ct.Name, v)
				}
				if _, ok := m["messageExpression"]; ok {
					delete(m, "messageExpression")
					m["message"] = "finding"
					n++
				}
			}
		}
	}
	if n == 0 {
		return nil, fmt.Errorf("template %s: no messageExpression to take away", ct.Name)
	}
	return out, nil
}

// floorConstraint matches the given kinds, like the policy it stands beside.
func floorConstraint(kinds []spec.GroupKinds) (*unstructured.Unstructured, error) {
	return render.BundleConstraint(&spec.Policy{
		Key:         "bench-floor",
		Kind:        "K8sBenchFloor",
		Match:       spec.Match{Kinds: kinds},
		Enforcement: spec.Deny,
	}, "hardened")
}

// matchesWorkloads reports whether a policy reviews Pods and Deployments.
func matchesWorkloads(p *spec.Policy) bool {
	var pod, deployment bool
	for _, gk := range p.Match.Kinds {
		for _, k := range gk.Kinds {
			pod = pod || (k == "Pod" && contains(gk.APIGroups, ""))
			deployment = deployment || (k == "Deployment" && contains(gk.APIGroups, "apps"))
		}
	}
	return pod && deployment
}

func contains(ss []string, s string) bool {
	for _, x := range ss {
		if x == s {
			return true
		}
	}
	return false
}

// enginesOf lists the engines a policy can be evaluated with.
func enginesOf(p *spec.Policy) []engine.Engine {
	if p.CEL != "" {
		return []engine.Engine{engine.Rego, engine.CEL}
	}
	return []engine.Engine{engine.Rego}
}

// subjects returns a policy's subjects, the same values on every call so that
// their clients are built once.
func (f *fixtures) subjects(p *spec.Policy) ([]*subject, error) {
	f.subjectsMu.Lock()
	defer f.subjectsMu.Unlock()
	if s, ok := f.subjectsOf[p.Key]; ok {
		return s, nil
	}
	s, err := f.newSubjects(p)
	if err != nil {
		return nil, err
	}
	f.subjectsOf[p.Key] = s
	return s, nil
}

// suiteViolatingCase returns the first violating CREATE case of a policy's suite,
// for policies that the insecure objects do not violate.
func (f *fixtures) suiteViolatingCase(p *spec.Policy) (*subject, error) {
	f.subjectsMu.Lock()
	defer f.subjectsMu.Unlock()
	key := p.Key + "/" + benchfmt.SuiteViolating
	if s, ok := f.subjectsOf[key]; ok {
		return s[0], nil
	}
	s, err := suiteSubjects(p, f.constraints[p.Key], false)
	if err != nil {
		return nil, err
	}
	f.subjectsOf[key] = s
	return s[0], nil
}

// newSubjects lists a policy's own objects: the hardened and insecure Pod and
// Deployment when it reviews them, its suite's first allowed and violating
// CREATE case otherwise.
func (f *fixtures) newSubjects(p *spec.Policy) ([]*subject, error) {
	if !matchesWorkloads(p) {
		return suiteSubjects(p, f.constraints[p.Key], true)
	}
	var out []*subject
	for _, name := range []string{benchfmt.PodAllowed, benchfmt.PodViolating, benchfmt.DeploymentAllowed, benchfmt.DeploymentViolating} {
		out = append(out, f.subject(name, f.constraints[p.Key]))
	}
	return out, nil
}

func (f *fixtures) subject(name string, constraint *unstructured.Unstructured) *subject {
	o := f.objects[name]
	return &subject{
		name:       name,
		object:     o,
		namespace:  f.namespaces[o.GetNamespace()],
		constraint: constraint,
		inventory:  f.inventory,
		allowed:    strings.HasSuffix(name, "-allowed"),
	}
}

// suiteSubjects picks from a policy's suite the first case that asserts no
// violation and (when both) the first that asserts some, among the cases that
// are plain objects or CREATE requests. Plain objects are reviewed as CREATE
// requests. Each case keeps its test's constraint and its own inventory.
func suiteSubjects(p *spec.Policy, fallback *unstructured.Unstructured, both bool) ([]*subject, error) {
	st, dir, err := suite.Load(suitesDir, p.Key)
	if err != nil {
		return nil, err
	}
	var allowed, violating *subject
	for _, test := range st.Tests {
		if test.Invalid {
			continue
		}
		constraint := fallback
		if test.Constraint != "" {
			cons, err := suite.Objects(filepath.Join(dir, test.Constraint))
			if err != nil {
				return nil, err
			}
			constraint = cons[0]
		}
		for _, tc := range test.Cases {
			if tc.Skip {
				continue
			}
			ok := suite.ExpectsNoViolation(tc)
			if (ok && (allowed != nil || !both)) || (!ok && violating != nil) {
				continue
			}
			in, err := suite.Case(filepath.Join(dir, tc.Object))
			if err != nil {
				return nil, err
			}
			if in.Request != nil && in.Request.Operation != admissionv1.Create {
				continue
			}
			var inventory []*unstructured.Unstructured
			for _, path := range tc.Inventory {
				objs, err := suite.Objects(filepath.Join(dir, path))
				if err != nil {
					return nil, err
				}
				inventory = append(inventory, objs...)
			}
			s := &subject{object: in.Object, constraint: constraint, inventory: inventory, allowed: ok, request: in.Request}
			if ok {
				s.name, allowed = benchfmt.SuiteAllowed, s
			} else {
				s.name, violating = benchfmt.SuiteViolating, s
			}
		}
	}
	if violating == nil || (both && allowed == nil) {
		return nil, fmt.Errorf("%s/suite.yaml: no allowed and violating CREATE cases to measure", dir)
	}
	if !both {
		return []*subject{violating}, nil
	}
	return []*subject{allowed, violating}, nil
}

// clients caches loaded clients: compiling a template costs far more than a
// review, and go test may call a benchmark function more than once.
var clients sync.Map

type clientKey struct {
	eng        engine.Engine
	template   *templatesv1.ConstraintTemplate
	constraint *unstructured.Unstructured
	inventory  *unstructured.Unstructured // first inventory object: identifies the set
}

func client(b *testing.B, eng engine.Engine, ct *templatesv1.ConstraintTemplate, s *subject) *engine.Client {
	b.Helper()
	key := clientKey{eng: eng, template: ct, constraint: s.constraint}
	if len(s.inventory) > 0 {
		key.inventory = s.inventory[0]
	}
	if c, ok := clients.Load(key); ok {
		return c.(*engine.Client)
	}
	c, err := engine.NewLoaded(context.Background(), eng, ct, []*unstructured.Unstructured{s.constraint}, s.inventory)
	if err != nil {
		b.Fatalf("%s: %v", eng, err)
	}
	clients.Store(key, c)
	return c
}

// review reviews a subject as the admission webhook does on CREATE (or as
// audit does).
func review(c *engine.Client, s *subject) ([]engine.Result, error) {
	if s.request != nil {
		return c.ReviewAdmissionRequest(context.Background(), s.request)
	}
	if s.audit {
		return c.ReviewRequest(context.Background(), engine.Request{Object: s.object, Namespace: s.namespace})
	}
	return c.ReviewRequest(context.Background(), engine.Request{Operation: admissionv1.Create, Object: s.object, Namespace: s.namespace})
}

// brokenRE matches what the engines report instead of a verdict when an
// expression fails or a constraint cannot be matched (see the harness).
var brokenRE = regexp.MustCompile(`resulted in error|failed expression|compilation failed|no such key|no matching overload|failed to evaluate|unable to match constraints`)

// outcome is what a review said.
type outcome struct {
	findings int // findings, CEL messages split back into theirs
}

// findings counts the findings of a review: CEL joins a rule's findings into
// one message, and cuts one too long for Kubernetes to its first finding and a
// count of the others. A message the driver dropped anyway (replaced by
// "failed expression: ...") is an error, as brokenRE says.
func findings(res []engine.Result) (outcome, error) {
	var o outcome
	for _, r := range res {
		if brokenRE.MatchString(r.Message) {
			return o, fmt.Errorf("evaluation error reported as a violation: %s", r.Message)
		}
		// Rego messages never contain the separator (the harness checks it).
		o.findings += render.CountFindings(r.Message)
	}
	return o, nil
}
