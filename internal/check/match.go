package check

import (
	"strings"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/gatewarden/gatewarden/internal/policies"
	"github.com/gatewarden/gatewarden/internal/render"
	"github.com/gatewarden/gatewarden/internal/report"
)

// matchedConstraints lists the constraints (Kind/name) whose match.kinds and
// namespace filters select obj, reviewed in namespace ns ("" for none): the
// junit output has a test case for each. Label and namespace selectors are not
// evaluated here; the framework applies them when it reviews, so a constraint
// they exclude simply passes.
func matchedConstraints(ms []constraintMatch, obj *unstructured.Unstructured, ns string) []string {
	var out []string
	for i := range ms {
		if ms[i].selects(obj, ns) {
			out = append(out, ms[i].name)
		}
	}
	return out
}

// constraintMatch is what matchedConstraints reads of a constraint's
// spec.match, taken out once rather than for every object reviewed.
type constraintMatch struct {
	name string
	// kinds is nil when the constraint names no kinds: every kind matches.
	kinds      []kindMatch
	namespaces []string
	excluded   []string
}

// kindMatch is one entry of match.kinds; an empty list matches anything.
type kindMatch struct{ groups, kinds []string }

func constraintMatches(lib *Library) []constraintMatch {
	out := make([]constraintMatch, 0, len(lib.Constraints))
	for _, c := range lib.Constraints {
		m := constraintMatch{name: c.GetKind() + "/" + c.GetName()}
		kinds, found, _ := unstructured.NestedSlice(c.Object, "spec", "match", "kinds")
		if found && len(kinds) > 0 {
			m.kinds = make([]kindMatch, 0, len(kinds))
			for _, k := range kinds {
				km, _ := k.(map[string]any)
				groups, _, _ := unstructured.NestedStringSlice(km, "apiGroups")
				names, _, _ := unstructured.NestedStringSlice(km, "kinds")
				m.kinds = append(m.kinds, kindMatch{groups: groups, kinds: names})
			}
		}
		// An empty list restricts nothing, as in Gatekeeper.
		m.namespaces, _, _ = unstructured.NestedStringSlice(c.Object, "spec", "match", "namespaces")
		m.excluded, _, _ = unstructured.NestedStringSlice(c.Object, "spec", "match", "excludedNamespaces")
		out = append(out, m)
	}
	return out
}

// selects mirrors Gatekeeper's matcher for kinds, namespaces and
// excludedNamespaces: a Namespace is matched by its own name, any other object
// by the namespace it is reviewed in, and a cluster-scoped one by neither.
func (m *constraintMatch) selects(obj *unstructured.Unstructured, ns string) bool {
	if m.kinds != nil {
		gvk := obj.GroupVersionKind()
		ok := false
		for _, k := range m.kinds {
			if matchesAny(k.groups, gvk.Group) && matchesAny(k.kinds, gvk.Kind) {
				ok = true
				break
			}
		}
		if !ok {
			return false
		}
	}
	if gvk := obj.GroupVersionKind(); gvk.Group == "" && gvk.Kind == "Namespace" {
		ns = obj.GetName()
	}
	if ns == "" {
		return true
	}
	if len(m.namespaces) > 0 && !globAny(m.namespaces, ns) {
		return false
	}
	return !globAny(m.excluded, ns)
}

func matchesAny(list []string, v string) bool {
	if len(list) == 0 {
		return true
	}
	for _, x := range list {
		if x == "*" || x == v {
			return true
		}
	}
	return false
}

// globAny matches Gatekeeper's namespace globs: a leading or trailing '*'.
func globAny(patterns []string, ns string) bool {
	for _, p := range patterns {
		switch {
		case p == ns:
			return true
		case strings.HasSuffix(p, "*") && strings.HasPrefix(ns, strings.TrimSuffix(p, "*")):
			return true
		case strings.HasPrefix(p, "*") && strings.HasSuffix(ns, strings.TrimPrefix(p, "*")):
			return true
		}
	}
	return false
}

// DocsURL is where the reference page of a built-in policy lives.
const DocsURL = "https://github.com/gatewarden/gatewarden/blob/main/docs/policies/"

// rules describes each template for formats that carry rule metadata (SARIF).
func rules(lib *Library) []report.Rule {
	var out []report.Rule
	for _, ct := range lib.Templates {
		kind := ct.Spec.CRD.Spec.Names.Kind
		r := report.Rule{
			ID:          kind,
			Title:       ct.Annotations[render.AnnotationTitle],
			Description: ct.Annotations[render.AnnotationDescription],
		}
		if r.Title == "" {
			r.Title = kind
		}
		if p, ok := policies.ByKey(kind); ok {
			r.HelpURI = DocsURL + p.Key + ".md"
		}
		out = append(out, r)
	}
	return out
}
