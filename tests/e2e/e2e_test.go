//go:build e2e

// Package e2e proves the library on a real kube-apiserver with a real
// Gatekeeper: it deploys what `kustomize build .` emits exactly as README says,
// then replays every policy's suite cases against the API and checks that
// Gatekeeper denies, warns and audits what the suites say.
//
// Run it with `make e2e`, which builds the binaries and runs this suite in a
// private network namespace.
package e2e

import (
	"context"
	"encoding/base64"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/open-policy-agent/gatekeeper/v3/pkg/gator/verify"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/client-go/discovery"
	"k8s.io/client-go/discovery/cached/memory"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/restmapper"
	"k8s.io/client-go/tools/clientcmd"

	"github.com/gatewarden/gatewarden/internal/policies"
	"github.com/gatewarden/gatewarden/internal/spec"
	"github.com/gatewarden/gatewarden/internal/suite"
)

const repoRoot = "../.."

var (
	theCluster *cluster
	dyn        dynamic.Interface
	mapper     meta.RESTMapper
	warnings   = &warningRecorder{}
	passed     atomic.Int64
	failed     atomic.Int64
	skipped    atomic.Int64
)

func b64(b []byte) string { return base64.StdEncoding.EncodeToString(b) }

type warningRecorder struct {
	mu   sync.Mutex
	msgs []string
}

func (w *warningRecorder) HandleWarningHeader(_ int, _ string, text string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.msgs = append(w.msgs, text)
}

func (w *warningRecorder) take() []string {
	w.mu.Lock()
	defer w.mu.Unlock()
	out := w.msgs
	w.msgs = nil
	return out
}

func TestMain(m *testing.M) {
	flag.Parse()
	bin := os.Getenv("GATEWARDEN_E2E_BIN")
	manifest := os.Getenv("GATEWARDEN_E2E_GATEKEEPER_MANIFEST")
	if bin == "" || manifest == "" {
		fmt.Println("e2e: set GATEWARDEN_E2E_BIN and GATEWARDEN_E2E_GATEKEEPER_MANIFEST (make e2e does)")
		os.Exit(2)
	}
	dir, err := os.MkdirTemp("", "gatewarden-e2e-")
	if err != nil {
		fmt.Println(err)
		os.Exit(2)
	}
	theCluster = newCluster(bin, dir)
	code := func() int {
		defer theCluster.stop()
		ctx, cancel := context.WithTimeout(context.Background(), 60*time.Minute)
		defer cancel()
		if err := setup(ctx, manifest); err != nil {
			fmt.Println("e2e setup:", err)
			fmt.Println("logs in", dir)
			return 2
		}
		return m.Run()
	}()
	fmt.Printf("e2e: %d passed, %d failed, %d skipped\n", passed.Load(), failed.Load(), skipped.Load())
	fmt.Printf("%d passed, %d failed\n", passed.Load(), failed.Load())
	if code == 0 {
		os.RemoveAll(dir)
	} else {
		fmt.Println("logs in", dir)
	}
	os.Exit(code)
}

