package cli

import (
	"bytes"
	"encoding/json"
	"github.com/gatewarden/gatewarden/internal/report"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/gatewarden/gatewarden/internal/render"
)

func run(t *testing.T, stdin string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	code = Main(args, strings.NewReader(stdin), &out, &errb)
	return code, out.String(), errb.String()
}

const examples = "../../examples"

func TestCheckExamples(t *testing.T) {
	code, out, _ := run(t, "", "check", examples)
	if code != ExitViolations {
		t.Fatalf("exit %d, want %d\n%s", code, ExitViolations, out)
	}
	for _, want := range []string{
		"shop-insecure/Deployment/web",
		`container "web" is privileged (spec.template.spec.containers[web].securityContext.privileged=true)`,
		`container "migrate" has image "busybox" with no tag`,
		"shop-insecure/Ingress/web",
		"has no spec.tls",
		`ServiceAccount "web" does not disable it`,
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "examples/hardened-app") {
		t.Errorf("the hardened app has findings:\n%s", out)
	}
	code, out, _ = run(t, "", "check", filepath.Join(examples, "hardened-app"))
	if code != ExitOK {
		t.Errorf("hardened app: exit %d, want 0\n%s", code, out)
	}
}

func TestCheckJSON(t *testing.T) {
	code, out, _ := run(t, "", "check", "-o", "json", filepath.Join(examples, "insecure-app"))
	if code != ExitViolations {
		t.Fatalf("exit %d", code)
	}
	var rep report.Report
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	got := map[string]bool{}
	byAction := map[string]int{}
	total := 0
	for _, o := range rep.Objects {
		if o.File == "" || o.Line == 0 || o.APIVersion == "" || o.Kind == "" || o.Name == "" {
			t.Errorf("object lacks location or identity: %+v", o)
		}
		for _, v := range o.Violations {
			if v.ConstraintName == "" || v.EnforcementAction == "" || v.Message == "" {
				t.Errorf("violation lacks a field: %+v", v)
			}
			got[o.Kind+"/"+o.Name+" "+v.ConstraintKind+" "+v.EnforcementAction] = true
			byAction[v.EnforcementAction]++
			total++
		}
	}
	// What the insecure app must be flagged for, whatever else the library adds.
	for _, want := range []string{
		"Deployment/web K8sDisallowLatestTag deny",
		"Deployment/web K8sNoPrivilegedContainers deny",
		"Deployment/web K8sNoAutomountServiceAccountToken deny",
		"Deployment/web K8sNoSecretsInEnv deny",
		"Deployment/web K8sNoHostPorts deny",
		"Deployment/web K8sRunAsNonRoot deny",
		"Deployment/web K8sAllowedRegistries dryrun",
		"Deployment/web K8sRequireImageDigest warn",
		"ServiceAccount/web K8sNoAutomountServiceAccountToken deny",
		"Ingress/web K8sIngressTLS deny",
		"Namespace/shop-insecure K8sRequireDefaultDenyNetworkPolicy dryrun",
		"Service/web K8sRestrictServiceTypes deny",
		"Namespace/shop-insecure K8sIstioSidecarInjection dryrun",
	} {
		if !got[want] {
			t.Errorf("the insecure app is not flagged for %s; got %v", want, got)
		}
	}
	if rep.Summary.Objects != 5 || rep.Summary.Violations != total {
		t.Errorf("summary: %+v, the report lists %d violations", rep.Summary, total)
	}
	for _, action := range []string{"deny", "warn", "dryrun"} {
		if rep.Summary.ByAction[action] != byAction[action] {
			t.Errorf("summary counts %d %s violations, the report lists %d", rep.Summary.ByAction[action], action, byAction[action])
		}
	}
}

