// Package check evaluates manifests offline against the policy library: the same
// templates and constraints Gatekeeper enforces, through the same framework.
package check

import (
	"context"
	"fmt"
	"io"
	"runtime"
	"slices"
	"sort"
	"strings"
	"sync"

	templatesv1 "github.com/open-policy-agent/frameworks/constraint/pkg/apis/templates/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	k8sruntime "k8s.io/apimachinery/pkg/runtime"

	"github.com/gatewarden/gatewarden/internal/engine"
	"github.com/gatewarden/gatewarden/internal/manifest"
	"github.com/gatewarden/gatewarden/internal/render"
	"github.com/gatewarden/gatewarden/internal/report"
	"github.com/gatewarden/gatewarden/internal/spec"
)

// Library is a set of templates and the constraints that instantiate them.
type Library struct {
	Templates   []*templatesv1.ConstraintTemplate
	Constraints []*unstructured.Unstructured
	locations   []location
}

// BuiltIn renders the compiled-in catalog, or one bundle of it (bundle "" is
// the whole library with default constraints): no files are needed at run time.
func BuiltIn(policies []*spec.Policy, bundle string) (*Library, error) {
	lib := &Library{}
	for _, p := range policies {
		if bundle != "" && !p.InBundle(bundle) {
			continue
		}
		ct, err := render.Template(p)
		if err != nil {
			return nil, err
		}
		b := bundle
		if b == "" {
			b = "hardened"
		}
		c, err := render.BundleConstraint(p, b)
		if err != nil {
			return nil, err
		}
		lib.Templates = append(lib.Templates, ct)
		lib.Constraints = append(lib.Constraints, c)
	}
	return lib, nil
}

// Load adds the library to a client. Templates the client's engine cannot
// evaluate (referential templates on a CEL-only client) are skipped with their
// constraints and returned, so callers can say so.
func Load(ctx context.Context, c *engine.Client, lib *Library) (skipped []string, err error) {
	skipped, problems := load(ctx, c, lib)
	if len(problems) > 0 {
		return nil, problems[0]
	}
	return skipped, nil
}

func load(ctx context.Context, c *engine.Client, lib *Library) (skipped []string, problems []manifest.Problem) {
	kinds := map[string]bool{}
	for _, ct := range lib.Templates {
		if !c.Supports(ct) {
			skipped = append(skipped, ct.Spec.CRD.Spec.Names.Kind)
			continue
		}
		if err := c.AddTemplate(ctx, ct); err != nil {
			problems = append(problems, manifest.Problem{File: "<policies>", Message: err.Error()})
			continue
		}
		kinds[ct.Spec.CRD.Spec.Names.Kind] = true
	}
	for _, con := range lib.Constraints {
		if !kinds[con.GetKind()] {
			if !slices.Contains(skipped, con.GetKind()) {
				problems = append(problems, manifest.Problem{File: "<policies>", Message: fmt.Sprintf("%sconstraint %s %q has no template", lib.locate(con), con.GetKind(), con.GetName())})
			}
			continue
		}
		if err := c.AddConstraint(ctx, con); err != nil {
			problems = append(problems, manifest.Problem{File: "<policies>", Message: lib.locate(con) + err.Error()})
		}
	}
	return skipped, problems
}

// Config says what to check and how.
type Config struct {
	// Paths are files, folders (recursive) and "-" for stdin.
	Paths []string
	// Kustomize are kustomization directories built before checking (-k).
	Kustomize []string
	// Inventory are extra objects (cluster state) for referential policies only.
	Inventory []string
	Stdin     io.Reader
	Engine    engine.Engine
	Library   *Library
	// Workers bounds concurrent reviews (default: the number of CPUs).
	Workers int
}

