package check

import (
	"regexp"
	"slices"
	"strings"

	templatesv1 "github.com/open-policy-agent/frameworks/constraint/pkg/apis/templates/v1"
	"github.com/open-policy-agent/gatekeeper/v3/pkg/cachemanager/parser"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/gatewarden/gatewarden/internal/engine"
	"github.com/gatewarden/gatewarden/internal/render"
)

// inventoryNeeds says which input objects a client's templates can read as
// data.inventory. Gatekeeper's sync gives the templates the kinds its config
// names, and a referential template declares those it reads in
// metadata.gatekeeper.sh/requires-sync-data (the library's sync component syncs
// exactly these). Holding every other object as inventory would change no
// verdict and cost memory and garbage collection on large inputs, so check
// keeps only what some template evaluated with Rego can read: the kinds its
// annotation names, or every object when it reads data without declaring what.
type inventoryNeeds struct {
	all  bool
	gvks []schema.GroupVersionKind
}

// dataRef finds the references to Rego's data document: data.lib.<name> is a
// template's own libs, anything else (data.inventory, data[...], data alone)
// may read the inventory. A field named data of an object (input.….data, or
// "data" in a string) is not one.
var dataRef = regexp.MustCompile(`(?:^|[^.\w"'])data\b(\s*\.\s*lib\b)?`)

func readsData(rego string) bool {
	for _, m := range dataRef.FindAllStringSubmatch(rego, -1) {
		if m[1] == "" {
			return true
		}
	}
	return false
}

// regoSources is the Rego of a template: the legacy rego and libs fields, and
// the code entry of engine Rego.
func regoSources(ct *templatesv1.ConstraintTemplate) []string {
	var out []string
	for _, t := range ct.Spec.Targets {
		out = append(out, t.Rego)
		out = append(out, t.Libs...)
		for _, c := range t.Code {
			if c.Engine != render.EngineRego || c.Source == nil {
				continue
			}
			src, _ := c.Source.Value.(map[string]any)
			if r, ok := src["rego"].(string); ok {
				out = append(out, r)
			}
			if libs, ok := src["libs"].([]any); ok {
				for _, l := range libs {
					if s, ok := l.(string); ok {
						out = append(out, s)
					}
				}
			}
		}
	}
	return out
}

func inventoryFor(c *engine.Client, lib *Library) inventoryNeeds {
	var needs inventoryNeeds
	for _, ct := range lib.Templates {
		if c.EvaluatedWith(ct) != render.EngineRego || !readsData(strings.Join(regoSources(ct), "\n")) {
			continue
		}
		gvks, ok := requiredSync(ct)
		if !ok {
			return inventoryNeeds{all: true}
		}
		needs.gvks = append(needs.gvks, gvks...)
	}
	return needs
}

// requiredSync reads a template's requires-sync-data annotation with
// Gatekeeper's own parser: every GVK of every requirement is kept, since a
// cluster may satisfy a requirement with any of its alternatives.
func requiredSync(ct *templatesv1.ConstraintTemplate) ([]schema.GroupVersionKind, bool) {
	if strings.TrimSpace(ct.GetAnnotations()[parser.SyncAnnotationName]) == "" {
		return nil, false
	}
	v, err := engine.ToVersionless(ct)
	if err != nil {
		return nil, false
	}
	reqs, err := parser.ReadSyncRequirements(v)
	if err != nil || len(reqs) == 0 {
		return nil, false
	}
	var out []schema.GroupVersionKind
	for _, r := range reqs {
		for gvk := range r {
			out = append(out, gvk)
		}
	}
	return out, true
}

func (n inventoryNeeds) includes(o *unstructured.Unstructured) bool {
	if n.all {
		return true
	}
	return slices.Contains(n.gvks, o.GroupVersionKind())
}
