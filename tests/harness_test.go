package tests

import (
	"context"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
	templatesv1 "github.com/open-policy-agent/frameworks/constraint/pkg/apis/templates/v1"
	"github.com/open-policy-agent/frameworks/constraint/pkg/types"
	"github.com/open-policy-agent/gatekeeper/v3/pkg/gator/verify"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/gatewarden/gatewarden/internal/engine"
	"github.com/gatewarden/gatewarden/internal/policies"
	"github.com/gatewarden/gatewarden/internal/render"
	"github.com/gatewarden/gatewarden/internal/spec"
	"github.com/gatewarden/gatewarden/internal/suite"
)

// outcome is what one engine said about one case.
type outcome struct {
	results  []engine.Result
	findings []string // one entry per finding: CEL messages split on the separator
}

// caseRun is one case's outcomes by engine, with what the harness learned about it.
type caseRun struct {
	test      string
	name      string
	input     *suite.Input
	tc        *verify.Case
	expectNo  bool                         // the case asserts no violations
	inventory []*unstructured.Unstructured // the case's inventory (Namespaces for namespaceSelector, ...)
	byEngine  map[engine.Engine]outcome
}

// celErrorRE matches what the CEL driver reports instead of a verdict when an
// expression fails to compile or to evaluate: a broken policy, never a finding.
var celErrorRE = regexp.MustCompile(`resulted in error|failed expression|compilation failed|no such key|no matching overload|failed to evaluate`)

// autorejectRE matches what the framework reports, in either engine, when it cannot
// decide whether a constraint matches (e.g. a namespaceSelector without the
// Namespace in the inventory): a broken case, never a finding.
var autorejectRE = regexp.MustCompile(`unable to match constraints`)

func TestPolicies(t *testing.T) {
	all, err := policies.All()
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range all {
		t.Run(p.Key, func(t *testing.T) {
			t.Parallel()
			runs := runSuite(t, p, ".")
			if t.Failed() {
				return
			}
			checkCoverage(t, p, runs)
		})
	}
}

func enginesFor(ct *templatesv1.ConstraintTemplate) []engine.Engine {
	if engine.HasCode(ct, render.EngineCEL) {
		return []engine.Engine{engine.Rego, engine.CEL}
	}
	return []engine.Engine{engine.Rego}
}

// runSuite replays <root>/<key>/suite.yaml of a policy: every test's constraint
// is loaded on each engine (or refused, for a test marked invalid) and every
// case run by runCase.
func runSuite(t *testing.T, p *spec.Policy, root string) []*caseRun {
	ctx := context.Background()
	st, dir, err := suite.Load(root, p.Key)
	if err != nil {
		t.Fatalf("suite: %v", err)
	}
	if len(st.Tests) == 0 {
		t.Fatalf("%s/suite.yaml has no tests", dir)
	}
	var runs []*caseRun
	for _, test := range st.Tests {
		ct, err := suite.Template(filepath.Join(dir, test.Template))
		if err != nil {
			t.Fatalf("test %q: %v", test.Name, err)
		}
		if ct.Name != p.TemplateName() {
			t.Errorf("test %q: template %s is %q, not this policy's %q", test.Name, test.Template, ct.Name, p.TemplateName())
		}
		cons, err := suite.Objects(filepath.Join(dir, test.Constraint))
		if err != nil {
			t.Fatalf("test %q: %v", test.Name, err)
		}
		constraint := cons[0]
		for _, eng := range enginesFor(ct) {
			c := newClient(t, eng, ct)
			err := c.AddConstraint(ctx, constraint)
			if test.Invalid {
				if err == nil {
					t.Errorf("test %q (%s): constraint %s was accepted, but the suite says it is invalid", test.Name, eng, test.Constraint)
				}
				continue
			}
			if err != nil {
				t.Fatalf("test %q (%s): %v", test.Name, eng, err)
			}
		}
		if test.Invalid {
			continue
		}
		for _, tc := range test.Cases {
			run := runCase(t, p, dir, ct, constraint, test.Name, tc)
			if run != nil {
				runs = append(runs, run)
			}
		}
	}
	return runs
}

