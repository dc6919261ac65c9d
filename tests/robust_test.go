package tests

import (
	"context"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"regexp"
	"runtime"
	"sort"
	"strings"
	"sync"
	"testing"

	admissionv1 "k8s.io/api/admission/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"sigs.k8s.io/yaml"

	"github.com/gatewarden/gatewarden/internal/check"
	"github.com/gatewarden/gatewarden/internal/engine"
	"github.com/gatewarden/gatewarden/internal/policies"
	"github.com/gatewarden/gatewarden/internal/render"
	"github.com/gatewarden/gatewarden/internal/spec"
	"github.com/gatewarden/gatewarden/internal/suite"
)

// Evaluation never errors. Whatever a manifest or an admission request holds
// (fields missing, null, of the wrong type, empty, huge, deeply nested, odd
// strings), every policy on both engines must come to a verdict: an evaluation
// error is a refusal nobody can explain (the webhook fails closed) or, in audit
// and `gatewarden check`, an object nobody looked at. The objects below start from
// the suites' valid objects of every kind a policy matches and are broken by a
// seeded mutator; TestPoliciesNeverError runs a fixed sample in `go test ./...`,
// FuzzPolicies explores further:
//
//	go test ./tests -run '^$' -fuzz FuzzPolicies -fuzztime 10m

// evalErrorRE matches what an engine reports instead of a verdict: the CEL
// driver turns an evaluation error, a failed messageExpression and an exhausted
// cost budget into a violation with one of these messages (see celErrorRE), the
// Rego driver fails the review on a conflict, and the framework refuses to
// decide when it cannot match a constraint.
var evalErrorRE = regexp.MustCompile(celErrorRE.String() +
	`|fails to evaluate|fails to compile|cost budget|runtime cost could not|failed to prepare|unexpected internal error` +
	`|eval_conflict_error|multiple outputs|eval_type_error|eval_builtin_error|` + autorejectRE.String())

// robustEnv holds the clients every review of this file shares: loading the
// library costs seconds, a review milliseconds.
type robustEnv struct {
	clients  map[engine.Engine]*engine.Client
	lib      *check.Library
	inv      []*unstructured.Unstructured
	kinds    []schema.GroupKind // every kind some policy matches, sorted
	versions map[schema.GroupKind]string
	seeds    map[schema.GroupKind][]map[string]any
	byKind   map[schema.GroupKind][]*spec.Policy
	vocab    []string // map keys seen in the seeds, for fields a seed lacks

	singles sync.Map // singleKey -> *engine.Client with one policy, to name a review error's culprit
}

type singleKey struct {
	eng engine.Engine
	key string
}

var robust struct {
	once sync.Once
	env  *robustEnv
	err  error
}

// robustEnvironment builds the shared clients once per process.
func robustEnvironment(t testing.TB) *robustEnv {
	t.Helper()
	robust.once.Do(func() { robust.env, robust.err = newRobustEnv() })
	if robust.err != nil {
		t.Fatal(robust.err)
	}
	return robust.env
}

// robustSeed fixes the junk of the inventory, so every process loads the same.
const robustSeed = 20260701