func setup(ctx context.Context, manifest string) error {
	c := theCluster
	step := func(s string) { fmt.Printf("e2e: %s (%s)\n", s, time.Now().Format("15:04:05")) }
	step("starting etcd and kube-apiserver")
	if err := c.up(ctx); err != nil {
		return err
	}
	cfg, err := clientcmd.BuildConfigFromFlags("", c.kubeconfig)
	if err != nil {
		return err
	}
	cfg.WarningHandler = warnings
	cfg.QPS, cfg.Burst = 200, 400
	if dyn, err = dynamic.NewForConfig(cfg); err != nil {
		return err
	}
	dc, err := discovery.NewDiscoveryClientForConfig(cfg)
	if err != nil {
		return err
	}
	cached := memory.NewMemCacheClient(dc)
	mapper = restmapper.NewDeferredDiscoveryRESTMapper(cached)
	resetMapper = cached.Invalidate

	step("creating the RuntimeClasses the cases name")
	if err := runtimeClasses(ctx); err != nil {
		return err
	}
	step("creating a violating pod before any policy exists (for audit)")
	if err := ensureNamespace(ctx, "audit-e2e", false); err != nil {
		return err
	}
	if _, err := createObject(ctx, preexisting(), false); err != nil {
		return fmt.Errorf("pre-existing pod: %w", err)
	}

	step("installing Gatekeeper")
	if err := c.gatekeeper(ctx, manifest); err != nil {
		return err
	}
	resetMapper()

	step("deploying the library as README says")
	if out, err := c.kubectl(ctx, "apply", "-k", filepath.Join(repoRoot, "templates")); err != nil {
		return fmt.Errorf("kubectl apply -k templates/: %w\n%s", err, out)
	}
	if out, err := c.kubectl(ctx, "wait", "--for=jsonpath={.status.created}=true", "constrainttemplates",
		"-l", "app.kubernetes.io/managed-by=gatewarden", "--timeout=180s"); err != nil {
		return fmt.Errorf("waiting for templates: %w\n%s", err, out)
	}
	if out, err := c.kubectl(ctx, "apply", "-k", repoRoot); err != nil {
		return fmt.Errorf("kubectl apply -k .: %w\n%s", err, out)
	}
	resetMapper()
	step("waiting until every constraint is enforced")
	if err := waitEnforced(ctx, 4*time.Minute); err != nil {
		return err
	}
	step("ready")
	return nil
}

var resetMapper func()

func preexisting() *unstructured.Unstructured {
	return &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": "v1", "kind": "Pod",
		"metadata": map[string]any{"name": "admitted-before-policies", "namespace": "audit-e2e"},
		"spec": map[string]any{
			"automountServiceAccountToken": false,
			"containers": []any{map[string]any{"name": "app", "image": "registry.example.com/shop/app:1.0.0",
				"securityContext": map[string]any{"privileged": true}}},
		},
	}}
}

// waitEnforced waits until Gatekeeper reports every default constraint enforced.
func waitEnforced(ctx context.Context, timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	var pending []string
	for time.Now().Before(deadline) {
		pending = pending[:0]
		for _, p := range policies.MustAll() {
			u, err := getConstraint(ctx, p)
			if err != nil {
				pending = append(pending, p.Kind+": "+err.Error())
				continue
			}
			byPod, _, _ := unstructured.NestedSlice(u.Object, "status", "byPod")
			enforced := false
			for _, bp := range byPod {
				if m, ok := bp.(map[string]any); ok && m["enforced"] == true {
					enforced = true
				}
			}
			if !enforced {
				pending = append(pending, p.Kind)
			}
		}
		if len(pending) == 0 {
			return nil
		}
		resetMapper()
		time.Sleep(2 * time.Second)
	}
	return fmt.Errorf("constraints not enforced after %s: %v\n%s", timeout, pending, tail(filepath.Join(theCluster.dir, "gatekeeper.log")))
}

func getConstraint(ctx context.Context, p *spec.Policy) (*unstructured.Unstructured, error) {
	gvr := schema.GroupVersionResource{Group: "constraints.gatekeeper.sh", Version: "v1beta1", Resource: strings.ToLower(p.Kind)}
	return dyn.Resource(gvr).Get(ctx, p.ConstraintName(), metav1.GetOptions{})
}

func resourceFor(obj *unstructured.Unstructured) (dynamic.ResourceInterface, error) {
	gvk := obj.GroupVersionKind()
	m, err := mapper.RESTMapping(gvk.GroupKind(), gvk.Version)
	if err != nil {
		resetMapper()
		if m, err = mapper.RESTMapping(gvk.GroupKind(), gvk.Version); meta.IsNoMatchError(err) && gvk.Group != "" {
			// A kind of another operator (trivy-operator's VulnerabilityReport):
			// install a schemaless CRD for it, as the operator's chart would.
			if err := ensureCRD(context.Background(), gvk, obj.GetNamespace() != ""); err != nil {
				return nil, err
			}
			resetMapper()
			m, err = mapper.RESTMapping(gvk.GroupKind(), gvk.Version)
		}
		if err != nil {
			return nil, err
		}
	}
	if m.Scope.Name() == meta.RESTScopeNameNamespace {
		ns := obj.GetNamespace()
		if ns == "" {
			ns = "default"
		}
		return dyn.Resource(m.Resource).Namespace(ns), nil
	}
	return dyn.Resource(m.Resource), nil
}

