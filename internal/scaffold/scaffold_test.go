package scaffold

import (
	"errors"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gatewarden/gatewarden/internal/policies"
	"github.com/gatewarden/gatewarden/internal/render"
	"github.com/gatewarden/gatewarden/internal/spec"
)

const repoRoot = "../.."

// copyRepo copies the checkout (without .git and build leftovers) into a temp dir.
func copyRepo(t *testing.T) string {
	t.Helper()
	dst := t.TempDir()
	err := filepath.WalkDir(repoRoot, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(repoRoot, p)
		if d.IsDir() && (rel == ".git" || rel == ".cache" || rel == "bin") {
			return filepath.SkipDir
		}
		if d.IsDir() {
			return os.MkdirAll(filepath.Join(dst, rel), 0o755)
		}
		if strings.HasSuffix(p, ".test") || !d.Type().IsRegular() {
			return nil
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dst, rel), data, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
	return dst
}

func run(t *testing.T, dir, name string, args ...string) string {
	t.Helper()
	cmd := exec.Command(name, args...)
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
	}
	return string(out)
}

// A scaffolded policy of every scope renders and passes the harness on both
// engines at once, with nothing edited by hand.
func TestNewPolicyPassesTheHarness(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and tests a copy of the repository")
	}
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Fatalf("the go command is needed to build the copy: %v", err)
	}
	root := copyRepo(t)
	known, err := policies.All()
	if err != nil {
		t.Fatal(err)
	}
	made := []Options{
		{Key: "no-interactive-containers", Kind: "K8sNoInteractiveContainers", Scope: spec.ScopeContainer},
		{Key: "system-priority", Kind: "K8sSystemPriority", Scope: spec.ScopePod},
		{Key: "namespace-team", Kind: "K8sNamespaceTeam", Scope: spec.ScopeObject},
		{Key: "ingress-backend-exists", Kind: "K8sIngressBackendExists", Scope: spec.ScopeObject, Referential: true},
	}
	var keys []string
	for _, o := range made {
		o.Root, o.Known = root, known
		files, err := New(o)
		if err != nil {
			t.Fatal(err)
		}
		if len(files) < 5 {
			t.Fatalf("%s: only %v written", o.Key, files)
		}
		keys = append(keys, o.Key)
	}
	if _, err := os.Stat(filepath.Join(root, "internal/policies/ingress-backend-exists/policy.cel")); err == nil {
		t.Error("a referential policy got a policy.cel")
	}

	bin := filepath.Join(t.TempDir(), "gatewarden")
	run(t, root, goBin, "build", "-o", bin, "./gen")
	run(t, root, bin, "generate")
	run(t, root, bin, "generate", "--check")
	for _, k := range keys {
		for _, f := range []string{"templates/" + k + ".yaml", "constraints/" + k + ".yaml", "docs/policies/" + k + ".md"} {
			if _, err := os.Stat(filepath.Join(root, f)); err != nil {
				t.Errorf("not rendered: %s", f)
			}
		}
		lock, _ := os.ReadFile(filepath.Join(root, render.LockPath))
		if !strings.Contains(string(lock), "\n"+k+" 0.1.0 sha256:") {
			t.Errorf("%s is not in the version lock", k)
		}
	}
	if _, err := os.Stat(filepath.Join(root, "sync/ingress-backend-exists.yaml")); err != nil {
		t.Error("the referential policy has no sync config")
	}
	run(t, root, goBin, "test", "-count=1", "./tests", "-run",
		"^(TestBypass|TestGeneratedFilesMatch|TestPoliciesValidate|TestRego.*|TestTemplateVersionsAreBumped|TestChangelogNamesEveryVersion|TestInventoryIsDeclared)$")
	out := run(t, root, goBin, "test", "-count=1", "./tests", "-v", "-run", "^TestPolicies$/^("+strings.Join(keys, "|")+")$")
	for _, k := range keys {
		if !strings.Contains(out, "--- PASS: TestPolicies/"+k) {
			t.Errorf("the harness did not pass %s:\n%s", k, out)
		}
	}
}

func fakeRoot(t *testing.T) string {
	t.Helper()
	root := t.TempDir()
	for _, d := range []string{"internal/policies/lib", "internal/policies/taken", "tests/leftover"} {
		if err := os.MkdirAll(filepath.Join(root, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	src := "package taken\n\nvar Policy = spec.Policy{\n\tKey:  \"taken\",\n\tKind: \"K8sTaken\",\n}\n"
	if err := os.WriteFile(filepath.Join(root, "internal/policies/taken/policy.go"), []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	return root
}

func TestNewRefuses(t *testing.T) {
	root := fakeRoot(t)
	for name, tc := range map[string]struct {
		o    Options
		want []string
	}{
		"malformed key":           {Options{Key: "No_Good", Kind: "K8sNoGood", Scope: spec.ScopeContainer}, []string{`key "No_Good" must be lower-case words joined by '-'`}},
		"malformed kind":          {Options{Key: "no-good", Kind: "NoGood", Scope: spec.ScopeContainer}, []string{`Kind "NoGood" must be K8s followed by UpperCamelCase`, "(e.g. K8sNoGood)"}},
		"keyword key":             {Options{Key: "type", Kind: "K8sType", Scope: spec.ScopeContainer}, []string{`would make the Go package "type"`}},
		"existing folder":         {Options{Key: "taken", Kind: "K8sOther", Scope: spec.ScopePod}, []string{"internal/policies/taken already exists"}},
		"existing tests folder":   {Options{Key: "leftover", Kind: "K8sLeftover", Scope: spec.ScopePod}, []string{"tests/leftover already exists"}},
		"existing kind":           {Options{Key: "fresh", Kind: "K8sTAKEN", Scope: spec.ScopePod}, []string{`Kind "K8sTAKEN" is taken by policy taken`}},
		"compiled-in kind":        {Options{Key: "fresh", Kind: "K8sProcMount", Scope: spec.ScopePod, Known: policies.MustAll()}, []string{`Kind "K8sProcMount" is taken by policy proc-mount`}},
		"bad scope":               {Options{Key: "fresh", Kind: "K8sFresh", Scope: "namespace"}, []string{`scope "namespace" must be container, pod or object`}},
		"referential not objects": {Options{Key: "fresh", Kind: "K8sFresh", Scope: spec.ScopePod, Referential: true}, []string{"--referential scaffolds an object policy"}},
	} {
		t.Run(name, func(t *testing.T) {
			tc.o.Root = root
			files, err := New(tc.o)
			if !errors.Is(err, ErrRefused) {
				t.Fatalf("not refused (wrote %v): %v", files, err)
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("the refusal does not say %q:\n%v", w, err)
				}
			}
		})
	}
	entries, _ := os.ReadDir(filepath.Join(root, "internal/policies"))
	if len(entries) != 2 {
		t.Errorf("a refused scaffold wrote files: %v", entries)
	}
	if _, err := New(Options{Root: t.TempDir(), Key: "fresh", Kind: "K8sFresh", Scope: spec.ScopePod}); err == nil || !strings.Contains(err.Error(), "is not the root of a gatewarden checkout") {
		t.Errorf("outside a checkout: %v", err)
	}
}