func newRobustEnv() (*robustEnv, error) {
	env := &robustEnv{
		clients:  map[engine.Engine]*engine.Client{},
		versions: map[schema.GroupKind]string{},
		seeds:    map[schema.GroupKind][]map[string]any{},
		byKind:   map[schema.GroupKind][]*spec.Policy{},
	}
	all := policies.MustAll()
	lib, err := robustLibrary(all)
	if err != nil {
		return nil, err
	}
	env.lib = lib
	for _, p := range all {
		for _, gk := range p.Match.Kinds {
			for _, g := range gk.APIGroups {
				for _, k := range gk.Kinds {
					kind := schema.GroupKind{Group: g, Kind: k}
					if _, ok := env.byKind[kind]; !ok {
						env.kinds = append(env.kinds, kind)
					}
					env.byKind[kind] = append(env.byKind[kind], p)
				}
			}
		}
	}
	sort.Slice(env.kinds, func(i, j int) bool { return env.kinds[i].String() < env.kinds[j].String() })
	if err := env.loadSeeds(); err != nil {
		return nil, err
	}
	// The inventory: every object the suites keep there, and broken copies of
	// them, since cluster state (a VulnerabilityReport, say) is no better formed
	// than a manifest.
	inv, err := suiteInventory()
	if err != nil {
		return nil, err
	}
	m := &mutator{c: &chooser{r: rand.New(rand.NewPCG(robustSeed, 1))}, vocab: env.vocab, huge: 20}
	n := len(inv)
	for i := 0; i < n; i++ {
		if inv[i].GetKind() == "Namespace" {
			continue // Gatekeeper caches Namespaces as typed objects: they are well formed
		}
		junk := deepCopy(inv[i].Object).(map[string]any)
		m.mutate(junk, 1+m.c.IntN(3))
		// The metadata says where the object is kept in the inventory.
		junk["apiVersion"], junk["kind"] = inv[i].GetAPIVersion(), inv[i].GetKind()
		junk["metadata"] = deepCopy(inv[i].Object["metadata"])
		u := &unstructured.Unstructured{Object: junk}
		u.SetName(fmt.Sprintf("junk-%d", i))
		inv = append(inv, u)
	}
	env.inv = inv
	for _, eng := range []engine.Engine{engine.Rego, engine.CEL} {
		c, err := engine.New(eng)
		if err != nil {
			return nil, err
		}
		if _, err := check.Load(context.Background(), c, lib); err != nil {
			return nil, fmt.Errorf("%s: %w", eng, err)
		}
		if eng == engine.Rego {
			for _, o := range inv {
				if err := c.AddData(context.Background(), o); err != nil {
					return nil, err
				}
			}
		}
		env.clients[eng] = c
	}
	return env, nil
}

// robustLibrary is every template with its default constraint and the
// constraints of its suite, so that parameters (exemptImages, allow-lists,
// ranges) take part too.
func robustLibrary(all []*spec.Policy) (*check.Library, error) {
	lib := &check.Library{}
	for _, p := range all {
		ct, err := render.Template(p)
		if err != nil {
			return nil, err
		}
		lib.Templates = append(lib.Templates, ct)
		def, err := render.Constraint(p)
		if err != nil {
			return nil, err
		}
		lib.Constraints = append(lib.Constraints, def)
		st, dir, err := suite.Load(".", p.Key)
		if err != nil {
			return nil, err
		}
		seen := map[string]bool{def.GetName(): true}
		for _, test := range st.Tests {
			if test.Invalid || seen[test.Constraint] {
				continue
			}
			seen[test.Constraint] = true
			cons, err := suite.Objects(filepath.Join(dir, test.Constraint))
			if err != nil {
				return nil, err
			}
			c := cons[0].DeepCopy()
			c.SetName(fmt.Sprintf("suite-%d", len(seen)))
			lib.Constraints = append(lib.Constraints, c)
		}
	}
	return lib, nil
}

// suiteInventory reads every inventory file of the suites.
func suiteInventory() ([]*unstructured.Unstructured, error) {
	files, err := filepath.Glob("*/inventory/*.yaml")
	if err != nil {
		return nil, err
	}
	more, _ := filepath.Glob("*/*/inventory/*.yaml")
	var out []*unstructured.Unstructured
	seen := map[string]bool{}
	for _, f := range append(files, more...) {
		objs, err := suite.Objects(f)
		if err != nil {
			return nil, err
		}
		for _, o := range objs {
			id := o.GroupVersionKind().String() + "/" + o.GetNamespace() + "/" + o.GetName()
			if !seen[id] {
				seen[id] = true
				out = append(out, o)
			}
		}
	}
	return out, nil
}

