// Package render turns the typed catalog into the files gatewarden ships:
// ConstraintTemplates, default Constraints, sync config and kustomizations. Output
// is byte-for-byte deterministic; the committed files are its golden files.
package render

import (
	"encoding/json"
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"

	templatesv1 "github.com/open-policy-agent/frameworks/constraint/pkg/apis/templates/v1"
	"github.com/open-policy-agent/frameworks/constraint/pkg/core/templates"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	celconfig "k8s.io/apiserver/pkg/apis/cel"

	"github.com/gatewarden/gatewarden/internal/policies/lib"
	"github.com/gatewarden/gatewarden/internal/spec"
)

// Annotation and label keys on rendered objects.
const (
	AnnotationTitle        = "metadata.gatekeeper.sh/title"
	AnnotationVersion      = "metadata.gatekeeper.sh/version"
	AnnotationRequiresSync = "metadata.gatekeeper.sh/requires-sync-data"
	AnnotationDescription  = "description"
	AnnotationPractice     = "gatewarden.dev/practice"
	AnnotationCompliance   = "gatewarden.dev/compliance"
	LabelBundlePrefix      = "bundle.gatewarden.dev/"
	LabelScope             = "gatewarden.dev/scope"
	LabelManagedBy         = "app.kubernetes.io/managed-by"
	ManagedBy              = "gatewarden"

	// TargetName is Gatekeeper's Kubernetes admission target.
	TargetName = "admission.k8s.gatekeeper.sh"
	// EngineRego and EngineCEL name the code engines of a template.
	EngineRego = "Rego"
	EngineCEL  = "K8sNativeValidation"
)

func labels(p *spec.Policy) map[string]string {
	l := map[string]string{LabelManagedBy: ManagedBy, LabelScope: string(p.Scope)}
	for _, b := range p.Bundles {
		l[LabelBundlePrefix+b] = "true"
	}
	return l
}

// Template renders a policy's ConstraintTemplate.
func Template(p *spec.Policy) (*templatesv1.ConstraintTemplate, error) {
	schema, err := spec.Schema(p.Params)
	if err != nil {
		return nil, fmt.Errorf("render %q: %w", p.Key, err)
	}
	annotations := map[string]string{
		AnnotationTitle:       p.Title,
		AnnotationVersion:     p.Version,
		AnnotationDescription: strings.TrimSpace(p.Description),
		AnnotationPractice:    p.Practice,
	}
	if len(p.Compliance) > 0 {
		annotations[AnnotationCompliance] = strings.Join(p.Compliance, "; ")
	}
	if p.Referential() {
		annotations[AnnotationRequiresSync] = requiresSyncData(p.Sync)
	}

	libs, err := lib.RegoFor(p.Rego)
	if err != nil {
		return nil, fmt.Errorf("render %q: %w", p.Key, err)
	}
	var code []templatesv1.Code
	if p.CEL != "" {
		src, err := CELSource(p)
		if err != nil {
			return nil, fmt.Errorf("render %q: %w", p.Key, err)
		}
		code = append(code, templatesv1.Code{Engine: EngineCEL, Source: &templates.Anything{Value: src}})
	}
	regoSrc := map[string]any{"version": "v1", "rego": p.Rego}
	if len(libs) > 0 {
		l := make([]any, len(libs))
		for i, s := range libs {
			l[i] = s
		}
		regoSrc["libs"] = l
	}
	code = append(code, templatesv1.Code{Engine: EngineRego, Source: &templates.Anything{Value: regoSrc}})

	ct := &templatesv1.ConstraintTemplate{
		TypeMeta: metav1.TypeMeta{APIVersion: templatesv1.SchemeGroupVersion.String(), Kind: "ConstraintTemplate"},
		ObjectMeta: metav1.ObjectMeta{
			Name:        p.TemplateName(),
			Annotations: annotations,
			Labels:      labels(p),
		},
		Spec: templatesv1.ConstraintTemplateSpec{
			CRD: templatesv1.CRD{Spec: templatesv1.CRDSpec{Names: templatesv1.Names{Kind: p.Kind}}},
			Targets: []templatesv1.Target{{
				Target: TargetName,
				Code:   code,
			}},
		},
	}
	if schema != nil {
		ct.Spec.CRD.Spec.Validation = &templatesv1.Validation{OpenAPIV3Schema: schema}
	}
	return ct, nil
}

