// Package lib embeds the shared Rego (package lib.<name>) and CEL variables that
// the generator inlines into each template that uses them.
package lib

import (
	"embed"
	"fmt"
	"io/fs"
	"regexp"
	"sort"
	"strings"

	"go.yaml.in/yaml/v3"
)

//go:embed *.rego lib.cel
var files embed.FS

// Variable is one CEL variable of a K8sNativeValidation source.
type Variable struct {
	Name       string `yaml:"name" json:"name"`
	Expression string `yaml:"expression" json:"expression"`
}

var packageRE = regexp.MustCompile(`(?m)^package (lib\.[a-z_][a-z0-9_]*)\s*$`)
var importRE = regexp.MustCompile(`(?m)^import (data\.lib\.[a-z_][a-z0-9_]*)`)

// Rego returns the Rego libs keyed by package path (e.g. "lib.workload").
func Rego() (map[string]string, error) {
	out := map[string]string{}
	entries, err := fs.Glob(files, "*.rego")
	if err != nil {
		return nil, err
	}
	for _, name := range entries {
		src, err := fs.ReadFile(files, name)
		if err != nil {
			return nil, err
		}
		m := packageRE.FindStringSubmatch(string(src))
		if m == nil {
			return nil, fmt.Errorf("lib %s: no 'package lib.<name>' line", name)
		}
		if _, dup := out[m[1]]; dup {
			return nil, fmt.Errorf("lib %s: package %s defined twice", name, m[1])
		}
		out[m[1]] = string(src)
	}
	return out, nil
}

// RegoFor returns the libs a module imports, transitively, sorted by package.
func RegoFor(module string) ([]string, error) {
	libs, err := Rego()
	if err != nil {
		return nil, err
	}
	seen := map[string]bool{}
	var visit func(src string) error
	visit = func(src string) error {
		for _, m := range importRE.FindAllStringSubmatch(src, -1) {
			pkg := strings.TrimPrefix(m[1], "data.")
			if seen[pkg] {
				continue
			}
			lib, ok := libs[pkg]
			if !ok {
				return fmt.Errorf("import %s: no such lib in internal/policies/lib", m[1])
			}
			seen[pkg] = true
			if err := visit(lib); err != nil {
				return err
			}
		}
		return nil
	}
	if err := visit(module); err != nil {
		return nil, err
	}
	pkgs := make([]string, 0, len(seen))
	for p := range seen {
		pkgs = append(pkgs, p)
	}
	sort.Strings(pkgs)
	out := make([]string, len(pkgs))
	for i, p := range pkgs {
		out[i] = libs[p]
	}
	return out, nil
}

// CEL returns the shared CEL variables in the order they must be declared.
func CEL() ([]Variable, error) {
	src, err := files.ReadFile("lib.cel")
	if err != nil {
		return nil, err
	}
	var vars []Variable
	if err := yaml.Unmarshal(src, &vars); err != nil {
		return nil, fmt.Errorf("lib.cel: %w", err)
	}
	return vars, nil
}

var varRefRE = regexp.MustCompile(`variables\.([A-Za-z_][A-Za-z0-9_]*)`)

// References returns the names of the variables an expression reads.
func References(expr string) []string {
	var out []string
	for _, m := range varRefRE.FindAllStringSubmatch(expr, -1) {
		out = append(out, m[1])
	}
	return out
}

// CELFor returns the shared variables the given expressions read, transitively,
// in declaration order.
func CELFor(exprs ...string) ([]Variable, error) {
	vars, err := CEL()
	if err != nil {
		return nil, err
	}
	byName := map[string]Variable{}
	for _, v := range vars {
		byName[v.Name] = v
	}
	need := map[string]bool{}
	var visit func(expr string)
	visit = func(expr string) {
		for _, ref := range References(expr) {
			v, ok := byName[ref]
			if !ok || need[ref] {
				continue
			}
			need[ref] = true
			visit(v.Expression)
		}
	}
	for _, e := range exprs {
		visit(e)
	}
	var out []Variable
	for _, v := range vars {
		if need[v.Name] {
			out = append(out, v)
		}
	}
	return out, nil
}