// loadSeeds collects the objects of every case of the suites, the bypass and
// false-positive corpora by kind, and gives every workload kind the pod specs
// of every seed that has one, so each kind starts from the richest objects.
func (env *robustEnv) loadSeeds() error {
	var files []string
	for _, pattern := range []string{"*/cases/*.yaml", "*/*/cases/*.yaml"} {
		f, err := filepath.Glob(pattern)
		if err != nil {
			return err
		}
		files = append(files, f...)
	}
	sort.Strings(files)
	vocab := map[string]bool{}
	var podSpecs []any
	for _, f := range files {
		in, err := suite.Case(f)
		if err != nil {
			return err
		}
		for _, o := range []*unstructured.Unstructured{in.Object, in.Old} {
			if o == nil {
				continue
			}
			gk := o.GroupVersionKind().GroupKind()
			if _, ok := env.byKind[gk]; !ok {
				continue
			}
			env.versions[gk] = o.GroupVersionKind().Version
			obj := deepCopy(o.Object).(map[string]any)
			env.seeds[gk] = append(env.seeds[gk], obj)
			collectKeys(obj, vocab)
			if ps, ok := podSpecOf(obj); ok {
				podSpecs = append(podSpecs, ps)
			}
		}
	}
	for k := range vocab {
		env.vocab = append(env.vocab, k)
	}
	sort.Strings(env.vocab)
	defaultGroupVersions := map[string]string{"autoscaling": "v2", "policy": "v1"}
	for _, gk := range env.kinds {
		if _, ok := env.versions[gk]; !ok {
			env.versions[gk] = "v1"
			if v, ok := defaultGroupVersions[gk.Group]; ok {
				env.versions[gk] = v
			}
		}
		apiVersion := schema.GroupVersion{Group: gk.Group, Version: env.versions[gk]}.String()
		if isWorkloadKind(gk.Kind) {
			for i, ps := range podSpecs {
				env.seeds[gk] = append(env.seeds[gk], wrapPodSpec(apiVersion, gk.Kind, fmt.Sprintf("wrapped-%d", i), ps))
			}
		}
		// A bare object of the kind, for kinds no case holds.
		env.seeds[gk] = append(env.seeds[gk], map[string]any{
			"apiVersion": apiVersion, "kind": gk.Kind,
			"metadata": map[string]any{"name": "bare", "namespace": "shop"},
		})
	}
	return nil
}

func isWorkloadKind(kind string) bool { return contains(spec.WorkloadKinds(), kind) }

// podSpecOf is the pod spec of a workload object, as lib.workload finds it.
func podSpecOf(obj map[string]any) (any, bool) {
	var path []string
	switch obj["kind"] {
	case "Pod":
		path = []string{"spec"}
	case "CronJob":
		path = []string{"spec", "jobTemplate", "spec", "template", "spec"}
	case "DaemonSet", "Deployment", "Job", "ReplicaSet", "ReplicationController", "StatefulSet":
		path = []string{"spec", "template", "spec"}
	default:
		return nil, false
	}
	v, found, err := unstructured.NestedFieldNoCopy(obj, path...)
	if !found || err != nil {
		return nil, false
	}
	return v, true
}

// wrapPodSpec makes an object of a workload kind around a pod spec.
func wrapPodSpec(apiVersion, kind, name string, podSpec any) map[string]any {
	meta := map[string]any{"name": name, "namespace": "shop"}
	ps := deepCopy(podSpec)
	template := map[string]any{"metadata": map[string]any{"labels": map[string]any{"app": name}}, "spec": ps}
	obj := map[string]any{"apiVersion": apiVersion, "kind": kind, "metadata": meta}
	switch kind {
	case "Pod":
		obj["spec"] = ps
	case "CronJob":
		obj["spec"] = map[string]any{"schedule": "@daily", "jobTemplate": map[string]any{"spec": map[string]any{"template": template}}}
	default:
		obj["spec"] = map[string]any{"selector": map[string]any{"matchLabels": map[string]any{"app": name}}, "template": template}
	}
	return obj
}

// robustCase is one generated review.
type robustCase struct {
	label string
	req   engine.Request
}

// generate makes a broken object of kind gk, and picks the operation: audit,
// CREATE, or UPDATE with an old object broken in its own way.
func (env *robustEnv) generate(c *chooser, gk schema.GroupKind, huge int) robustCase {
	m := &mutator{c: c, vocab: env.vocab, huge: huge}
	seeds := env.seeds[gk]
	seed := seeds[c.IntN(len(seeds))]
	obj := deepCopy(seed).(map[string]any)
	if u := (&unstructured.Unstructured{Object: obj}); u.GetNamespace() != "" && contains(spec.SystemNamespaces, u.GetNamespace()) {
		u.SetNamespace("shop") // excluded namespaces are not reviewed
	}
	n := 1 + c.IntN(3)
	if c.chance(20) {
		n += c.IntN(8)
	}
	did := m.mutate(obj, n)
	u := &unstructured.Unstructured{Object: obj}
	req := engine.Request{Object: u, Namespace: namespaceFor(u)}
	label := fmt.Sprintf("%s (%s)", gk.Kind, strings.Join(did, "; "))
	switch c.IntN(3) {
	case 0:
		label = "audit of " + label
	case 1:
		req.Operation = admissionv1.Create
		label = "CREATE of " + label
	default:
		req.Operation = admissionv1.Update
		var old map[string]any
		if c.chance(50) {
			old = deepCopy(obj).(map[string]any)
		} else {
			old = deepCopy(seed).(map[string]any)
			(&unstructured.Unstructured{Object: old}).SetNamespace(u.GetNamespace())
		}
		oldDid := m.mutate(old, 1+c.IntN(3))
		req.OldObject = &unstructured.Unstructured{Object: old}
		label = fmt.Sprintf("UPDATE of %s, old object: %s", label, strings.Join(oldDid, "; "))
	}
	return robustCase{label: label, req: req}
}