func newClient(t *testing.T, eng engine.Engine, ct *templatesv1.ConstraintTemplate) *engine.Client {
	t.Helper()
	c, err := engine.NewLoaded(context.Background(), eng, ct, nil, nil)
	if err != nil {
		t.Fatalf("%s: %v", eng, err)
	}
	return c
}

// clients caches a loaded client per engine, template and constraint: loading
// compiles the template, which costs far more than a review. Cases with an
// inventory get a fresh client, so no case sees another's data.
var clients sync.Map

type clientKey struct {
	eng        engine.Engine
	template   *templatesv1.ConstraintTemplate
	constraint *unstructured.Unstructured
}

func loadedClient(t *testing.T, eng engine.Engine, ct *templatesv1.ConstraintTemplate, constraint *unstructured.Unstructured, fresh bool) *engine.Client {
	t.Helper()
	key := clientKey{eng, ct, constraint}
	if !fresh {
		if c, ok := clients.Load(key); ok {
			return c.(*engine.Client)
		}
	}
	c, err := engine.NewLoaded(context.Background(), eng, ct, []*unstructured.Unstructured{constraint}, nil)
	if err != nil {
		t.Fatalf("%s: %v", eng, err)
	}
	if !fresh {
		clients.Store(key, c)
	}
	return c
}

// review runs one case on a client of one engine.
func review(t *testing.T, eng engine.Engine, ct *templatesv1.ConstraintTemplate, constraint *unstructured.Unstructured, in *suite.Input, inventory []*unstructured.Unstructured) outcome {
	t.Helper()
	ctx := context.Background()
	c := loadedClient(t, eng, ct, constraint, len(inventory) > 0)
	for _, o := range inventory {
		if err := c.AddData(ctx, o); err != nil {
			t.Fatalf("%s: %v", eng, err)
		}
	}
	var res []engine.Result
	var err error
	if in.Request != nil {
		res, err = c.ReviewAdmissionRequest(ctx, in.Request)
	} else {
		res, err = c.Review(ctx, in.Object)
	}
	if err != nil {
		t.Fatalf("%s: review: %v", eng, err)
	}
	out := outcome{results: res}
	for _, r := range res {
		if eng == engine.CEL {
			out.findings = append(out.findings, strings.Split(r.Message, render.FindingSeparator)...)
		} else {
			out.findings = append(out.findings, r.Message)
		}
	}
	// Rego's violation is a set: a finding stands once however many fields
	// repeat it. Compare CEL's findings the same way.
	sort.Strings(out.findings)
	out.findings = slices.Compact(out.findings)
	return out
}

