// Package scaffold writes a new policy into a gatewarden checkout: the spec,
// Rego and CEL under internal/policies/<key>/, the suite under tests/<key>/ and
// the bypass suite under tests/bypass/<key>/,
// each with a small working rule and the cases the harness requires of its
// scope, then registers the folder. Rendering is left to `make generate`.
package scaffold

import (
	"bytes"
	"embed"
	"errors"
	"fmt"
	"go/token"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"text/template"

	"github.com/gatewarden/gatewarden/internal/render"
	"github.com/gatewarden/gatewarden/internal/spec"
)

//go:embed skeleton
var skeletons embed.FS

// ErrRefused is returned for a key or Kind that is malformed or taken, and for
// options that do not fit together.
var ErrRefused = errors.New("refused")

// Options say what to scaffold.
type Options struct {
	Root        string     // the repository root
	Key         string     // e.g. no-interactive-containers
	Kind        string     // e.g. K8sNoInteractiveContainers
	Scope       spec.Scope // container, pod or object
	Referential bool       // Rego-only, reads data.inventory
	// Known are the policies compiled into the running binary; folders on disk
	// are checked too, so a policy scaffolded but not yet generated counts.
	Known []*spec.Policy
}

type data struct {
	Key, Kind, Pkg, RegoPkg, Title string
}

// New writes the policy and returns the files it wrote, relative to Root.
func New(o Options) ([]string, error) {
	if err := o.check(); err != nil {
		return nil, err
	}
	skeleton := string(o.Scope)
	if o.Referential {
		skeleton = "referential"
	}
	d := data{
		Key:     o.Key,
		Kind:    o.Kind,
		Pkg:     render.PackageName(o.Key),
		RegoPkg: strings.ToLower(o.Kind),
		Title:   strings.ToUpper(o.Key[:1]) + strings.ReplaceAll(o.Key[1:], "-", " "),
	}
	files := map[string][]byte{}
	base := "skeleton/" + skeleton
	err := fs.WalkDir(skeletons, base, func(p string, e fs.DirEntry, err error) error {
		if err != nil || e.IsDir() {
			return err
		}
		rel := strings.TrimSuffix(strings.TrimPrefix(p, base+"/"), ".tmpl")
		dest := path.Join("internal/policies", o.Key, rel)
		switch {
		case strings.HasPrefix(rel, "tests/"):
			dest = path.Join("tests", o.Key, strings.TrimPrefix(rel, "tests/"))
		case strings.HasPrefix(rel, "bypass/"):
			dest = path.Join("tests", "bypass", o.Key, strings.TrimPrefix(rel, "bypass/"))
		}
		src, err := fs.ReadFile(skeletons, p)
		if err != nil {
			return err
		}
		t, err := template.New(p).Delims("<%", "%>").Option("missingkey=error").Parse(string(src))
		if err != nil {
			return err
		}
		var b bytes.Buffer
		if err := t.Execute(&b, d); err != nil {
			return err
		}
		files[dest] = b.Bytes()
		return nil
	})
	if err != nil {
		return nil, err
	}
	var written []string
	for p := range files {
		written = append(written, p)
	}
	sort.Strings(written)
	for _, p := range written {
		full := filepath.Join(o.Root, filepath.FromSlash(p))
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			return nil, err
		}
		if err := os.WriteFile(full, files[p], 0o644); err != nil {
			return nil, err
		}
	}
	if err := addChangelogEntry(o.Root, fmt.Sprintf("- `%s` 0.1.0: new policy %s (%s scope).", o.Kind, o.Key, o.Scope)); err != nil {
		return nil, err
	}
	written = append(written, "CHANGELOG.md")
	keys, err := render.PolicyKeys(os.DirFS(o.Root))
	if err != nil {
		return nil, err
	}
	reg, err := render.Registry(keys)
	if err != nil {
		return nil, err
	}
	if err := os.WriteFile(filepath.Join(o.Root, filepath.FromSlash(render.RegistryPath)), reg, 0o644); err != nil {
		return nil, err
	}
	return append(written, render.RegistryPath), nil
}

var kindLineRE = regexp.MustCompile(`(?m)^\s*Kind:\s*"([^"]+)"`)

