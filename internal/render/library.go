package render

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"

	"github.com/gatewarden/gatewarden/internal/spec"
)

// Generated directories: every file in them is rendered, so a stale file (a policy
// that was removed) is drift too.
var GeneratedDirs = []string{"templates", "constraints", "sync", "components/baseline", "components/restricted", "components/hardened", NativeDir, "docs/policies"}

// Sink receives rendered files; paths are slash-separated and relative to the repository root.
type Sink interface {
	Write(path string, data []byte) error
}

// MemSink keeps rendered files in memory (tests, drift checks).
type MemSink map[string][]byte

// Write implements Sink.
func (m MemSink) Write(p string, data []byte) error {
	if _, dup := m[p]; dup {
		return fmt.Errorf("render: %s written twice", p)
	}
	m[p] = data
	return nil
}

// DirSink writes rendered files below Root.
type DirSink struct{ Root string }

// Write implements Sink.
func (d DirSink) Write(p string, data []byte) error {
	full := filepath.Join(d.Root, filepath.FromSlash(p))
	if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
		return err
	}
	return os.WriteFile(full, data, 0o644)
}

type sortOptions struct {
	Order string `json:"order"`
}

type kustomization struct {
	APIVersion  string       `json:"apiVersion"`
	Kind        string       `json:"kind"`
	SortOptions *sortOptions `json:"sortOptions,omitempty"`
	Resources   []string     `json:"resources"`
}

func kustomizationFile(resources []string, fifo bool) ([]byte, error) {
	return kustomizationOfKind("Kustomization", "kustomize.config.k8s.io/v1beta1", resources, fifo)
}

func kustomizationOfKind(kind, apiVersion string, resources []string, fifo bool) ([]byte, error) {
	k := kustomization{APIVersion: apiVersion, Kind: kind, Resources: resources}
	if fifo {
		k.SortOptions = &sortOptions{Order: "fifo"}
	}
	y, err := YAML(k)
	if err != nil {
		return nil, err
	}
	return Documents(y), nil
}

// Library renders the whole catalog into sink. readme is the current README.md,
// whose catalog table is rendered too (nil: leave README.md alone).
func Library(policies []*spec.Policy, sink Sink, readme []byte) error {
	if readme != nil {
		out, err := README(readme, policies)
		if err != nil {
			return err
		}
		if err := sink.Write("README.md", out); err != nil {
			return err
		}
	}
	sorted := append([]*spec.Policy(nil), policies...)
	sort.Slice(sorted, func(i, j int) bool { return sorted[i].Key < sorted[j].Key })

	var tmpl, cons, syncs []string
	for _, p := range sorted {
		ct, err := Template(p)
		if err != nil {
			return err
		}
		y, err := YAML(ct)
		if err != nil {
			return fmt.Errorf("render %q: %w", p.Key, err)
		}
		if err := sink.Write("templates/"+p.Key+".yaml", Documents(y)); err != nil {
			return err
		}
		tmpl = append(tmpl, p.Key+".yaml")

		c, err := Constraint(p)
		if err != nil {
			return err
		}
		if y, err = YAML(c.Object); err != nil {
			return fmt.Errorf("render %q: %w", p.Key, err)
		}
		if err := sink.Write("constraints/"+p.Key+".yaml", Documents(y)); err != nil {
			return err
		}
		cons = append(cons, p.Key+".yaml")

		if p.Referential() {
			if y, err = YAML(SyncSet(p)); err != nil {
				return fmt.Errorf("render %q: %w", p.Key, err)
			}
			if err := sink.Write("sync/"+p.Key+".yaml", Documents(y)); err != nil {
				return err
			}
			syncs = append(syncs, p.Key+".yaml")
		}
	}
	root := []string{"templates", "constraints"}
	for dir, files := range map[string][]string{"templates": tmpl, "constraints": cons, "sync": syncs} {
		if len(files) == 0 {
			continue
		}
		k, err := kustomizationFile(files, false)
		if err != nil {
			return err
		}
		if err := sink.Write(dir+"/kustomization.yaml", k); err != nil {
			return err
		}
	}
	if len(syncs) > 0 {
		root = append(root, "sync")
	}
	if err := bundles(sorted, sink); err != nil {
		return err
	}
	if err := native(sorted, sink); err != nil {
		return err
	}
	// fifo keeps templates before constraints in both `kubectl kustomize` and
	// `kustomize build`: kustomize's legacy order would otherwise sort by kind.
	k, err := kustomizationFile(root, true)
	if err != nil {
		return err
	}
	return sink.Write("kustomization.yaml", k)
}

// ErrDrift reports committed generated files that differ from a fresh render.
var ErrDrift = errors.New("generated files are out of date: run `make generate`")

// Diff compares rendered files with the tree at root and lists every path that
// differs, is missing, or is a stale file in a generated directory.
func Diff(rendered MemSink, root fs.FS) ([]string, error) {
	var out []string
	for p, want := range rendered {
		got, err := fs.ReadFile(root, p)
		if err != nil {
			out = append(out, p+" (missing)")
			continue
		}
		if !bytes.Equal(got, want) {
			out = append(out, p+" (differs)")
		}
	}
	for _, dir := range GeneratedDirs {
		err := fs.WalkDir(root, dir, func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				if errors.Is(err, fs.ErrNotExist) {
					return fs.SkipDir
				}
				return err
			}
			if !d.IsDir() {
				if _, ok := rendered[p]; !ok {
					out = append(out, p+" (stale: no policy renders it)")
				}
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	sort.Strings(out)
	return out, nil
}

// Clean removes the generated directories below root before a fresh render.
func Clean(root string) error {
	for _, dir := range GeneratedDirs {
		if err := os.RemoveAll(filepath.Join(root, dir)); err != nil {
			return err
		}
	}
	return nil
}

// bundles renders components/<bundle>/: a kustomize Component holding the
// constraints of the bundle's policies with the bundle's parameters. Use one with
// templates/: `resources: [templates]` and `components: [components/baseline]`.
func bundles(policies []*spec.Policy, sink Sink) error {
	for _, b := range spec.Bundles {
		var files []string
		for _, p := range policies {
			if !p.InBundle(b) {
				continue
			}
			c, err := BundleConstraint(p, b)
			if err != nil {
				return err
			}
			y, err := YAML(c.Object)
			if err != nil {
				return fmt.Errorf("render %q: %w", p.Key, err)
			}
			dir := "components/" + b + "/"
			if err := sink.Write(dir+p.Key+".yaml", Documents(y)); err != nil {
				return err
			}
			files = append(files, p.Key+".yaml")
		}
		k, err := kustomizationOfKind("Component", "kustomize.config.k8s.io/v1alpha1", files, false)
		if err != nil {
			return err
		}
		if err := sink.Write("components/"+b+"/kustomization.yaml", k); err != nil {
			return err
		}
	}
	return nil
}