// A malformed file is reported as file:line with exit 2, and the valid file
// beside it is still evaluated and reported.
func TestCheckMalformedInput(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.yaml")
	os.WriteFile(bad, []byte("apiVersion: v1\nkind: Pod\nmetadata:\n  name: x\n\tspec: {}\n"), 0o644)
	os.WriteFile(filepath.Join(dir, "nokind.yaml"), []byte("apiVersion: v1\nmetadata:\n  name: y\n"), 0o644)
	os.WriteFile(filepath.Join(dir, "good.yaml"), []byte(`apiVersion: v1
kind: Pod
metadata: {name: ok, namespace: app}
spec:
  containers:
  - name: c
    image: nginx:latest
`), 0o644)
	code, out, _ := run(t, "", "check", dir)
	if code != ExitUsage {
		t.Errorf("exit %d, want %d", code, ExitUsage)
	}
	for _, want := range []string{
		bad + ":5: invalid YAML",
		filepath.Join(dir, "nokind.yaml") + ":1: not a Kubernetes object: kind missing",
		`Pod/ok: container "c" has image "nginx:latest"`,
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
}

func TestCheckStdin(t *testing.T) {
	code, out, _ := run(t, "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n  - {name: c, image: 'nginx'}\n", "check", "-")
	if code != ExitViolations || !strings.Contains(out, "<stdin>") || !strings.Contains(out, "with no tag") {
		t.Errorf("exit %d:\n%s", code, out)
	}
}

func TestUsageErrors(t *testing.T) {
	for name, args := range map[string][]string{
		"unknown flag":   {"check", "--bogus", examples},
		"no path":        {"check"},
		"missing path":   {"check", "does-not-exist.yaml"},
		"bad format":     {"check", "-o", "xml", examples},
		"bad engine":     {"check", "--engine", "wasm", examples},
		"unknown action": {"frobnicate"},
	} {
		t.Run(name, func(t *testing.T) {
			code, out, errOut := run(t, "", args...)
			if code != ExitUsage {
				t.Errorf("exit %d, want %d\nstdout: %s\nstderr: %s", code, ExitUsage, out, errOut)
			}
		})
	}
	_, out, _ := run(t, "", "check", "does-not-exist.yaml")
	if !strings.Contains(out, "does-not-exist.yaml: cannot read: no such file or directory") {
		t.Errorf("missing file not named: %s", out)
	}
}

func TestEnginesAgreeOnExamples(t *testing.T) {
	_, rego, _ := run(t, "", "check", "--engine", "rego", "-o", "json", examples)
	_, auto, _ := run(t, "", "check", "--engine", "auto", "-o", "json", examples)
	// A CEL rule reports all its findings in one violation, joined by the
	// finding separator; Rego reports one violation per finding. Compare findings.
	findings := func(out string) []string {
		var rep struct {
			Objects []struct {
				Violations []struct{ Message string }
			}
		}
		if err := json.Unmarshal([]byte(out), &rep); err != nil {
			t.Fatalf("%v\n%s", err, out)
		}
		var all []string
		for _, o := range rep.Objects {
			for _, v := range o.Violations {
				all = append(all, strings.Split(v.Message, render.FindingSeparator)...)
			}
		}
		sort.Strings(all)
		return all
	}
	if diff := cmp.Diff(findings(rego), findings(auto)); diff != "" || len(findings(rego)) == 0 {
		t.Errorf("rego and auto disagree on the examples (-rego +auto):\n%s", diff)
	}
}

// A constraint that selects namespaces by label needs the object's Namespace:
// one missing from the input is taken to have no labels (with a warning), and
// one in the input decides.
func TestCheckNamespaceSelector(t *testing.T) {
	dir := t.TempDir()
	pod := func(ns string) string {
		return "apiVersion: v1\nkind: Pod\nmetadata: {name: p, namespace: " + ns + "}\nspec:\n  automountServiceAccountToken: false\n" +
			"  securityContext: {seccompProfile: {type: RuntimeDefault}}\n  containers:\n  - {name: c, image: 'r.example.com/app:1.0'}\n"
	}
	os.WriteFile(filepath.Join(dir, "elsewhere.yaml"), []byte(pod("elsewhere")), 0o644)
	only := []string{"check", "--policies", "../../templates/runtime-class.yaml", "--policies", "../../constraints/runtime-class.yaml"}
	code, out, _ := run(t, "", append(only, filepath.Join(dir, "elsewhere.yaml"))...)
	if code != ExitOK || !strings.Contains(out, `warning: `) || !strings.Contains(out, `namespace "elsewhere" is not in the input`) ||
		strings.Contains(out, "unable to match") {
		t.Errorf("namespace not in the input: exit %d\n%s", code, out)
	}
	os.WriteFile(filepath.Join(dir, "ns.yaml"), []byte("apiVersion: v1\nkind: Namespace\nmetadata:\n  name: tenants\n  labels: {gatewarden.dev/sandbox: \"true\"}\n---\n"+pod("tenants")), 0o644)
	code, out, _ = run(t, "", append(only, filepath.Join(dir, "ns.yaml"))...)
	if code != ExitViolations || !strings.Contains(out, "K8sRuntimeClass: Pod/p: the pod runs in the node's default runtime") || strings.Contains(out, "warning: ") {
		t.Errorf("labelled namespace in the input: exit %d\n%s", code, out)
	}
}

func TestGenerateCheck(t *testing.T) {
	code, out, errOut := run(t, "", "generate", "--check", "--root", "../..")
	if code != ExitOK {
		t.Errorf("exit %d\n%s%s", code, out, errOut)
	}
	dir := t.TempDir()
	code, _, _ = run(t, "", "generate", "--check", "--root", dir)
	if code != ExitUsage {
		t.Errorf("generate --check outside a checkout: exit %d, want %d", code, ExitUsage)
	}
}

func TestCheckBundle(t *testing.T) {
	code, out, _ := run(t, "", "check", "--bundle", "restricted", examples)
	if code != ExitViolations {
		t.Errorf("restricted on the examples: exit %d, want 1\n%s", code, out)
	}
	if strings.Contains(out, "K8sDisallowLatestTag") {
		t.Errorf("the restricted bundle evaluated a hardened-only policy:\n%s", out)
	}
	if !strings.Contains(out, "K8sNoPrivilegedContainers") {
		t.Errorf("the restricted bundle did not flag the privileged container:\n%s", out)
	}
	code, out, _ = run(t, "", "check", "--bundle", "restricted", filepath.Join(examples, "hardened-app"))
	if code != ExitOK {
		t.Errorf("restricted on the hardened app: exit %d\n%s", code, out)
	}
	if code, _, _ := run(t, "", "check", "--bundle", "extreme", examples); code != ExitUsage {
		t.Errorf("unknown bundle: exit %d, want 2", code)
	}
}

func TestCheckKustomize(t *testing.T) {
	code, out, _ := run(t, "", "check", "-k", "testdata/kustomize-app")
	if code != ExitViolations || !strings.Contains(out, `shop/Deployment/web`) || !strings.Contains(out, `image "nginx:latest"`) {
		t.Errorf("exit %d:\n%s", code, out)
	}
	code, out, _ = run(t, "", "check", "-k", "testdata/kustomize-broken", filepath.Join(examples, "hardened-app"))
	if code != ExitUsage {
		t.Errorf("broken kustomization: exit %d, want 2", code)
	}
	if !strings.Contains(out, "testdata/kustomize-broken/kustomization.yaml: kustomize build failed") || !strings.Contains(out, "missing-patch.yaml") {
		t.Errorf("broken kustomization not reported precisely:\n%s", out)
	}
	// The valid input beside the broken kustomization is still evaluated: the
	// summary counts every object of the hardened app.
	_, alone, _ := run(t, "", "check", filepath.Join(examples, "hardened-app"))
	count := regexp.MustCompile(`(\d+) objects checked`)
	want := count.FindStringSubmatch(alone)
	got := count.FindStringSubmatch(out)
	if want == nil || got == nil || want[1] == "0" || got[1] != want[1] {
		t.Errorf("valid input not evaluated: got %v, want %v objects checked\n%s", got, want, out)
	}
}

// --policies takes a team's own constraints; their namespaceSelector is
// evaluated with the Namespace objects of the input, and List kinds unwrap.
func TestCheckOwnPoliciesWithNamespaceSelector(t *testing.T) {
	code, out, errOut := run(t, "", "check", "-o", "json",
		"--policies", "../../templates/no-privileged-containers.yaml", "--policies", "testdata/policies-selector",
		"testdata/inventory/list.yaml")
	if code != ExitViolations {
		t.Fatalf("exit %d\n%s%s", code, out, errOut)
	}
	var rep report.Report
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatal(err)
	}
	got := map[string]int{}
	for _, o := range rep.Objects {
		got[o.Namespace+"/"+o.Name] = len(o.Violations)
	}
	if got["prod/priv"] != 1 || got["dev/priv"] != 0 {
		t.Errorf("namespaceSelector not applied: %v", got)
	}
}