// check collects every reason to refuse, each with its fix.
func (o Options) check() error {
	var errs []error
	refuse := func(format string, args ...any) {
		errs = append(errs, fmt.Errorf("%w: %s", ErrRefused, fmt.Sprintf(format, args...)))
	}
	if _, err := os.Stat(filepath.Join(o.Root, "internal", "policies", "lib")); err != nil {
		return fmt.Errorf("%w: %s is not the root of a gatewarden checkout (no internal/policies/lib): run this in the repository root or pass --root", ErrRefused, o.Root)
	}
	if !spec.ValidKey(o.Key) {
		refuse("key %q must be lower-case words joined by '-', starting with a letter (e.g. no-interactive-containers)", o.Key)
	} else if pkg := render.PackageName(o.Key); token.IsKeyword(pkg) || pkg == "spec" || pkg == "lib" || pkg == "policies" {
		refuse("key %q would make the Go package %q, a name the registry needs: choose another key", o.Key, pkg)
	}
	if !spec.ValidKind(o.Kind) {
		fix := DefaultKind(o.Key)
		refuse("Kind %q must be K8s followed by UpperCamelCase letters and digits (e.g. %s)", o.Kind, fix)
	}
	switch o.Scope {
	case spec.ScopeContainer, spec.ScopePod, spec.ScopeObject:
	default:
		refuse("scope %q must be container, pod or object", o.Scope)
	}
	if o.Referential && o.Scope != spec.ScopeObject {
		refuse("--referential scaffolds an object policy that reads data.inventory: drop --scope %s or --referential", o.Scope)
	}
	if len(errs) > 0 {
		return errors.Join(errs...)
	}

	for _, dir := range []string{filepath.Join("internal", "policies", o.Key), filepath.Join("tests", o.Key), filepath.Join("tests", "bypass", o.Key)} {
		if _, err := os.Stat(filepath.Join(o.Root, dir)); err == nil {
			refuse("%s already exists: choose another key, or remove the folder if it is a leftover", filepath.ToSlash(dir))
		}
	}
	kinds := map[string]string{}
	for _, p := range o.Known {
		kinds[strings.ToLower(p.Kind)] = p.Key
	}
	entries, _ := os.ReadDir(filepath.Join(o.Root, "internal", "policies"))
	for _, e := range entries {
		src, err := os.ReadFile(filepath.Join(o.Root, "internal", "policies", e.Name(), "policy.go"))
		if err != nil {
			continue
		}
		for _, m := range kindLineRE.FindAllSubmatch(src, -1) {
			kinds[strings.ToLower(string(m[1]))] = e.Name()
		}
	}
	if key, ok := kinds[strings.ToLower(o.Kind)]; ok {
		refuse("Kind %q is taken by policy %s (template names are the lower-cased Kind): choose another Kind", o.Kind, key)
	}
	return errors.Join(errs...)
}

// DefaultKind is the Kind a key suggests: K8s and the key in UpperCamelCase
// (no-host-ports -> K8sNoHostPorts).
func DefaultKind(key string) string {
	var b strings.Builder
	b.WriteString("K8s")
	for _, w := range strings.FieldsFunc(strings.ToLower(key), func(r rune) bool { return !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9') }) {
		b.WriteString(strings.ToUpper(w[:1]) + w[1:])
	}
	return b.String()
}

// addChangelogEntry adds line to the "### Added" list of the "## Unreleased"
// section of CHANGELOG.md, creating what is missing.
func addChangelogEntry(root, line string) error {
	path := filepath.Join(root, "CHANGELOG.md")
	data, err := os.ReadFile(path)
	if err != nil && !os.IsNotExist(err) {
		return err
	}
	text := string(data)
	if text == "" {
		text = "# Changelog\n"
	}
	unreleased := strings.Index(text, "\n## Unreleased\n")
	if unreleased < 0 {
		title := strings.Index(text, "\n## ")
		if title < 0 {
			title = len(text)
		}
		text = strings.TrimRight(text[:title], "\n") + "\n\n## Unreleased\n" + text[title:]
		unreleased = strings.Index(text, "\n## Unreleased\n")
	}
	start := unreleased + len("\n## Unreleased\n")
	end := len(text)
	if next := strings.Index(text[start:], "\n## "); next >= 0 {
		end = start + next
	}
	section := text[start:end]
	if i := strings.Index(section, "### Added\n"); i >= 0 {
		// After the last line of the list that follows the heading.
		j := i + len("### Added\n")
		rest := section[j:]
		k := 0
		for _, l := range strings.SplitAfter(rest, "\n") {
			if trimmed := strings.TrimSpace(l); trimmed != "" && !strings.HasPrefix(l, "- ") && !strings.HasPrefix(l, "  ") {
				break
			}
			k += len(l)
		}
		insert := start + j + len(strings.TrimRight(rest[:k], "\n"))
		text = text[:insert] + "\n" + line + text[insert:]
	} else {
		text = text[:start] + "\n### Added\n\n" + line + "\n" + text[start:]
	}
	return os.WriteFile(path, []byte(text), 0o644)
}