// Run reads the manifests, loads them (and Inventory) as inventory too, as
// Gatekeeper's sync would (the kinds the referential templates read: see
// inventoryNeeds), and reviews every object, in parallel.
func Run(ctx context.Context, cfg Config) (*report.Report, error) {
	in := manifest.Read(cfg.Paths, cfg.Stdin)
	for _, dir := range cfg.Kustomize {
		k := manifest.Kustomize(dir)
		in.Objects = append(in.Objects, k.Objects...)
		in.Problems = append(in.Problems, k.Problems...)
	}
	inv := &manifest.Result{}
	if len(cfg.Inventory) > 0 {
		inv = manifest.Read(cfg.Inventory, nil)
	}
	c, err := engine.New(cfg.Engine)
	if err != nil {
		return nil, err
	}
	rep := &report.Report{Problems: append(in.Problems, inv.Problems...), Rules: rules(cfg.Library)}
	skipped, problems := load(ctx, c, cfg.Library)
	rep.Problems = append(rep.Problems, problems...)
	for _, k := range skipped {
		rep.Problems = append(rep.Problems, manifest.Problem{File: "<policies>", Message: fmt.Sprintf("%s is not evaluated: it has no %s code", k, cfg.Engine), Warning: true})
	}
	namespaces := map[string]*corev1.Namespace{}
	needs := inventoryFor(c, cfg.Library)
	for _, o := range append(append([]manifest.Object(nil), in.Objects...), inv.Objects...) {
		if needs.includes(o.Object) {
			if err := c.AddData(ctx, o.Object); err != nil {
				rep.Problems = append(rep.Problems, manifest.Problem{File: o.File, Line: o.Line, Message: err.Error()})
			}
		}
		if o.Object.GetKind() == "Namespace" && o.Object.GetAPIVersion() == "v1" {
			ns := &corev1.Namespace{}
			if err := k8sruntime.DefaultUnstructuredConverter.FromUnstructured(o.Object.Object, ns); err == nil {
				namespaces[ns.Name] = ns
			}
		}
	}

	// The Namespace each object is reviewed with, decided up front so that
	// warnings come out in input order.
	selectors := namespaceSelectorKinds(cfg.Library)
	assumed := map[string]bool{}
	nsFor := make([]*corev1.Namespace, len(in.Objects))
	for i, o := range in.Objects {
		ns := namespaces[o.Object.GetNamespace()]
		if name := namespaceOf(o.Object); ns == nil && name != "" {
			ns = namespaces[name]
			if ns == nil {
				// Gatekeeper matches a namespaceSelector against the object's
				// Namespace: without it in the input, the framework cannot decide
				// and refuses the object. Evaluate as for a namespace without labels.
				ns = &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: name}}
				if len(selectors) > 0 && !assumed[name] {
					assumed[name] = true
					rep.Problems = append(rep.Problems, manifest.Problem{File: o.File, Line: o.Line, Warning: true, Message: fmt.Sprintf(
						"namespace %q is not in the input: the constraints that select namespaces by label (%s) are evaluated as for a namespace without labels, add its Namespace object to check them as in the cluster",
						name, strings.Join(selectors, ", "))})
				}
			}
		}
		nsFor[i] = ns
	}

	workers := cfg.Workers
	if workers <= 0 {
		workers = runtime.NumCPU()
	}
	objects := make([]report.Object, len(in.Objects))
	errs := make([]error, len(in.Objects))
	matches := constraintMatches(cfg.Library)
	var wg sync.WaitGroup
	next := make(chan int)
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				o := in.Objects[i]
				results, err := c.ReviewRequest(ctx, engine.Request{Object: o.Object, Namespace: nsFor[i]})
				ns := o.Object.GetNamespace()
				if nsFor[i] != nil {
					ns = nsFor[i].Name
				}
				errs[i] = err
				objects[i] = report.Object{
					File:       o.File,
					Line:       o.Line,
					APIVersion: o.Object.GetAPIVersion(),
					Kind:       o.Object.GetKind(),
					Namespace:  o.Object.GetNamespace(),
					Name:       o.Object.GetName(),
					Violations: results,
					Matched:    matchedConstraints(matches, o.Object, ns),
				}
			}
		}()
	}
	for i := range in.Objects {
		next <- i
	}
	close(next)
	wg.Wait()
	for i, o := range in.Objects {
		if errs[i] != nil {
			rep.Problems = append(rep.Problems, manifest.Problem{File: o.File, Line: o.Line, Message: errs[i].Error()})
			continue
		}
		rep.Objects = append(rep.Objects, objects[i])
	}
	rep.Sort()
	rep.Summarize()
	return rep, nil
}

// namespaceOf is the namespace an object is reviewed in: its own, or "default"
// for a workload that names none (it lands in the namespace it is applied to).
// Other objects without a namespace are taken to be cluster-scoped.
func namespaceOf(o *unstructured.Unstructured) string {
	if ns := o.GetNamespace(); ns != "" {
		return ns
	}
	if slices.Contains(spec.WorkloadKinds(), o.GetKind()) {
		return "default"
	}
	return ""
}

// namespaceSelectorKinds lists the kinds of the library's constraints that
// select namespaces by label.
func namespaceSelectorKinds(lib *Library) []string {
	var out []string
	for _, c := range lib.Constraints {
		if _, ok, _ := unstructured.NestedMap(c.Object, "spec", "match", "namespaceSelector"); ok && !slices.Contains(out, c.GetKind()) {
			out = append(out, c.GetKind())
		}
	}
	sort.Strings(out)
	return out
}