func TestCheckPoliciesErrors(t *testing.T) {
	code, _, errOut := run(t, "", "check", "--policies", filepath.Join(examples, "hardened-app"), examples)
	if code != ExitUsage || !strings.Contains(errOut, "is not a ConstraintTemplate or a constraint") {
		t.Errorf("exit %d: %s", code, errOut)
	}
	if code, _, _ := run(t, "", "check", "--bundle", "baseline", "--policies", "../../templates", examples); code != ExitUsage {
		t.Errorf("--bundle with --policies: exit %d", code)
	}
}

func TestCheckFailOn(t *testing.T) {
	// The sample overlay switches the baseline bundle to warn.
	args := []string{"check", "--policies", "../../examples/overlays/baseline-warn", filepath.Join(examples, "insecure-app")}
	code, out, errOut := run(t, "", args...)
	if code != ExitOK || !strings.Contains(out, "[warn] K8sNoPrivilegedContainers") {
		t.Errorf("warn only, default --fail-on deny: exit %d\n%s%s", code, out, errOut)
	}
	if code, _, _ := run(t, "", append([]string{"check", "--fail-on", "warn"}, args[1:]...)...); code != ExitViolations {
		t.Errorf("--fail-on warn: exit %d, want 1", code)
	}
	if code, _, _ := run(t, "", "check", "--fail-on", "never", examples); code != ExitOK {
		t.Errorf("--fail-on never: exit %d, want 0", code)
	}
	if code, _, _ := run(t, "", "check", "--fail-on", "sometimes", examples); code != ExitUsage {
		t.Errorf("bad --fail-on: exit %d, want 2", code)
	}
}

