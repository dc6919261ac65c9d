package check

import (
	"strings"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/gatewarden/gatewarden/internal/policies"
	"github.com/gatewarden/gatewarden/internal/render"
	"github.com/gatewarden/gatewarden/internal/report"
)

// matchedConstraints lists the constraints (Kind/name) whose match.kinds and
// namespace filters select obj: the junit output has a test case for each.
// Label and namespace selectors are not evaluated here; the framework applies
// them when it reviews, so a constraint they exclude simply passes.
func matchedConstraints(lib *Library, obj *unstructured.Unstructured) []string {
	var out []string
	for _, c := range lib.Constraints {
		if constraintSelects(c, obj) {
			out = append(out, c.GetKind()+"/"+c.GetName())
		}
	}
	return out
}

func constraintSelects(c, obj *unstructured.Unstructured) bool {
	gvk := obj.GroupVersionKind()
	kinds, found, _ := unstructured.NestedSlice(c.Object, "spec", "match", "kinds")
	if found && len(kinds) > 0 {
		ok := false
		for _, k := range kinds {
			m, _ := k.(map[string]any)
			groups, _, _ := unstructured.NestedStringSlice(m, "apiGroups")
			names, _, _ := unstructured.NestedStringSlice(m, "kinds")
			if matchesAny(groups, gvk.Group) && matchesAny(names, gvk.Kind) {
				ok = true
				break
			}
		}
		if !ok {
			return false
		}
	}
	ns := obj.GetNamespace()
	if ns == "" {
		return true
	}
	if included, found, _ := unstructured.NestedStringSlice(c.Object, "spec", "match", "namespaces"); found && !globAny(included, ns) {
		return false
	}
	if excluded, _, _ := unstructured.NestedStringSlice(c.Object, "spec", "match", "excludedNamespaces"); globAny(excluded, ns) {
		return false
	}
	return true
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