// namespaceFor is the Namespace the webhook would hand the framework: labelled
// so that namespaceSelector constraints (runtime-class) apply.
func namespaceFor(u *unstructured.Unstructured) *corev1.Namespace {
	ns := u.GetNamespace()
	if ns == "" {
		return nil
	}
	return &corev1.Namespace{
		TypeMeta:   metav1.TypeMeta{APIVersion: "v1", Kind: "Namespace"},
		ObjectMeta: metav1.ObjectMeta{Name: ns, Labels: map[string]string{"kubernetes.io/metadata.name": ns, "gatewarden.dev/sandbox": "true"}},
	}
}

// evalFailure is one policy that did not come to a verdict.
type evalFailure struct {
	policy, engine, message string
}

func (f evalFailure) String() string {
	return fmt.Sprintf("%s on %s: %s", f.policy, f.engine, shorten(f.message, 400))
}

// review runs a case on both engines and returns every evaluation error.
func (env *robustEnv) review(rc robustCase) []evalFailure {
	var out []evalFailure
	for _, eng := range []engine.Engine{engine.Rego, engine.CEL} {
		out = append(out, env.reviewOn(env.clients[eng], eng, "", rc.req)...)
	}
	return out
}

func (env *robustEnv) reviewOn(c *engine.Client, eng engine.Engine, policy string, req engine.Request) (out []evalFailure) {
	who := policy
	if who == "" {
		who = "a policy"
	}
	defer func() {
		if r := recover(); r != nil {
			buf := make([]byte, 8<<10)
			buf = buf[:runtime.Stack(buf, false)]
			out = append(out, evalFailure{who, string(eng), fmt.Sprintf("panic: %v\n%s", r, buf)})
		}
	}()
	res, err := c.ReviewRequest(context.Background(), req)
	if err != nil {
		if policy == "" {
			if culprits := env.culprits(eng, req); len(culprits) > 0 {
				return culprits
			}
		}
		return append(out, evalFailure{who, string(eng), "review failed: " + err.Error()})
	}
	for _, r := range res {
		if evalErrorRE.MatchString(r.Message) {
			out = append(out, evalFailure{r.ConstraintKind, string(eng), r.Message})
		}
	}
	return out
}

// culprits names the policies whose review fails, one client per policy: a
// failed review says what failed, not always in which template.
func (env *robustEnv) culprits(eng engine.Engine, req engine.Request) []evalFailure {
	var out []evalFailure
	for _, p := range env.byKind[req.Object.GroupVersionKind().GroupKind()] {
		if eng == engine.CEL && !p.Native() {
			continue
		}
		c, err := env.single(eng, p)
		if err != nil {
			out = append(out, evalFailure{p.Kind, string(eng), err.Error()})
			continue
		}
		out = append(out, env.reviewOn(c, eng, p.Kind, req)...)
	}
	return out
}

func (env *robustEnv) single(eng engine.Engine, p *spec.Policy) (*engine.Client, error) {
	key := singleKey{eng, p.Key}
	if c, ok := env.singles.Load(key); ok {
		return c.(*engine.Client), nil
	}
	lib := &check.Library{}
	for i, ct := range env.lib.Templates {
		if ct.Spec.CRD.Spec.Names.Kind == p.Kind {
			lib.Templates = append(lib.Templates, env.lib.Templates[i])
		}
	}
	for _, c := range env.lib.Constraints {
		if c.GetKind() == p.Kind {
			lib.Constraints = append(lib.Constraints, c)
		}
	}
	c, err := engine.New(eng)
	if err != nil {
		return nil, err
	}
	if _, err := check.Load(context.Background(), c, lib); err != nil {
		return nil, err
	}
	if eng == engine.Rego {
		for _, o := range env.inv {
			if err := c.AddData(context.Background(), o); err != nil {
				return nil, err
			}
		}
	}
	env.singles.Store(key, c)
	return c, nil
}