func ensureCRD(ctx context.Context, gvk schema.GroupVersionKind, namespaced bool) error {
	plural := strings.ToLower(gvk.Kind) + "s"
	scope := "Cluster"
	if namespaced {
		scope = "Namespaced"
	}
	crd := &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
		"metadata": map[string]any{"name": plural + "." + gvk.Group},
		"spec": map[string]any{
			"group": gvk.Group, "scope": scope,
			"names": map[string]any{"kind": gvk.Kind, "plural": plural, "singular": strings.ToLower(gvk.Kind), "listKind": gvk.Kind + "List"},
			"versions": []any{map[string]any{"name": gvk.Version, "served": true, "storage": true,
				"schema": map[string]any{"openAPIV3Schema": map[string]any{"type": "object", "x-kubernetes-preserve-unknown-fields": true}}}},
		},
	}}
	gvr := schema.GroupVersionResource{Group: "apiextensions.k8s.io", Version: "v1", Resource: "customresourcedefinitions"}
	if _, err := dyn.Resource(gvr).Create(ctx, crd, metav1.CreateOptions{}); apierrors.IsAlreadyExists(err) {
		// The kind exists in another version (Istio serves v1, v1beta1 and
		// v1alpha3): serve this one too.
		existing, err := dyn.Resource(gvr).Get(ctx, plural+"."+gvk.Group, metav1.GetOptions{})
		if err != nil {
			return err
		}
		versions, _, _ := unstructured.NestedSlice(existing.Object, "spec", "versions")
		versions = append(versions, map[string]any{"name": gvk.Version, "served": true, "storage": false,
			"schema": map[string]any{"openAPIV3Schema": map[string]any{"type": "object", "x-kubernetes-preserve-unknown-fields": true}}})
		if err := unstructured.SetNestedSlice(existing.Object, versions, "spec", "versions"); err != nil {
			return err
		}
		if _, err := dyn.Resource(gvr).Update(ctx, existing, metav1.UpdateOptions{}); err != nil {
			return fmt.Errorf("CRD for %s: %w", gvk, err)
		}
		time.Sleep(2 * time.Second)
	} else if err != nil {
		return fmt.Errorf("CRD for %s: %w", gvk, err)
	}
	if out, err := theCluster.kubectl(ctx, "wait", "--for=condition=Established", "crd/"+plural+"."+gvk.Group, "--timeout=60s"); err != nil {
		return fmt.Errorf("CRD for %s: %w\n%s", gvk, err, out)
	}
	return nil
}

// runtimeClasses creates every RuntimeClass the cases name: the API server
// refuses a pod whose runtimeClassName does not exist before admission
// webhooks see it.
func runtimeClasses(ctx context.Context) error {
	names := map[string]bool{}
	for _, p := range policies.MustAll() {
		st, dir, err := suite.Load(filepath.Join(repoRoot, "tests"), p.Key)
		if err != nil {
			return err
		}
		for _, test := range st.Tests {
			for _, tc := range test.Cases {
				in, err := suite.Case(filepath.Join(dir, tc.Object))
				if err != nil {
					continue
				}
				for _, o := range []*unstructured.Unstructured{in.Object, in.Old} {
					if o == nil {
						continue
					}
					for _, path := range [][]string{{"spec", "runtimeClassName"}, {"spec", "template", "spec", "runtimeClassName"}, {"spec", "jobTemplate", "spec", "template", "spec", "runtimeClassName"}} {
						if n, ok, _ := unstructured.NestedString(o.Object, path...); ok && n != "" {
							names[n] = true
						}
					}
				}
			}
		}
	}
	for n := range names {
		rc := &unstructured.Unstructured{Object: map[string]any{"apiVersion": "node.k8s.io/v1", "kind": "RuntimeClass",
			"metadata": map[string]any{"name": n}, "handler": "runc"}}
		if _, err := createObject(ctx, rc, false); err != nil && !apierrors.IsAlreadyExists(err) {
			return fmt.Errorf("RuntimeClass %s: %w", n, err)
		}
	}
	return nil
}