func runCase(t *testing.T, p *spec.Policy, dir string, ct *templatesv1.ConstraintTemplate, constraint *unstructured.Unstructured, testName string, tc *verify.Case) *caseRun {
	t.Helper()
	label := testName + "/" + tc.Name
	if tc.Skip {
		t.Errorf("case %s is skipped: a skipped case proves nothing, delete it or fix it", label)
		return nil
	}
	in, err := suite.Case(filepath.Join(dir, tc.Object))
	if err != nil {
		t.Errorf("case %s: %v", label, err)
		return nil
	}
	var inventory []*unstructured.Unstructured
	for _, inv := range tc.Inventory {
		objs, err := suite.Objects(filepath.Join(dir, inv))
		if err != nil {
			t.Errorf("case %s: inventory: %v", label, err)
			return nil
		}
		inventory = append(inventory, objs...)
	}
	run := &caseRun{test: testName, name: tc.Name, tc: tc, input: in, expectNo: suite.ExpectsNoViolation(tc), inventory: inventory, byEngine: map[engine.Engine]outcome{}}
	for _, eng := range enginesFor(ct) {
		out := review(t, eng, ct, constraint, in, inventory)
		run.byEngine[eng] = out
		var results []*types.Result
		for _, r := range out.results {
			results = append(results, &types.Result{Msg: r.Message})
			if celErrorRE.MatchString(r.Message) {
				t.Errorf("case %s (%s): evaluation error reported as a violation: %s", label, eng, r.Message)
			}
			if autorejectRE.MatchString(r.Message) {
				t.Errorf("case %s (%s): the constraint could not be matched (add the Namespace to the case's inventory?): %s", label, eng, r.Message)
			}
			if eng == engine.Rego && strings.Contains(r.Message, render.FindingSeparator) {
				t.Errorf("case %s: message contains the finding separator %q: %s", label, render.FindingSeparator, r.Message)
			}
		}
		for i := range tc.Assertions {
			a := &tc.Assertions[i]
			if err := a.Run(results); err != nil {
				t.Errorf("case %s (%s): assertion %d: %v", label, eng, i, err)
			}
		}
		if eng == engine.Rego {
			checkMessages(t, p, label, in, out.results)
		}
	}
	if cel, ok := run.byEngine[engine.CEL]; ok {
		if diff := cmp.Diff(run.byEngine[engine.Rego].findings, cel.findings); diff != "" {
			t.Errorf("case %s: Rego and CEL disagree (-rego +cel):\n%s", label, diff)
		}
	}
	return run
}

// decided counts an outcome's findings, leaving out the framework's refusals to
// decide (autorejectRE): they prove nothing about a rule.
func decided(out outcome) int {
	n := 0
	for _, f := range out.findings {
		if !autorejectRE.MatchString(f) {
			n++
		}
	}
	return n
}

// checkMessages asserts what every violation message must carry: the object's
// name, and for pod-spec policies the field path.
func checkMessages(t *testing.T, p *spec.Policy, label string, in *suite.Input, results []engine.Result) {
	t.Helper()
	name := in.Object.GetName()
	for _, r := range results {
		if name != "" && !strings.Contains(r.Message, in.Object.GetKind()+"/"+name) {
			t.Errorf("case %s: message does not name the object %s/%s: %s", label, in.Object.GetKind(), name, r.Message)
		}
		if p.Scope != spec.ScopeObject && !strings.Contains(r.Message, "spec") {
			t.Errorf("case %s: message does not give the field path: %s", label, r.Message)
		}
		if r.Details == nil {
			t.Errorf("case %s: violation has no details: %s", label, r.Message)
		}
	}
}

// checkCoverage requires the cases every policy of its scope must have.
func checkCoverage(t *testing.T, p *spec.Policy, runs []*caseRun) {
	t.Helper()
	violating := func(r *caseRun) bool { return len(r.byEngine[engine.Rego].findings) > 0 }
	var allowed, updateKept, updateNew, workload bool
	fields := map[string]bool{}
	for _, r := range runs {
		if r.expectNo && r.input.Request == nil && !violating(r) {
			allowed = true
		}
		if r.input.Operation() == "UPDATE" {
			if r.input.Old == nil {
				t.Errorf("case %s/%s: an UPDATE case needs oldObject", r.test, r.name)
			}
			if violating(r) {
				updateNew = true
			} else {
				updateKept = true
			}
		}
		if violating(r) && r.input.Object.GetKind() != "Pod" && contains(spec.WorkloadKinds(), r.input.Object.GetKind()) {
			workload = true
		}
		for _, f := range r.byEngine[engine.Rego].findings {
			for _, field := range []string{"containers", "initContainers", "ephemeralContainers"} {
				if strings.Contains(f, "."+field+"[") {
					fields[field] = true
				}
			}
		}
	}
	if !allowed {
		t.Errorf("no allowed case: add a case that asserts no violations on a compliant object")
	}
	if !updateKept {
		t.Errorf("no UPDATE case where the old object already had the violation (it must not be reported)")
	}
	if !updateNew {
		t.Errorf("no UPDATE case that adds a violation (it must be reported)")
	}
	if matchesWorkloads(p) && !workload {
		t.Errorf("no violating case on a workload kind (Deployment, CronJob, ...): only Pods are proven")
	}
	if p.Scope == spec.ScopeContainer {
		for _, field := range []string{"containers", "initContainers", "ephemeralContainers"} {
			if !fields[field] {
				t.Errorf("no case flags a container in %s", field)
			}
		}
		checkExemptCase(t, p, runs)
	}
	checkRules(t, p, runs)
}