// report describes failures with the object that caused them.
func (rc robustCase) report(failures []evalFailure) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s:\n", rc.label)
	for _, f := range failures {
		fmt.Fprintf(&b, "  %s\n", f)
	}
	fmt.Fprintf(&b, "  object:\n%s", indent(shortYAML(rc.req.Object.Object), "    "))
	if rc.req.OldObject != nil {
		fmt.Fprintf(&b, "  oldObject:\n%s", indent(shortYAML(rc.req.OldObject.Object), "    "))
	}
	return b.String()
}

// shortYAML renders an object for a failure report with long strings, lists and
// maps cut, so a 10,000-container pod still fits on a screen.
func shortYAML(obj map[string]any) string {
	var cut func(v any, depth int) any
	cut = func(v any, depth int) any {
		if depth > 12 {
			return "<deeper>"
		}
		switch x := v.(type) {
		case map[string]any:
			out := map[string]any{}
			keys := make([]string, 0, len(x))
			for k := range x {
				keys = append(keys, k)
			}
			sort.Strings(keys)
			for i, k := range keys {
				if i == 12 {
					out["<more keys>"] = len(keys) - i
					break
				}
				out[shorten(k, 60)] = cut(x[k], depth+1)
			}
			return out
		case []any:
			var out []any
			for i, e := range x {
				if i == 4 {
					out = append(out, fmt.Sprintf("<%d more>", len(x)-i))
					break
				}
				out = append(out, cut(e, depth+1))
			}
			if x != nil && out == nil {
				out = []any{}
			}
			return out
		case string:
			return shorten(x, 80)
		default:
			return v
		}
	}
	y, err := yaml.Marshal(cut(obj, 0))
	if err != nil {
		return fmt.Sprintf("<%v>\n", err)
	}
	return shorten(string(y), 6000) + "\n"
}

func shorten(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return fmt.Sprintf("%s...<%d bytes>", s[:n], len(s))
}

func indent(s, prefix string) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	return prefix + strings.Join(lines, "\n"+prefix) + "\n"
}

// robustCasesPerKind is how many broken objects of each kind the seeded test
// reviews; workload kinds, which most policies match, get more.
const (
	robustCasesPerKind     = 4
	robustCasesPerWorkload = 12
)

// A fixed sample of broken objects, every kind some policy matches, with every
// policy of the library (default and suite constraints) on both engines, in
// audit, on CREATE and on UPDATE: no evaluation error. The first reports show
// each failing policy, engine and object; then a count by policy and engine.
func TestPoliciesNeverError(t *testing.T) {
	env := robustEnvironment(t)
	var cases []robustCase
	c := &chooser{r: rand.New(rand.NewPCG(robustSeed, robustSeed))}
	for _, gk := range env.kinds {
		n := robustCasesPerKind
		if isWorkloadKind(gk.Kind) {
			n = robustCasesPerWorkload
		}
		for i := 0; i < n; i++ {
			cases = append(cases, env.generate(c, gk, manyContainers))
		}
	}
	reports := make([]string, len(cases))
	byPolicy := map[string]int{}
	var mu sync.Mutex
	jobs := make(chan int)
	var wg sync.WaitGroup
	for w := 0; w < max(2, runtime.GOMAXPROCS(0)); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range jobs {
				failures := env.review(cases[i])
				if len(failures) == 0 {
					continue
				}
				reports[i] = cases[i].report(failures)
				mu.Lock()
				for _, f := range failures {
					byPolicy[f.policy+" on "+f.engine]++
				}
				mu.Unlock()
			}
		}()
	}
	for i := range cases {
		jobs <- i
	}
	close(jobs)
	wg.Wait()
	shown := 0
	for _, r := range reports {
		if r != "" && shown < 10 {
			shown++
			t.Errorf("evaluation error on %s", r)
		}
	}
	if len(byPolicy) > 0 {
		var lines []string
		for k, n := range byPolicy {
			lines = append(lines, fmt.Sprintf("  %s: %d", k, n))
		}
		sort.Strings(lines)
		t.Errorf("evaluation errors of %d broken objects, by policy and engine:\n%s", len(cases), strings.Join(lines, "\n"))
	}
	t.Logf("%d broken objects of %d kinds reviewed by every policy that matches them, on both engines", len(cases), len(env.kinds))
}