func createObject(ctx context.Context, obj *unstructured.Unstructured, dryRun bool) (*unstructured.Unstructured, error) {
	r, err := resourceFor(obj)
	if err != nil {
		return nil, err
	}
	opts := metav1.CreateOptions{}
	if dryRun {
		opts.DryRun = []string{metav1.DryRunAll}
	}
	return r.Create(ctx, obj.DeepCopy(), opts)
}

// ensureNamespace creates a namespace and its default ServiceAccount (there
// is no controller manager to do it). ignore labels it so the webhook skips it.
func ensureNamespace(ctx context.Context, name string, ignore bool) error {
	ns := &unstructured.Unstructured{Object: map[string]any{"apiVersion": "v1", "kind": "Namespace", "metadata": map[string]any{"name": name}}}
	if ignore {
		ns.SetLabels(map[string]string{"admission.gatekeeper.sh/ignore": "e2e-setup"})
	}
	if _, err := createObject(ctx, ns, false); err != nil && !apierrors.IsAlreadyExists(err) {
		return err
	}
	if ignore {
		if err := setIgnore(ctx, name, true); err != nil {
			return err
		}
	}
	sa := &unstructured.Unstructured{Object: map[string]any{"apiVersion": "v1", "kind": "ServiceAccount", "metadata": map[string]any{"name": "default", "namespace": name}}}
	if _, err := createObject(ctx, sa, false); err != nil && !apierrors.IsAlreadyExists(err) {
		return fmt.Errorf("default ServiceAccount in %s: %w", name, err)
	}
	return nil
}

// setIgnore switches the webhook off (true) or on for a namespace.
func setIgnore(ctx context.Context, name string, ignore bool) error {
	patch := `{"metadata":{"labels":{"admission.gatekeeper.sh/ignore":null}}}`
	if ignore {
		patch = `{"metadata":{"labels":{"admission.gatekeeper.sh/ignore":"e2e-setup"}}}`
	}
	_, err := dyn.Resource(schema.GroupVersionResource{Version: "v1", Resource: "namespaces"}).Patch(ctx, name, types.MergePatchType, []byte(patch), metav1.PatchOptions{})
	return err
}

// The constraints carry the Argo CD annotations so GitOps applies them after
// the templates in one pass.
func TestArgoCDAnnotations(t *testing.T) {
	ctx := context.Background()
	for _, p := range policies.MustAll() {
		u, err := getConstraint(ctx, p)
		if err != nil {
			t.Fatal(err)
		}
		ann := u.GetAnnotations()
		if ann["argocd.argoproj.io/sync-options"] != "SkipDryRunOnMissingResource=true" || ann["argocd.argoproj.io/sync-wave"] == "" {
			t.Errorf("%s: Argo CD annotations missing: %v", p.Kind, ann)
			failed.Add(1)
		} else {
			passed.Add(1)
		}
	}
}

// Audit reports the privileged pod admitted before the policies existed.
func TestAuditReportsPreexistingViolation(t *testing.T) {
	ctx := context.Background()
	p, ok := policies.ByKey("no-privileged-containers")
	if !ok {
		t.Fatal("no-privileged-containers not in the catalog")
	}
	deadline := time.Now().Add(3 * time.Minute)
	for time.Now().Before(deadline) {
		u, err := getConstraint(ctx, p)
		if err != nil {
			t.Fatal(err)
		}
		violations, _, _ := unstructured.NestedSlice(u.Object, "status", "violations")
		for _, v := range violations {
			m, _ := v.(map[string]any)
			if m["name"] == "admitted-before-policies" && m["namespace"] == "audit-e2e" {
				if msg, _ := m["message"].(string); !strings.Contains(msg, `container "app" is privileged`) {
					t.Errorf("audit message: %q", msg)
					failed.Add(1)
					return
				}
				passed.Add(1)
				return
			}
		}
		time.Sleep(3 * time.Second)
	}
	failed.Add(1)
	t.Errorf("audit did not report the pre-existing privileged pod within 3 minutes")
}

