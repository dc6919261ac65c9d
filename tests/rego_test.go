package tests

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/format"

	"github.com/gatewarden/gatewarden/internal/policies"
	"github.com/gatewarden/gatewarden/internal/policies/lib"
)

// regoFile is one Rego source of the library, named by its path in the repository.
type regoFile struct {
	path string
	src  string
}

// policyRego returns the Rego every template ships: each policy's policy.rego, in
// registry order.
func policyRego(t *testing.T) []regoFile {
	t.Helper()
	var out []regoFile
	for _, p := range policies.MustAll() {
		out = append(out, regoFile{path: "internal/policies/" + p.Key + "/policy.rego", src: p.Rego})
	}
	return out
}

// libRego returns internal/policies/lib/*.rego, the files the lib package embeds.
func libRego(t *testing.T) []regoFile {
	t.Helper()
	paths, err := filepath.Glob(filepath.Join(repoRoot, "internal", "policies", "lib", "*.rego"))
	if err != nil {
		t.Fatal(err)
	}
	if len(paths) == 0 {
		t.Fatal("no Rego found in internal/policies/lib")
	}
	sort.Strings(paths)
	var out []regoFile
	for _, path := range paths {
		src, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		rel, err := filepath.Rel(repoRoot, path)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, regoFile{path: filepath.ToSlash(rel), src: string(src)})
	}
	return out
}

// Every Rego file is laid out exactly as `opa fmt` (Rego v1) lays it out, so
// reviews see only real changes and the templates embed tidy code.
func TestRegoIsFormatted(t *testing.T) {
	for _, f := range append(policyRego(t), libRego(t)...) {
		t.Run(f.path, func(t *testing.T) {
			got, err := format.SourceWithOpts(f.path, []byte(f.src), format.Opts{RegoVersion: ast.RegoV1})
			if err != nil {
				t.Fatalf("%s: opa fmt fails: %v", f.path, err)
			}
			if string(got) != f.src {
				t.Errorf("%s is not formatted as opa fmt (Rego v1) writes it; make these lines match (-file +formatted):\n%s", f.path, lineDiff(f.src, string(got)))
			}
		})
	}
}

// Every policy compiles, together with the libs its template embeds, as
// `opa check --strict` compiles it: unused variables and imports, shadowed
// built-ins and deprecated built-ins are errors.
func TestRegoCompilesStrict(t *testing.T) {
	libs := libRego(t)
	libPath := map[string]string{} // package path ("lib.workload") -> file
	for _, f := range libs {
		mod := parseRegoV1(t, f)
		libPath[strings.TrimPrefix(mod.Package.Path.String(), "data.")] = f.path
	}

	compile := func(t *testing.T, files []regoFile) {
		t.Helper()
		modules := map[string]*ast.Module{}
		for _, f := range files {
			modules[f.path] = parseRegoV1(t, f)
		}
		// The options of OPA's cmd/check.go with --strict and no schemas.
		compiler := ast.NewCompiler().
			WithCapabilities(ast.CapabilitiesForThisVersion(ast.CapabilitiesRegoVersion(ast.RegoV1))).
			WithEnablePrintStatements(true).
			WithStrict(true).
			WithUseTypeCheckAnnotations(true)
		if compiler.Compile(modules); compiler.Failed() {
			var msgs []string
			for _, e := range compiler.Errors {
				msgs = append(msgs, e.Error())
			}
			t.Errorf("opa check --strict fails:\n  %s", strings.Join(msgs, "\n  "))
		}
	}

	// The libs on their own, so that a lib no policy imports yet is checked too.
	t.Run("internal/policies/lib", func(t *testing.T) { compile(t, libs) })

	for _, f := range policyRego(t) {
		t.Run(f.path, func(t *testing.T) {
			srcs, err := lib.RegoFor(f.src)
			if err != nil {
				t.Fatal(err)
			}
			files := []regoFile{f}
			for _, src := range srcs {
				mod := parseRegoV1(t, regoFile{path: "lib", src: src})
				pkg := strings.TrimPrefix(mod.Package.Path.String(), "data.")
				path, ok := libPath[pkg]
				if !ok {
					t.Fatalf("lib %s is embedded but not found in internal/policies/lib", pkg)
				}
				files = append(files, regoFile{path: path, src: src})
			}
			compile(t, files)
		})
	}
}

func parseRegoV1(t *testing.T, f regoFile) *ast.Module {
	t.Helper()
	mod, err := ast.ParseModuleWithOpts(f.path, f.src, ast.ParserOptions{RegoVersion: ast.RegoV1, ProcessAnnotation: true})
	if err != nil {
		t.Fatalf("%s does not parse as Rego v1: %v", f.path, err)
	}
	return mod
}

// lineDiff shows the lines between the first and the last that differ, numbered
// as in a, at most maxDiffLines of each side.
func lineDiff(a, b string) string {
	const maxDiffLines = 12
	al, bl := strings.Split(a, "\n"), strings.Split(b, "\n")
	start := 0
	for start < len(al) && start < len(bl) && al[start] == bl[start] {
		start++
	}
	ae, be := len(al), len(bl)
	for ae > start && be > start && al[ae-1] == bl[be-1] {
		ae, be = ae-1, be-1
	}
	var sb strings.Builder
	side := func(sign string, lines []string) {
		for i, l := range lines {
			if i == maxDiffLines {
				fmt.Fprintf(&sb, "%s ... (%d more lines)\n", sign, len(lines)-i)
				break
			}
			fmt.Fprintf(&sb, "%s %s\n", sign, l)
		}
	}
	fmt.Fprintf(&sb, "at line %d:\n", start+1)
	side("-", al[start:ae])
	side("+", bl[start:be])
	return sb.String()
}