// hugeContainers is the container count of the one huge pod: far beyond any
// real workload.
const hugeContainers = 10000

// A pod of 10,000 containers, every policy of the library with its default
// constraint: Rego judges it without an error. CEL cannot, within the cost budget
// of Gatekeeper's driver (nor of the API server), judge so many containers: every
// container policy runs out of budget, which Gatekeeper reports as a violation
// and the API server as a refusal, failing closed either way. That is the one
// error allowed here.
func TestPoliciesNeverErrorOnHugePod(t *testing.T) {
	if testing.Short() {
		t.Skip("reviews a pod of 10,000 containers with every policy on both engines (half a minute)")
	}
	lib, err := check.BuiltIn(policies.MustAll(), "")
	if err != nil {
		t.Fatal(err)
	}
	pod := hugePod(hugeContainers)
	req := engine.Request{Operation: admissionv1.Create, Object: pod, Namespace: namespaceFor(pod)}
	var wg sync.WaitGroup
	for _, eng := range []engine.Engine{engine.Rego, engine.CEL} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c, err := engine.New(eng)
			if err == nil {
				_, err = check.Load(context.Background(), c, lib)
			}
			if err != nil {
				t.Error(err)
				return
			}
			var outOfBudget []string
			// A review error names no policy here: the library has one client.
			for _, f := range (&robustEnv{}).reviewOn(c, eng, "", req) {
				if eng == engine.CEL && strings.Contains(f.message, "running out of cost budget") {
					outOfBudget = append(outOfBudget, f.policy)
					continue
				}
				t.Errorf("a pod of %d containers: %s", hugeContainers, f)
			}
			if len(outOfBudget) > 0 {
				sort.Strings(outOfBudget)
				t.Logf("a pod of %d containers: %d policies run out of CEL cost budget (refused, failing closed): %s", hugeContainers, len(outOfBudget), strings.Join(outOfBudget, ", "))
			}
		}()
	}
	wg.Wait()
}

// hugePod is a compliant pod of n containers, each as short as the policies
// allow: the review's time goes into the containers, not into findings.
func hugePod(n int) *unstructured.Unstructured {
	containers := make([]any, n)
	for i := range containers {
		containers[i] = map[string]any{
			"name":            fmt.Sprintf("c%d", i),
			"image":           "registry.example.com/shop/app@sha256:" + strings.Repeat("ab", 32),
			"imagePullPolicy": "Always",
			"resources": map[string]any{
				"requests": map[string]any{"cpu": "10m", "memory": "16Mi"},
				"limits":   map[string]any{"cpu": "100m", "memory": "64Mi"},
			},
			"securityContext": map[string]any{
				"allowPrivilegeEscalation": false, "readOnlyRootFilesystem": true, "runAsNonRoot": true,
				"capabilities": map[string]any{"drop": []any{"ALL"}},
			},
		}
	}
	return &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": "v1", "kind": "Pod",
		"metadata": map[string]any{"name": "huge", "namespace": "shop",
			"labels": map[string]any{"owner": "shop-team"}, "annotations": map[string]any{"kubernetes.io/description": "huge"}},
		"spec": map[string]any{
			"containers": containers, "serviceAccountName": "shop", "automountServiceAccountToken": false, "runtimeClassName": "gvisor",
			"securityContext": map[string]any{"seccompProfile": map[string]any{"type": "RuntimeDefault"}},
		},
	}}
}

// FuzzPolicies breaks objects of every kind a policy matches as the fuzzer's
// bytes say (then as the seed says), and fails on any evaluation error:
//
//	go test ./tests -run '^$' -fuzz FuzzPolicies -fuzztime 10m
func FuzzPolicies(f *testing.F) {
	env := robustEnvironment(f)
	f.Add(uint64(1), uint8(0), []byte{})
	f.Add(uint64(robustSeed), uint8(7), []byte{35, 1, 2, 3})
	f.Add(uint64(42), uint8(12), []byte{0, 0, 0, 9, 9, 9})
	f.Fuzz(func(t *testing.T, seed uint64, kind uint8, choices []byte) {
		gk := env.kinds[int(kind)%len(env.kinds)]
		c := &chooser{data: choices, r: rand.New(rand.NewPCG(seed, uint64(kind)))}
		rc := env.generate(c, gk, manyContainers)
		if failures := env.review(rc); len(failures) > 0 {
			t.Errorf("evaluation error on %s", rc.report(failures))
		}
	})
}