// TestSuites replays each policy's cases against the API server. Every case
// object breaks or keeps many policies at once, so all constraints are first
// switched to dryrun, and each policy gets its default action back only while
// its own cases run.
func TestSuites(t *testing.T) {
	ctx := context.Background()
	all := policies.MustAll()
	for _, p := range all {
		if err := setAction(ctx, p, "dryrun"); err != nil {
			t.Fatal(err)
		}
	}
	for _, p := range all {
		t.Run(p.Key, func(t *testing.T) {
			if err := setAction(ctx, p, p.Enforcement); err != nil {
				t.Fatal(err)
			}
			defer func() {
				if err := setAction(ctx, p, "dryrun"); err != nil {
					t.Error(err)
				}
				// Let the dryrun reach the webhook and the generated admission
				// policy before the next policy's cases run.
				time.Sleep(settle)
			}()
			time.Sleep(settle)
			runPolicy(t, p, modeWebhook)
		})
	}
}

// settle is how long an enforcement change takes to reach Gatekeeper's webhook
// and the API server's copy of the generated admission policy binding.
const settle = 2 * time.Second

func setAction(ctx context.Context, p *spec.Policy, action string) error {
	gvr := schema.GroupVersionResource{Group: "constraints.gatekeeper.sh", Version: "v1beta1", Resource: strings.ToLower(p.Kind)}
	patch := fmt.Sprintf(`{"spec":{"enforcementAction":%q}}`, action)
	_, err := dyn.Resource(gvr).Patch(ctx, p.ConstraintName(), types.MergePatchType, []byte(patch), metav1.PatchOptions{})
	return err
}

var caseSeq atomic.Int64

// Modes of enforcement a case is replayed in.
const (
	modeWebhook = "webhook" // the library as deployed by README: Gatekeeper's webhook (and the VAPs it generates by default)
	modeNative  = "native"  // components/native, Gatekeeper's webhook stopped: the API server alone
)

// verdicts records, per mode, what the API server did with each case that
// passed: denied, warned or admitted.
var (
	verdictsMu sync.Mutex
	verdicts   = map[string]map[string]string{modeWebhook: {}, modeNative: {}}
)

func record(mode, key, verdict string) {
	verdictsMu.Lock()
	defer verdictsMu.Unlock()
	verdicts[mode][key] = verdict
}

func runPolicy(t *testing.T, p *spec.Policy, mode string) {
	ctx := context.Background()
	st, dir, err := suite.Load(filepath.Join(repoRoot, "tests"), p.Key)
	if err != nil {
		t.Fatal(err)
	}
	action := p.Enforcement
	for _, test := range st.Tests {
		// Only tests of the deployed default constraint can be replayed as is.
		if test.Invalid || filepath.Clean(filepath.Join(dir, test.Constraint)) != filepath.Clean(filepath.Join(repoRoot, "constraints", p.Key+".yaml")) {
			continue
		}
		for _, tc := range test.Cases {
			tc := tc
			t.Run(tc.Name, func(t *testing.T) {
				err := runCase(ctx, t, p, dir, tc, action, mode, p.Key+"/"+test.Name+"/"+tc.Name)
				switch {
				case errors.Is(err, errSkip):
					skipped.Add(1)
					t.Skip(err.Error())
				case err != nil:
					failed.Add(1)
					t.Error(err)
				default:
					passed.Add(1)
				}
			})
		}
	}
}

var errSkip = errors.New("skipped")

// expectation of a case: whether Gatekeeper must report it, and the message
// patterns that must and must not appear.
type expectation struct {
	violation bool
	// known is false when every assertion only forbids a message: the case
	// says nothing about whether the object is admitted.
	known   bool
	must    []*regexp.Regexp
	mustNot []*regexp.Regexp
}