// requiresSyncData renders Gatekeeper's requires-sync-data annotation: a JSON
// list of requirements (all must hold), each a list of alternative GVK sets.
func requiresSyncData(gvks []spec.GVK) string {
	type entry struct {
		Groups   []string `json:"groups"`
		Versions []string `json:"versions"`
		Kinds    []string `json:"kinds"`
	}
	var reqs [][]entry
	for _, g := range gvks {
		reqs = append(reqs, []entry{{Groups: []string{g.Group}, Versions: []string{g.Version}, Kinds: []string{g.Kind}}})
	}
	raw, _ := json.Marshal(reqs)
	return `"` + string(raw) + `"`
}

// CELSource builds the K8sNativeValidation source of a policy: the shared lib
// variables it reads, its own variables, one findings variable per rule and a
// validation per rule that applies the UPDATE rule.
func CELSource(p *spec.Policy) (map[string]any, error) {
	src, err := spec.ParseCEL(p.CEL)
	if err != nil {
		return nil, err
	}
	var exprs []string
	for _, v := range src.Variables {
		exprs = append(exprs, v.Expression)
	}
	for _, r := range src.Rules {
		exprs = append(exprs, r.Findings)
	}
	shared, err := lib.CELFor(exprs...)
	if err != nil {
		return nil, err
	}
	var vars, validations []any
	for _, v := range shared {
		vars = append(vars, map[string]any{"name": v.Name, "expression": strings.TrimSpace(v.Expression)})
	}
	for _, v := range src.Variables {
		vars = append(vars, map[string]any{"name": v.Name, "expression": strings.TrimSpace(v.Expression)})
	}
	for _, r := range src.Rules {
		name := r.Name + "Findings"
		vars = append(vars, map[string]any{"name": name, "expression": strings.TrimSpace(r.Findings)})
		f := "variables." + name
		validations = append(validations, map[string]any{
			"expression":        validationExpression(f),
			"messageExpression": messageExpression(f),
		})
	}
	return map[string]any{"variables": vars, "validations": validations}, nil
}

// FindingSeparator joins a CEL rule's findings into one message. Messages never
// contain it, so the harness can split a CEL message back into findings.
const FindingSeparator = "; "

// validationExpression passes when every finding on the object (the first
// entry of findings) is one the old object had (the second entry, present only
// on UPDATE): the UPDATE rule of lib.update.
func validationExpression(findings string) string {
	return fmt.Sprintf("%[1]s[0].all(f, size(%[1]s) > 1 && f in %[1]s[1])", findings)
}

// messageExpression joins the new findings of a rule into its message. Both the
// API server and Gatekeeper's CEL driver drop a message that holds a line break
// or is longer than MaxEvaluatedMessageExpressionSizeBytes, and fall back to
// quoting the expression, which says nothing of what was found: line breaks
// (which a name or value may carry) are escaped, and a message too long (a pod of
// many containers that all fail) keeps its first finding, cut to
// maxFindingRunes characters of at most 4 bytes each, and says how many more
// there are. With no finding the rule passed and the message is not used, but
// the API server evaluates it anyway: it returns "" at once.
func messageExpression(findings string) string {
	return fmt.Sprintf(`size(%[1]s[0]) == 0 ? "" : [%[1]s[0].filter(f, !(size(%[1]s) > 1 && f in %[1]s[1])).map(f, f.replace("\n", "\\n"))].map(fs, [fs.join("%[2]s")].map(m,
  size(bytes(m)) <= %[3]d ? m :
  (size(fs[0]) <= %[4]d ? fs[0] : fs[0].substring(0, %[4]d) + "...") + (size(fs) > 1 ? " (and " + string(size(fs) - 1) + " more findings)" : ""))[0])[0]`,
		findings, FindingSeparator, celconfig.MaxEvaluatedMessageExpressionSizeBytes, maxFindingRunes)
}