func matchesWorkloads(p *spec.Policy) bool {
	for _, gk := range p.Match.Kinds {
		if contains(gk.Kinds, "Deployment") {
			return true
		}
	}
	return false
}

func contains(ss []string, s string) bool {
	for _, x := range ss {
		if x == s {
			return true
		}
	}
	return false
}

// checkExemptCase requires a test whose constraint exempts an image and a case
// in it that passes only because of that exemption.
func checkExemptCase(t *testing.T, p *spec.Policy, runs []*caseRun) {
	t.Helper()
	st, dir, _ := suite.Load(".", p.Key)
	def, err := render.Constraint(p)
	if err != nil {
		t.Fatal(err)
	}
	ct, err := render.Template(p)
	if err != nil {
		t.Fatal(err)
	}
	for _, test := range st.Tests {
		cons, err := suite.Objects(filepath.Join(dir, test.Constraint))
		if err != nil || test.Invalid {
			continue
		}
		exempt, _, _ := unstructured.NestedStringSlice(cons[0].Object, "spec", "parameters", "exemptImages")
		if len(exempt) == 0 {
			continue
		}
		for _, r := range runs {
			if r.test != test.Name || !r.expectNo {
				continue
			}
			if decided(review(t, engine.Rego, ct, def, r.input, r.inventory)) > 0 {
				return
			}
		}
	}
	t.Errorf("no exempt-image case: add a test whose constraint sets exemptImages, with a case that the default constraint flags and the exemption admits")
}

// checkRules requires, for each CEL rule, a case that this rule alone flags
// (proved by evaluating a copy of the template that keeps only that rule).
func checkRules(t *testing.T, p *spec.Policy, runs []*caseRun) {
	t.Helper()
	if p.CEL == "" {
		for _, r := range runs {
			if len(r.byEngine[engine.Rego].findings) > 0 {
				return
			}
		}
		t.Errorf("no disallowed case")
		return
	}
	src, err := spec.ParseCEL(p.CEL)
	if err != nil {
		t.Fatal(err)
	}
	ct, err := render.Template(p)
	if err != nil {
		t.Fatal(err)
	}
	def, err := render.Constraint(p)
	if err != nil {
		t.Fatal(err)
	}
	for i, rule := range src.Rules {
		only := onlyRule(ct, i)
		covered := false
		for _, r := range runs {
			if len(r.byEngine[engine.Rego].findings) == 0 {
				continue
			}
			if decided(review(t, engine.CEL, only, def, r.input, r.inventory)) > 0 {
				covered = true
				break
			}
		}
		if !covered {
			t.Errorf("no disallowed case for rule %q: add a case that this rule flags", rule.Name)
		}
	}
}

// onlyRule copies a template keeping only the i-th CEL validation.
func onlyRule(ct *templatesv1.ConstraintTemplate, i int) *templatesv1.ConstraintTemplate {
	out := ct.DeepCopy()
	for ti := range out.Spec.Targets {
		for ci := range out.Spec.Targets[ti].Code {
			code := &out.Spec.Targets[ti].Code[ci]
			if code.Engine != render.EngineCEL {
				continue
			}
			src := code.Source.Value.(map[string]any)
			vals := src["validations"].([]any)
			src["validations"] = []any{vals[i]}
		}
	}
	return out
}