func expect(tc *verify.Case) expectation {
	var e expectation
	if len(tc.Assertions) == 0 {
		e.known = true
	}
	for i := range tc.Assertions {
		a := &tc.Assertions[i]
		yes := a.Violations == nil || (a.Violations.Type == intstr.String && a.Violations.StrVal == "yes") || (a.Violations.Type == intstr.Int && a.Violations.IntVal > 0)
		if yes {
			e.violation = true
		}
		if yes || a.Message == nil {
			e.known = true
		}
		if a.Message != nil {
			re := regexp.MustCompile(*a.Message)
			if yes {
				e.must = append(e.must, re)
			} else {
				e.mustNot = append(e.mustNot, re)
			}
		}
	}
	return e
}

func runCase(ctx context.Context, t *testing.T, p *spec.Policy, dir string, tc *verify.Case, action, mode, key string) error {
	in, err := suite.Case(filepath.Join(dir, tc.Object))
	if err != nil {
		return err
	}
	var inventory []*unstructured.Unstructured
	for _, path := range tc.Inventory {
		objs, err := suite.Objects(filepath.Join(dir, path))
		if err != nil {
			return err
		}
		inventory = append(inventory, objs...)
	}
	if strings.HasSuffix(tc.Name, "-offline") {
		return fmt.Errorf("%w: the case describes a raw manifest as `gatewarden check` sees it; the API server fills or defaults the field before admission", errSkip)
	}
	if in.Request != nil && in.Old != nil && (in.Old.GetName() != in.Object.GetName() || in.Old.GetNamespace() != in.Object.GetNamespace()) {
		return fmt.Errorf("%w: the old object is another object, which a real UPDATE cannot have", errSkip)
	}
	e := expect(tc)
	// Cases with state (inventory, an old object) get namespaces of their own.
	rename := map[string]string{}
	isolated := len(inventory) > 0 || in.Request != nil
	n := caseSeq.Add(1)
	mapNS := func(ns string) string {
		if ns == "" || !isolated {
			return ns
		}
		if r, ok := rename[ns]; ok {
			return r
		}
		r := fmt.Sprintf("%s-e2e%d", ns, n)
		if len(r) > 63 {
			r = r[len(r)-63:]
		}
		rename[ns] = r
		return r
	}
	prepare := func(o *unstructured.Unstructured) *unstructured.Unstructured {
		c := o.DeepCopy()
		if ns := c.GetNamespace(); ns != "" {
			c.SetNamespace(mapNS(ns))
		}
		if c.GetKind() == "Namespace" && c.GetAPIVersion() == "v1" {
			// A Namespace of the inventory (its labels decide namespaceSelector)
			// follows its objects into the case's own namespace.
			c.SetName(mapNS(c.GetName()))
		}
		return c
	}
	obj := prepare(in.Object)
	var state []*unstructured.Unstructured
	for _, o := range inventory {
		state = append(state, prepare(o))
	}
	var oldObj *unstructured.Unstructured
	if in.Old != nil {
		oldObj = prepare(in.Old)
	}
	namespaces := map[string]bool{}
	for _, o := range append([]*unstructured.Unstructured{obj, oldObj}, state...) {
		if o == nil {
			continue
		}
		if ns := o.GetNamespace(); ns != "" {
			namespaces[ns] = true
		}
	}
	for ns := range namespaces {
		if err := ensureNamespace(ctx, ns, isolated); err != nil {
			return err
		}
	}
	// State is created with the webhook off for these namespaces, as if it
	// existed before the policies.
	// The state a case creates is deleted afterwards: it would otherwise stay
	// in Gatekeeper's synced inventory and decide the next cases (there is no
	// controller manager to empty a deleted namespace).
	defer func() {
		for _, o := range append(state, oldObj) {
			if o == nil || o.GetKind() == "Namespace" {
				continue
			}
			if r, err := resourceFor(o); err == nil {
				_ = r.Delete(context.Background(), o.GetName(), metav1.DeleteOptions{})
			}
		}
	}()
	for _, o := range state {
		if err := apply(ctx, o); err != nil {
			return fmt.Errorf("inventory %s/%s: %w", o.GetKind(), o.GetName(), err)
		}
	}
	var old *unstructured.Unstructured
	if in.Request != nil {
		if in.Old == nil {
			return fmt.Errorf("%w: an UPDATE case without oldObject", errSkip)
		}
		if err := apply(ctx, oldObj); err != nil {
			if apierrors.IsInvalid(err) || apierrors.IsBadRequest(err) {
				return fmt.Errorf("%w: the API server rejects the old object itself: %v", errSkip, err)
			}
			return fmt.Errorf("creating the old object: %w", err)
		}
		r, err := resourceFor(oldObj)
		if err != nil {
			return err
		}
		if old, err = r.Get(ctx, oldObj.GetName(), metav1.GetOptions{}); err != nil {
			return err
		}
	}
	for ns := range namespaces {
		if isolated {
			if err := setIgnore(ctx, ns, false); err != nil {
				return err
			}
		}
	}

	// Messages naming another object's namespace name the case's copy of it:
	// give them back the names the suite uses.
	unmap := func(text string) string {
		for orig, mapped := range rename {
			text = strings.ReplaceAll(text, mapped, orig)
		}
		return text
	}
	attempt := func() (string, []string, error) {
		warnings.take()
		var err error
		if old != nil {
			err = update(ctx, obj, old, in.Request.SubResource)
		} else {
			_, err = createObject(ctx, obj, true)
			if apierrors.IsAlreadyExists(err) {
				// The object exists (the kubernetes Service, a default
				// ServiceAccount): submit the case as an update of it.
				var existing *unstructured.Unstructured
				if r, rerr := resourceFor(obj); rerr == nil {
					existing, err = r.Get(ctx, obj.GetName(), metav1.GetOptions{})
				}
				if err == nil {
					err = update(ctx, obj, existing, "")
				}
			}
		}
		warns := warnings.take()
		for i := range warns {
			warns[i] = unmap(warns[i])
		}
		return unmap(errText(err)), warns, err
	}
	// A verdict can lag: Gatekeeper syncs the inventory of referential cases,
	// and an enforcement change takes a moment to reach the webhook and the
	// generated admission policy. Retry a mismatch for a while before failing.
	wait := 20 * time.Second
	if len(inventory) > 0 {
		// Gatekeeper starts syncing a kind whose CRD appeared after it did
		// (trivy-operator's reports) only once it notices the CRD.
		wait = 90 * time.Second
	}
	deadline := time.Now().Add(wait)
	for {
		denial, warns, err := attempt()
		verdictErr := judge(p, e, action, denial, warns, err, mode == modeNative)
		if verdictErr == nil {
			verdict := "admitted"
			switch {
			case err != nil:
				verdict = "denied"
			case len(warns) > 0:
				verdict = "warned"
			}
			record(mode, key, verdict)
		}
		if verdictErr == nil || time.Now().After(deadline) || errors.Is(verdictErr, errSkip) {
			return verdictErr
		}
		time.Sleep(time.Second)
	}
}