// moreFindings matches the tail messageExpression gives a message cut to its
// first finding.
var moreFindings = regexp.MustCompile(` \(and ([0-9]+) more findings\)$`)

// CountFindings says how many findings a CEL rule's message reports: those its
// separator joins, or, for a message cut to its first finding, that one and the
// count of the others.
func CountFindings(msg string) int {
	if m := moreFindings.FindStringSubmatch(msg); m != nil {
		n, err := strconv.Atoi(m[1])
		if err == nil {
			return 1 + n
		}
	}
	return len(strings.Split(msg, FindingSeparator))
}

// maxFindingRunes bounds the one finding a message too long keeps: 4 bytes a
// character at most, with room left for the count.
const maxFindingRunes = (celconfig.MaxEvaluatedMessageExpressionSizeBytes - 100) / 4

// Constraint renders a policy's default Constraint (the hardened bundle's).
func Constraint(p *spec.Policy) (*unstructured.Unstructured, error) {
	return BundleConstraint(p, "hardened")
}

// BundleConstraint renders a policy's Constraint in a bundle, with the bundle's parameters.
func BundleConstraint(p *spec.Policy, bundle string) (*unstructured.Unstructured, error) {
	var kinds []any
	for _, gk := range p.Match.Kinds {
		kinds = append(kinds, map[string]any{"apiGroups": toAny(gk.APIGroups), "kinds": toAny(gk.Kinds)})
	}
	excluded := append([]string(nil), p.ExcludedNamespaces()...)
	sort.Strings(excluded)
	match := map[string]any{
		"kinds":              kinds,
		"excludedNamespaces": toAny(excluded),
	}
	if len(p.Match.NamespaceSelector) > 0 {
		match["namespaceSelector"] = map[string]any{"matchLabels": stringMap(p.Match.NamespaceSelector)}
	}
	specMap := map[string]any{
		"enforcementAction": p.Enforcement,
		"match":             match,
	}
	params, err := spec.ParamsMap(p.ParamsFor(bundle))
	if err != nil {
		return nil, fmt.Errorf("render %q: parameters: %w", p.Key, err)
	}
	if len(params) > 0 {
		specMap["parameters"] = params
	}
	l := labels(p)
	delete(l, LabelScope)
	u := &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": "constraints.gatekeeper.sh/v1beta1",
		"kind":       p.Kind,
		"metadata": map[string]any{
			"name": p.ConstraintName(),
			"annotations": map[string]any{
				// The constraint's CRD exists only once Gatekeeper has processed the
				// template: Argo CD must not dry-run it before then, and must sync it
				// after the templates.
				"argocd.argoproj.io/sync-options": "SkipDryRunOnMissingResource=true",
				"argocd.argoproj.io/sync-wave":    "1",
			},
			"labels": stringMap(l),
		},
		"spec": specMap,
	}}
	return u, nil
}

// SyncSet renders the Gatekeeper SyncSet that replicates what a referential policy reads.
func SyncSet(p *spec.Policy) map[string]any {
	var gvks []any
	for _, g := range p.Sync {
		gvks = append(gvks, map[string]any{"group": g.Group, "version": g.Version, "kind": g.Kind})
	}
	return map[string]any{
		"apiVersion": "syncset.gatekeeper.sh/v1alpha1",
		"kind":       "SyncSet",
		"metadata": map[string]any{
			"name":   "gatewarden-" + p.Key,
			"labels": map[string]any{LabelManagedBy: ManagedBy},
		},
		"spec": map[string]any{"gvks": gvks},
	}
}

func toAny(ss []string) []any {
	out := make([]any, len(ss))
	for i, s := range ss {
		out[i] = s
	}
	return out
}

func stringMap(m map[string]string) map[string]any {
	out := make(map[string]any, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}