func TestCheckInventory(t *testing.T) {
	pod := "apiVersion: v1\nkind: Pod\nmetadata: {name: p, namespace: shop}\nspec:\n  serviceAccountName: web\n  containers:\n  - {name: c, image: 'registry.example.com/a:1'}\n"
	only := []string{"--policies", "../../templates/no-automount-service-account-token.yaml", "--policies", "../../constraints/no-automount-service-account-token.yaml"}
	code, out, _ := run(t, pod, append(append([]string{"check"}, only...), "-")...)
	if code != ExitViolations || !strings.Contains(out, `ServiceAccount "web" is not known`) {
		t.Errorf("without inventory: exit %d\n%s", code, out)
	}
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "sa.yaml"), []byte("apiVersion: v1\nkind: ServiceAccount\nmetadata: {name: web, namespace: shop}\nautomountServiceAccountToken: false\n"), 0o644)
	code, out, _ = run(t, pod, append(append([]string{"check"}, only...), "--inventory", filepath.Join(dir, "sa.yaml"), "-")...)
	if code != ExitOK || !strings.Contains(out, "1 objects checked") {
		t.Errorf("with inventory: exit %d\n%s", code, out)
	}
}

func TestCheckOutputFormats(t *testing.T) {
	for _, format := range []string{"junit", "sarif"} {
		code, out, _ := run(t, "", "check", "-o", format, examples)
		if code != ExitViolations || !strings.Contains(out, "K8sNoPrivilegedContainers") {
			t.Errorf("%s: exit %d\n%s", format, code, out)
		}
	}
}

func TestCheckEmptyDocumentsAndNonKubernetes(t *testing.T) {
	in := "---\n# only a comment\n---\nfoo: bar\n---\n- a list\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n"
	code, out, _ := run(t, in, "check", "-")
	for _, want := range []string{"warning: <stdin>:1: empty document skipped", "<stdin>:4: not a Kubernetes object: apiVersion and kind missing", "<stdin>:6: not a Kubernetes object: the document is not a mapping", "1 objects checked"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	if code != ExitUsage {
		t.Errorf("exit %d, want 2", code)
	}
}

// Output does not depend on how many objects are reviewed in parallel.
func TestCheckDeterministicAcrossJobs(t *testing.T) {
	_, one, _ := run(t, "", "check", "-o", "json", "-j", "1", examples)
	_, many, _ := run(t, "", "check", "-o", "json", "-j", "8", examples)
	if one != many {
		t.Errorf("output differs between -j 1 and -j 8")
	}
}