// apply creates an object, or replaces it when it exists.
func apply(ctx context.Context, o *unstructured.Unstructured) error {
	_, err := createObject(ctx, o, false)
	if !apierrors.IsAlreadyExists(err) {
		return err
	}
	r, err := resourceFor(o)
	if err != nil {
		return err
	}
	existing, err := r.Get(ctx, o.GetName(), metav1.GetOptions{})
	if err != nil {
		return err
	}
	u := o.DeepCopy()
	u.SetResourceVersion(existing.GetResourceVersion())
	_, err = r.Update(ctx, u, metav1.UpdateOptions{})
	return err
}

func update(ctx context.Context, obj, old *unstructured.Unstructured, subresource string) error {
	r, err := resourceFor(obj)
	if err != nil {
		return err
	}
	u := obj.DeepCopy()
	u.SetResourceVersion(old.GetResourceVersion())
	u.SetUID(old.GetUID())
	opts := metav1.UpdateOptions{DryRun: []string{metav1.DryRunAll}}
	if subresource != "" {
		_, err = r.Update(ctx, u, opts, subresource)
	} else {
		_, err = r.Update(ctx, u, opts)
	}
	return err
}

func errText(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

// judge compares the API server's answer with the case's expectation.
func judge(p *spec.Policy, e expectation, action, denial string, warns []string, err error, native bool) error {
	// Gatekeeper denies through its webhook, and through the
	// ValidatingAdmissionPolicy it generates from the template's CEL.
	byGatekeeper := strings.Contains(denial, "admission webhook \"validation.gatekeeper.sh\" denied the request") ||
		strings.Contains(denial, "ValidatingAdmissionPolicy 'gatekeeper-"+p.TemplateName()+"'")
	byPolicy := strings.Contains(denial, "ValidatingAdmissionPolicy 'gatekeeper-"+p.TemplateName()+"'")
	if native && err != nil && byGatekeeper && !byPolicy {
		return fmt.Errorf("denied by Gatekeeper's webhook, which native mode has stopped: %s", denial)
	}
	if native && action == "warn" {
		for _, w := range warns {
			if !strings.Contains(w, "ValidatingAdmissionPolicy 'gatekeeper-"+p.TemplateName()+"'") {
				return fmt.Errorf("a warning that is not the ValidatingAdmissionPolicy's: %s", w)
			}
		}
	}
	if err != nil && !byGatekeeper {
		if strings.Contains(denial, "error looking up service account") {
			return fmt.Errorf("%w: the API server refuses a pod whose ServiceAccount does not exist: %s", errSkip, denial)
		}
		if apierrors.IsInvalid(err) || apierrors.IsBadRequest(err) {
			// The API server rejects the object before admission sees it (an
			// empty image, ports on an ephemeral container, a field of the wrong
			// type): nothing to prove here.
			return fmt.Errorf("%w: the API server rejects the object itself: %s", errSkip, denial)
		}
		return fmt.Errorf("unexpected error: %s", denial)
	}
	// Judge the policy's messages, not the API server's wording around them.
	reported := denial
	for _, sep := range []string{"denied the request: ", "denied request: "} {
		if i := strings.Index(reported, sep); i >= 0 {
			reported = reported[i+len(sep):]
			break
		}
	}
	if action == "warn" {
		reported = strings.Join(warns, "\n")
	}
	if !e.known {
		for _, re := range e.mustNot {
			if re.MatchString(reported) {
				return fmt.Errorf("the answer matches %q, which the suite forbids: %s", re, reported)
			}
		}
		return nil
	}
	switch {
	case action == "deny" && e.violation && err == nil:
		return fmt.Errorf("admitted, but the suite expects a denial")
	case action == "deny" && !e.violation && err != nil:
		return fmt.Errorf("denied, but the suite expects it admitted: %s", denial)
	case action != "deny" && err != nil:
		return fmt.Errorf("denied by a %s constraint: %s", action, denial)
	case action == "warn" && e.violation && len(warns) == 0:
		return fmt.Errorf("no warning header, but the suite expects a violation")
	case action == "warn" && !e.violation && len(warns) > 0:
		return fmt.Errorf("unexpected warnings: %v", warns)
	}
	if action == "dryrun" {
		return nil
	}
	// The generated admission policy stops at its first failing rule, so a
	// denial by it carries one rule's message; the webhook carries them all.
	matched := 0
	for _, re := range e.must {
		if re.MatchString(reported) {
			matched++
		} else if !(byPolicy && action == "deny") {
			return fmt.Errorf("the %s does not match %q: %s", map[bool]string{true: "denial", false: "warning"}[action == "deny"], re, reported)
		}
	}
	if len(e.must) > 0 && matched == 0 {
		return fmt.Errorf("the denial matches none of %q: %s", e.must, reported)
	}
	for _, re := range e.mustNot {
		if re.MatchString(reported) {
			return fmt.Errorf("the answer matches %q, which the suite forbids: %s", re, reported)
		}
	}
	return nil
}
