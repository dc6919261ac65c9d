package tests

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/google/cel-go/cel"
	"github.com/google/go-cmp/cmp"
	templatesv1 "github.com/open-policy-agent/frameworks/constraint/pkg/apis/templates/v1"
	"github.com/open-policy-agent/gatekeeper/v3/pkg/controller/webhookconfig/webhookconfigcache"
	celschema "github.com/open-policy-agent/gatekeeper/v3/pkg/drivers/k8scel/schema"
	"github.com/open-policy-agent/gatekeeper/v3/pkg/drivers/k8scel/transform"
	"github.com/open-policy-agent/gatekeeper/v3/pkg/util"
	admissionv1 "k8s.io/api/admission/v1"
	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	admissionregistrationv1beta1 "k8s.io/api/admissionregistration/v1beta1"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/apimachinery/pkg/util/validation"
	"k8s.io/apimachinery/pkg/util/version"
	"k8s.io/apiserver/pkg/admission"
	plugincel "k8s.io/apiserver/pkg/admission/plugin/cel"
	"k8s.io/apiserver/pkg/admission/plugin/policy/validating"
	"k8s.io/apiserver/pkg/admission/plugin/webhook/matchconditions"
	celconfig "k8s.io/apiserver/pkg/apis/cel"
	"k8s.io/apiserver/pkg/authentication/user"
	"k8s.io/apiserver/pkg/cel/environment"
	"k8s.io/apiserver/pkg/cel/library"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	"sigs.k8s.io/kustomize/api/krusty"
	"sigs.k8s.io/kustomize/kyaml/filesys"

	"github.com/gatewarden/gatewarden/internal/engine"
	"github.com/gatewarden/gatewarden/internal/policies"
	"github.com/gatewarden/gatewarden/internal/render"
	"github.com/gatewarden/gatewarden/internal/spec"
	"github.com/gatewarden/gatewarden/internal/suite"
)

// Native enforcement hands a template's CEL to the API server: Gatekeeper turns
// the template into a ValidatingAdmissionPolicy and each constraint into a
// binding, and the API server compiles and runs the expressions itself, in its
// own CEL environment and under its own cost limits. The tests below build the
// policy with Gatekeeper's own transform and then do what the API server does:
// compile every expression as it does when the policy is created, and evaluate
// the policy as its admission plugin does, with the same cost budgets.
//
// What the API server does not do: it does not reject a ValidatingAdmissionPolicy
// for its estimated cost (only CRD validation rules have that check). object,
// oldObject and params are untyped, so the estimate of any expression that
// iterates over them is unbounded (TestNativeEstimatedCostIsUnbounded proves it),
// and the limits bite at run time instead: PerCallLimit per expression and
// RuntimeCELCostBudget per policy and request, beyond which the request fails
// (and is refused, with failurePolicy Fail). Those are what is measured here:
// on every case of the suites, on the same cases with every list repeated, and
// on a large Deployment and a pod of 100 containers.

// nativeAPIServers are the API servers whose create-time checks the policies
// must pass. An API server compiles new expressions in the CEL environment of its
// compatibility version, one minor below its own: Kubernetes 1.30, the first to
// serve admissionregistration.k8s.io/v1 ValidatingAdmissionPolicy, compiles them
// with the libraries of 1.29; k8s.io/apiserver in go.mod with its default.
var nativeAPIServers = []struct {
	name   string
	compat *version.Version
}{
	{"Kubernetes 1.30", version.MajorMinor(1, 29)},
	{"k8s.io/apiserver v0.36", environment.DefaultCompatibilityVersion()},
}

// nativeVAP is a policy's ValidatingAdmissionPolicy as Gatekeeper generates it.
// scoped adds what --sync-vap-enforcement-scope (on by default) brings in from
// the installation: the webhook's rules and its namespace exclusions and
// exemptions, which are match conditions of their own.
func nativeVAP(t *testing.T, p *spec.Policy, scoped bool) *admissionregistrationv1beta1.ValidatingAdmissionPolicy {
	t.Helper()
	ct, err := render.Template(p)
	if err != nil {
		t.Fatal(err)
	}
	v, err := engine.ToVersionless(ct)
	if err != nil {
		t.Fatal(err)
	}
	var vap *admissionregistrationv1beta1.ValidatingAdmissionPolicy
	if scoped {
		hook := &webhookconfigcache.WebhookMatchingConfig{
			Rules: []admissionregistrationv1.RuleWithOperations{{
				Operations: []admissionregistrationv1.OperationType{admissionregistrationv1.Create, admissionregistrationv1.Update},
				Rule:       admissionregistrationv1.Rule{APIGroups: []string{"*"}, APIVersions: []string{"*"}, Resources: []string{"*", "pods/ephemeralcontainers"}},
			}},
		}
		vap, err = transform.TemplateToPolicyDefinitionWithWebhookConfig(v, hook, []string{"kube-system"}, []string{"gatekeeper-system"})
	} else {
		vap, err = transform.TemplateToPolicyDefinition(v)
	}
	if err != nil {
		t.Fatalf("%s: Gatekeeper cannot make a ValidatingAdmissionPolicy of the template: %v", p.Key, err)
	}
	return vap
}

// celPolicies are the policies Gatekeeper can hand to the API server.
func celPolicies(t *testing.T) []*spec.Policy {
	t.Helper()
	var out []*spec.Policy
	for _, p := range policies.MustAll() {
		if p.Native() {
			out = append(out, p)
		}
	}
	if len(out) == 0 {
		t.Fatal("no policy has CEL")
	}
	return out
}

// ruleName names a validation by the policy.cel rule it was rendered from.
func ruleName(t *testing.T, p *spec.Policy, i int) string {
	t.Helper()
	src, err := spec.ParseCEL(p.CEL)
	if err != nil {
		t.Fatal(err)
	}
	if i < len(src.Rules) {
		return fmt.Sprintf("rule %q (validations[%d])", src.Rules[i].Name, i)
	}
	return fmt.Sprintf("validations[%d]", i)
}

var celIdentifierRE = regexp.MustCompile(`^[_a-zA-Z][_a-zA-Z0-9]*$`)

// createErrors checks a ValidatingAdmissionPolicy as the API server does when it
// is created (ValidateValidatingAdmissionPolicy in k8s.io/kubernetes
// pkg/apis/admissionregistration/validation): every match condition compiled on
// its own with the strict-cost compiler, variables compiled in order into a
// composition compiler so later expressions see them, each validation's
// expression and messageExpression, all as new expressions.
func createErrors(envSet *environment.EnvSet, vap *admissionregistrationv1beta1.ValidatingAdmissionPolicy, name func(int) string) []string {
	var errs []string
	add := func(what string, err error) { errs = append(errs, fmt.Sprintf("%s: %v", what, err)) }
	hasParams := vap.Spec.ParamKind != nil
	withAuthz := plugincel.OptionalVariableDeclarations{HasParams: hasParams, HasAuthorizer: true}

	if vap.Spec.FailurePolicy == nil {
		add("failurePolicy", fmt.Errorf("required"))
	}
	if vap.Spec.MatchConstraints == nil || len(vap.Spec.MatchConstraints.ResourceRules) == 0 {
		add("matchConstraints.resourceRules", fmt.Errorf("required"))
	}
	if len(vap.Spec.MatchConditions) > 64 {
		add("matchConditions", fmt.Errorf("%d conditions, at most 64", len(vap.Spec.MatchConditions)))
	}
	stateless := plugincel.NewCompiler(envSet)
	seen := map[string]bool{}
	for _, mc := range vap.Spec.MatchConditions {
		what := fmt.Sprintf("matchConditions[%s]", mc.Name)
		if msgs := validation.IsQualifiedName(mc.Name); len(msgs) > 0 || seen[mc.Name] {
			add(what, fmt.Errorf("name must be a unique qualified name: %v", msgs))
		}
		seen[mc.Name] = true
		r := stateless.CompileCELExpression(&matchconditions.MatchCondition{Expression: strings.TrimSpace(mc.Expression)}, withAuthz, environment.NewExpressions)
		if r.Error != nil {
			add(what, r.Error)
		}
	}
	composited, err := plugincel.NewCompositedCompiler(envSet)
	if err != nil {
		add("environment", err)
		return errs
	}
	for _, v := range vap.Spec.Variables {
		what := fmt.Sprintf("variable %q", v.Name)
		if !celIdentifierRE.MatchString(v.Name) {
			add(what, fmt.Errorf("name must be a CEL identifier"))
		}
		r := composited.CompileAndStoreVariable(&validating.Variable{Name: v.Name, Expression: v.Expression}, withAuthz, environment.NewExpressions)
		if r.Error != nil {
			add(what, r.Error)
		}
	}
	if len(vap.Spec.Validations) == 0 {
		add("validations", fmt.Errorf("required"))
	}
	for i, v := range vap.Spec.Validations {
		r := composited.CompileCELExpression(&validating.ValidationCondition{Expression: v.Expression}, withAuthz, environment.NewExpressions)
		if r.Error != nil {
			add(name(i)+".expression", r.Error)
		}
		if strings.TrimSpace(v.MessageExpression) != "" {
			// As the API server does: messages see params but not the authorizer.
			r := composited.CompileCELExpression(&validating.MessageExpressionCondition{MessageExpression: v.MessageExpression},
				plugincel.OptionalVariableDeclarations{HasParams: hasParams}, environment.NewExpressions)
			if r.Error != nil {
				add(name(i)+".messageExpression", r.Error)
			}
		}
		if strings.ContainsAny(strings.TrimSpace(v.Message), "\n\r") {
			add(name(i)+".message", fmt.Errorf("must not contain line breaks"))
		}
	}
	return errs
}

// Every CEL-capable template becomes a ValidatingAdmissionPolicy that the API
// server accepts: on the oldest Kubernetes that serves the v1 API and on the one
// in go.mod.
func TestNativePoliciesCompile(t *testing.T) {
	for _, srv := range nativeAPIServers {
		envSet := environment.MustBaseEnvSet(srv.compat)
		for _, p := range celPolicies(t) {
			// Both forms share the policy's own expressions: report each error once.
			reported := map[string]bool{}
			for _, scoped := range []bool{false, true} {
				vap := nativeVAP(t, p, scoped)
				name := func(i int) string { return ruleName(t, p, i) }
				for _, e := range createErrors(envSet, vap, name) {
					if !reported[e] {
						reported[e] = true
						t.Errorf("%s: %s (CEL of %s) refuses ValidatingAdmissionPolicy %s: %s", p.Key, srv.name, srv.compat, vap.Name, e)
					}
				}
			}
		}
	}
}

// The create-time checks can fail: an expression the API server's environment
// does not know, or one that uses a library the oldest supported Kubernetes
// lacks, is refused and named.
func TestNativeCompileCatchesBrokenCEL(t *testing.T) {
	p, ok := policies.ByKey("no-privileged-containers")
	if !ok {
		t.Fatal("no-privileged-containers is not registered")
	}
	for _, tc := range []struct {
		name, expression string
		compat           *version.Version
		want             string
	}{
		// Gatekeeper's CEL driver is not the API server: no Rego-style helpers.
		{"unknown function", `object.spec.containers.all(c, startswith(c.image, "x"))`, environment.DefaultCompatibilityVersion(), "undeclared reference to 'startswith'"},
		// A validation must be a bool.
		{"not a bool", `size(object.spec.containers)`, environment.DefaultCompatibilityVersion(), "must evaluate to bool"},
		// ext.Lists (distinct, flatten, ...) came with Kubernetes 1.34.
		{"library newer than 1.30", `object.spec.containers.map(c, c.image).distinct().size() > 0`, version.MajorMinor(1, 29), "undeclared reference to 'distinct'"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			vap := nativeVAP(t, p, false)
			vap.Spec.Validations[0].Expression = tc.expression
			errs := createErrors(environment.MustBaseEnvSet(tc.compat), vap, func(i int) string { return ruleName(t, p, i) })
			if len(errs) != 1 || !strings.Contains(errs[0], tc.want) || !strings.Contains(errs[0], "validations[0]") {
				t.Errorf("want one error naming validations[0] with %q, got %q", tc.want, errs)
			}
		})
	}
}

// The estimated cost is no use for these policies, and the API server does not
// ask for it: object is untyped, so any iteration over it may, for all the
// estimator knows, run over a list of any size. The run-time limits below are
// what protects the API server.
func TestNativeEstimatedCostIsUnbounded(t *testing.T) {
	// The environment the API server compiles a validation in, where object and
	// params are dynamic (createEnvForOpts in k8s.io/apiserver
	// pkg/admission/plugin/cel), with its cost estimator.
	envSet, err := environment.MustBaseEnvSet(environment.DefaultCompatibilityVersion()).Extend(environment.VersionedOptions{
		IntroducedVersion: version.MajorMinor(1, 0),
		EnvOptions:        []cel.EnvOption{cel.Variable("object", cel.DynType), cel.Variable("params", cel.DynType)},
	})
	if err != nil {
		t.Fatal(err)
	}
	env, err := envSet.Env(environment.NewExpressions)
	if err != nil {
		t.Fatal(err)
	}
	ast, iss := env.Compile(`object.spec.containers.all(c, c.name != "")`)
	if iss.Err() != nil {
		t.Fatal(iss.Err())
	}
	est, err := env.EstimateCost(ast, &library.CostEstimator{})
	if err != nil {
		t.Fatal(err)
	}
	if est.Max < celconfig.PerCallLimit*1000 {
		t.Errorf("estimated cost of an iteration over object is bounded (%d): the cost limits could be checked before run time", est.Max)
	}
}

// nativePolicy is a ValidatingAdmissionPolicy loaded as the API server's
// admission plugin loads it (compilePolicy in k8s.io/apiserver
// pkg/admission/plugin/policy/validating): expressions compiled as stored ones.
type nativePolicy struct {
	vap       *admissionregistrationv1beta1.ValidatingAdmissionPolicy
	validator validating.Validator
	// validations and messages are the same expressions as the validator's, for
	// measuring: their evaluation reports the budget left over.
	validations, messages plugincel.ConditionEvaluator
	// rules and ruleMessages evaluate each validation and its message alone,
	// with the variables they read.
	rules, ruleMessages []plugincel.ConditionEvaluator
}

func loadNative(t *testing.T, vap *admissionregistrationv1beta1.ValidatingAdmissionPolicy) *nativePolicy {
	t.Helper()
	compiler, err := plugincel.NewCompositedCompiler(environment.MustBaseEnvSet(environment.DefaultCompatibilityVersion()))
	if err != nil {
		t.Fatal(err)
	}
	opts := plugincel.OptionalVariableDeclarations{HasParams: vap.Spec.ParamKind != nil, HasAuthorizer: true}
	msgOpts := plugincel.OptionalVariableDeclarations{HasParams: vap.Spec.ParamKind != nil}
	for _, v := range vap.Spec.Variables {
		compiler.CompileAndStoreVariable(&validating.Variable{Name: v.Name, Expression: v.Expression}, opts, environment.StoredExpressions)
	}
	var conditions []plugincel.ExpressionAccessor
	for _, mc := range vap.Spec.MatchConditions {
		conditions = append(conditions, &matchconditions.MatchCondition{Name: mc.Name, Expression: mc.Expression})
	}
	validations := func() []plugincel.ExpressionAccessor {
		out := make([]plugincel.ExpressionAccessor, len(vap.Spec.Validations))
		for i, v := range vap.Spec.Validations {
			out[i] = &validating.ValidationCondition{Expression: v.Expression, Message: v.Message}
		}
		return out
	}
	messages := func() []plugincel.ExpressionAccessor {
		out := make([]plugincel.ExpressionAccessor, len(vap.Spec.Validations))
		for i, v := range vap.Spec.Validations {
			if v.MessageExpression != "" {
				out[i] = &validating.MessageExpressionCondition{MessageExpression: v.MessageExpression}
			}
		}
		return out
	}
	failurePolicy := admissionregistrationv1.FailurePolicyType(*vap.Spec.FailurePolicy)
	var matcher matchconditions.Matcher
	if len(conditions) > 0 {
		matcher = matchconditions.NewMatcher(compiler.CompileCondition(conditions, opts, environment.StoredExpressions), &failurePolicy, "policy", "validate", vap.Name)
	}
	np := &nativePolicy{
		vap: vap,
		validator: validating.NewValidator(
			compiler.CompileCondition(validations(), opts, environment.StoredExpressions),
			matcher,
			compiler.CompileCondition(nil, opts, environment.StoredExpressions),
			compiler.CompileCondition(messages(), msgOpts, environment.StoredExpressions),
			&failurePolicy, nil),
		validations: compiler.CompileCondition(validations(), opts, environment.StoredExpressions),
		messages:    compiler.CompileCondition(messages(), msgOpts, environment.StoredExpressions),
	}
	for i := range vap.Spec.Validations {
		np.rules = append(np.rules, compiler.CompileCondition(validations()[i:i+1], opts, environment.StoredExpressions))
		np.ruleMessages = append(np.ruleMessages, compiler.CompileCondition(messages()[i:i+1], msgOpts, environment.StoredExpressions))
	}
	return np
}

// request is one admission request to a native policy.
type request struct {
	attrs     *admission.VersionedAttributes
	namespace *corev1.Namespace
	size      int  // bytes of the object's JSON
	asWritten bool // the API server decodes the case's objects to what they say
}

// nativeRequest turns a case into the request the API server would evaluate.
// ok is false for what the generated policy never sees: Gatekeeper's webhook
// rules, and so the policy's, cover CREATE and UPDATE only by default, and an
// object the API server cannot decode never reaches admission.
func nativeRequest(in *suite.Input, inventory []*unstructured.Unstructured) (request, bool) {
	op := admission.Create
	var subresource, reqNamespace string
	userInfo := &user.DefaultInfo{Name: "gatewarden-test"}
	var gvr schema.GroupVersionResource
	if in.Request != nil {
		switch in.Request.Operation {
		case "CREATE":
		case "UPDATE":
			op = admission.Update
		default:
			return request{}, false
		}
		subresource, reqNamespace = in.Request.SubResource, in.Request.Namespace
		gvr = schema.GroupVersionResource{Group: in.Request.Resource.Group, Version: in.Request.Resource.Version, Resource: in.Request.Resource.Resource}
		userInfo.Name = in.Request.UserInfo.Username
		userInfo.Groups = in.Request.UserInfo.Groups
	}
	obj, ok := asDecoded(in.Object, reqNamespace)
	if !ok {
		return request{}, false
	}
	asWritten := sameContent(in.Object, obj)
	var oldObj runtime.Object
	if in.Old != nil && op == admission.Update {
		old, ok := asDecoded(in.Old, reqNamespace)
		if !ok {
			return request{}, false
		}
		oldObj = old
		asWritten = asWritten && sameContent(in.Old, old)
	}
	gvk := obj.GroupVersionKind()
	if gvr.Resource == "" {
		gvr = gvk.GroupVersion().WithResource(strings.ToLower(gvk.Kind) + "s")
	}
	attrs := admission.NewAttributesRecord(obj, oldObj, gvk, obj.GetNamespace(), obj.GetName(), gvr, subresource, op, nil, false, userInfo)
	r := request{attrs: &admission.VersionedAttributes{Attributes: attrs, VersionedKind: gvk, VersionedObject: obj, VersionedOldObject: oldObj}, asWritten: asWritten}
	if raw, err := obj.MarshalJSON(); err == nil {
		r.size = len(raw)
	}
	nsName := obj.GetNamespace()
	if gvk.Kind == "Namespace" && gvk.Group == "" {
		nsName = obj.GetName()
	}
	for _, o := range inventory {
		if o.GetKind() == "Namespace" && o.GetName() == nsName {
			ns := &corev1.Namespace{}
			if err := runtime.DefaultUnstructuredConverter.FromUnstructured(o.Object, ns); err == nil {
				r.namespace = ns
			}
		}
	}
	return r, true
}

// asDecoded gives an object as admission sees it: a built-in kind decoded into
// its Go type and back (a null namespace, say, is gone), and a namespaced object
// without a namespace given the request's, as the API server does before
// admission. ok is false when the API server could not decode it.
func asDecoded(u *unstructured.Unstructured, requestNamespace string) (*unstructured.Unstructured, bool) {
	out := u.DeepCopy()
	if typed, err := clientgoscheme.Scheme.New(u.GroupVersionKind()); err == nil {
		if err := runtime.DefaultUnstructuredConverter.FromUnstructured(u.Object, typed); err != nil {
			return nil, false
		}
		m, err := runtime.DefaultUnstructuredConverter.ToUnstructured(typed)
		if err != nil {
			return nil, false
		}
		out = &unstructured.Unstructured{Object: m}
		out.SetGroupVersionKind(u.GroupVersionKind())
	}
	if out.GetNamespace() == "" && requestNamespace != "" {
		out.SetNamespace(requestNamespace)
	}
	return out, true
}

// sameContent reports whether decoding left an object's content as it was,
// leaving aside what decoding adds or drops without changing a meaning: null
// values and empty objects and lists. A case written for offline checks (a key
// left null, a quantity written as a number) may say something else once decoded.
func sameContent(written, decoded *unstructured.Unstructured) bool {
	var prune func(v any) any
	prune = func(v any) any {
		switch x := v.(type) {
		case map[string]any:
			out := map[string]any{}
			for k, e := range x {
				if e = prune(e); e != nil {
					out[k] = e
				}
			}
			if len(out) == 0 {
				return nil
			}
			return out
		case []any:
			var out []any
			for _, e := range x {
				out = append(out, prune(e))
			}
			if len(out) == 0 {
				return nil
			}
			return out
		default:
			return v
		}
	}
	a, b := prune(written.UnstructuredContent()), prune(decoded.UnstructuredContent())
	ja, errA := json.Marshal(a)
	jb, errB := json.Marshal(b)
	return errA == nil && errB == nil && bytes.Equal(ja, jb)
}

// bindingMatches applies what Gatekeeper moves from the constraint's match into
// the binding (labelSelector and namespaceSelector), as the API server's
// dispatcher does before it evaluates the policy. ok is false when it cannot
// decide (a namespaceSelector without the Namespace).
func bindingMatches(t *testing.T, constraint *unstructured.Unstructured, r request) (matches, ok bool) {
	t.Helper()
	b, err := transform.ConstraintToBinding(constraint, []string{"deny"})
	if err != nil {
		t.Fatalf("Gatekeeper cannot make a binding of constraint %s: %v", constraint.GetName(), err)
	}
	selects := func(sel *metav1.LabelSelector, objs ...runtime.Object) bool {
		s, err := metav1.LabelSelectorAsSelector(sel)
		if err != nil {
			t.Fatalf("constraint %s: %v", constraint.GetName(), err)
		}
		for _, o := range objs {
			if u, ok := o.(*unstructured.Unstructured); ok && u != nil && s.Matches(labels.Set(u.GetLabels())) {
				return true
			}
		}
		return false
	}
	mr := b.Spec.MatchResources
	if mr.ObjectSelector != nil && !selects(mr.ObjectSelector, r.attrs.GetObject(), r.attrs.GetOldObject()) {
		return false, true
	}
	if mr.NamespaceSelector != nil {
		if r.namespace == nil {
			if r.attrs.GetNamespace() == "" && r.attrs.GetKind().Kind != "Namespace" {
				return true, true // cluster-scoped: the namespaceSelector does not apply
			}
			return false, false
		}
		s, err := metav1.LabelSelectorAsSelector(mr.NamespaceSelector)
		if err != nil {
			t.Fatalf("constraint %s: %v", constraint.GetName(), err)
		}
		if !s.Matches(labels.Set(r.namespace.Labels)) {
			return false, true
		}
	}
	return true, true
}

// verdict is what the API server makes of one request.
type verdict struct {
	denials  []string // the message of each failed validation
	errors   []string // evaluation errors: with failurePolicy Fail, refusals
	cost     int64    // validations and messages, out of RuntimeCELCostBudget
	ruleCost int64    // the dearest validation or message alone, with the variables it reads
}

// evaluate runs one request; perRule also measures each rule alone (ruleCost),
// which costs a few evaluations more.
func (np *nativePolicy) evaluate(t *testing.T, r request, params *unstructured.Unstructured, perRule bool) verdict {
	t.Helper()
	ctx := context.Background()
	var v verdict
	gvr := r.attrs.GetResource()
	res := np.validator.Validate(ctx, gvr, r.attrs, params, r.namespace, celconfig.RuntimeCELCostBudget, nil)
	for _, d := range res.Decisions {
		switch {
		case d.Evaluation == validating.EvalError:
			v.errors = append(v.errors, d.Message)
		case d.Action == validating.ActionDeny:
			v.denials = append(v.denials, d.Message)
		}
	}
	// The validator does not say what the evaluation cost: evaluate again, as
	// the validator does, match conditions aside, to find out.
	admissionReq := plugincel.CreateAdmissionRequest(r.attrs.Attributes, metav1.GroupVersionResource(gvr), metav1.GroupVersionKind(r.attrs.VersionedKind))
	bindings := plugincel.OptionalVariableBindings{VersionedParams: params}
	ns := plugincel.CreateNamespaceObject(r.namespace)
	results, left, err := np.validations.ForInput(ctx, r.attrs, admissionReq, bindings, ns, celconfig.RuntimeCELCostBudget)
	if err != nil {
		v.errors = append(v.errors, err.Error())
		v.cost = celconfig.RuntimeCELCostBudget
		return v
	}
	for _, res := range results {
		if res.Error != nil {
			v.errors = append(v.errors, res.Error.Error())
		}
	}
	if _, left, err = np.messages.ForInput(ctx, r.attrs, admissionReq, bindings, ns, left); err != nil {
		v.errors = append(v.errors, "messages: "+err.Error())
	}
	v.cost = celconfig.RuntimeCELCostBudget - left
	if !perRule {
		return v
	}
	// Each expression runs in a fresh composition context, so the variables it
	// reads count towards it: an upper bound of every single call it makes.
	for i := range np.rules {
		for _, c := range []plugincel.ConditionEvaluator{np.rules[i], np.ruleMessages[i]} {
			_, left, err := c.ForInput(ctx, r.attrs, admissionReq, bindings, ns, celconfig.RuntimeCELCostBudget)
			if err != nil {
				v.errors = append(v.errors, fmt.Sprintf("validations[%d] alone: %v", i, err))
				continue
			}
			v.ruleCost = max(v.ruleCost, celconfig.RuntimeCELCostBudget-left)
		}
	}
	return v
}

// amplify repeats the elements of every list in an object n times, nested lists
// included: a pod with its containers, their ports, env and mounts, a role with
// its rules and their verbs, all n times over. Names repeat, which admission
// does not mind: the API server validates the object after admission.
func amplify(v any, n int) any {
	switch x := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[k] = amplify(e, n)
		}
		return out
	case []any:
		out := make([]any, 0, len(x)*n)
		for range n {
			for _, e := range x {
				out = append(out, amplify(e, n))
			}
		}
		return out
	default:
		return v
	}
}

func amplified(in *suite.Input, n int) *suite.Input {
	out := *in
	out.Object = &unstructured.Unstructured{Object: amplify(in.Object.Object, n).(map[string]any)}
	if in.Old != nil {
		out.Old = &unstructured.Unstructured{Object: amplify(in.Old.Object, n).(map[string]any)}
	}
	return &out
}

// amplification is how many times over every list of a case object is repeated
// for the cost measurement: a pod of a few containers becomes one of dozens, each
// with dozens of ports, variables and mounts.
const amplification = 8

// largeWorkloadRequests are a CREATE and an UPDATE of a Deployment at the upper
// end of what clusters run: 10 containers and 2 init containers with 100 literal
// env vars, 10 ports and 20 mounts each, 40 volumes, 20 labels and annotations.
// A policy that fails on it would refuse such workloads once it is native.
func largeWorkloadRequests(t *testing.T) []request {
	t.Helper()
	container := func(name string) corev1.Container {
		c := corev1.Container{
			Name:            name,
			Image:           "registry.example.com/shop/" + name + "@sha256:" + strings.Repeat("ab", 32),
			ImagePullPolicy: corev1.PullAlways,
			Resources: corev1.ResourceRequirements{
				Requests: corev1.ResourceList{corev1.ResourceCPU: resource.MustParse("100m"), corev1.ResourceMemory: resource.MustParse("128Mi")},
				Limits:   corev1.ResourceList{corev1.ResourceCPU: resource.MustParse("1"), corev1.ResourceMemory: resource.MustParse("512Mi")},
			},
			SecurityContext: &corev1.SecurityContext{
				AllowPrivilegeEscalation: ptr(false),
				ReadOnlyRootFilesystem:   ptr(true),
				RunAsNonRoot:             ptr(true),
				Capabilities:             &corev1.Capabilities{Drop: []corev1.Capability{"ALL"}},
			},
			ReadinessProbe: &corev1.Probe{ProbeHandler: corev1.ProbeHandler{HTTPGet: &corev1.HTTPGetAction{Path: "/ready", Port: intstr.FromInt32(8080)}}},
		}
		for i := range 100 {
			c.Env = append(c.Env, corev1.EnvVar{Name: fmt.Sprintf("APP_SETTING_%03d", i), Value: fmt.Sprintf("https://config.example.com/shop/%s/setting-%03d?region=eu-west-1", name, i)})
		}
		for i := range 10 {
			c.Ports = append(c.Ports, corev1.ContainerPort{Name: fmt.Sprintf("p%d", i), ContainerPort: int32(8080 + i)})
		}
		for i := range 20 {
			c.VolumeMounts = append(c.VolumeMounts, corev1.VolumeMount{Name: fmt.Sprintf("config-%d", i), MountPath: fmt.Sprintf("/etc/shop/%d", i), ReadOnly: true})
		}
		return c
	}
	spec := corev1.PodSpec{
		ServiceAccountName:           "shop",
		AutomountServiceAccountToken: ptr(false),
		SecurityContext:              &corev1.PodSecurityContext{RunAsNonRoot: ptr(true), SeccompProfile: &corev1.SeccompProfile{Type: corev1.SeccompProfileTypeRuntimeDefault}},
	}
	for i := range 10 {
		spec.Containers = append(spec.Containers, container(fmt.Sprintf("app-%d", i)))
	}
	for i := range 2 {
		spec.InitContainers = append(spec.InitContainers, container(fmt.Sprintf("init-%d", i)))
	}
	for i := range 40 {
		v := corev1.Volume{Name: fmt.Sprintf("config-%d", i)}
		switch i % 3 {
		case 0:
			v.ConfigMap = &corev1.ConfigMapVolumeSource{LocalObjectReference: corev1.LocalObjectReference{Name: v.Name}}
		case 1:
			v.Secret = &corev1.SecretVolumeSource{SecretName: v.Name}
		default:
			v.EmptyDir = &corev1.EmptyDirVolumeSource{}
		}
		spec.Volumes = append(spec.Volumes, v)
	}
	meta := metav1.ObjectMeta{Name: "shop", Namespace: "shop", Labels: map[string]string{}, Annotations: map[string]string{}}
	for i := range 20 {
		meta.Labels[fmt.Sprintf("example.com/label-%d", i)] = "value"
		meta.Annotations[fmt.Sprintf("example.com/annotation-%d", i)] = "a longer annotation value that says something"
	}
	d := &appsv1.Deployment{
		TypeMeta:   metav1.TypeMeta{APIVersion: "apps/v1", Kind: "Deployment"},
		ObjectMeta: meta,
		Spec: appsv1.DeploymentSpec{
			Selector: &metav1.LabelSelector{MatchLabels: map[string]string{"app": "shop"}},
			Template: corev1.PodTemplateSpec{ObjectMeta: metav1.ObjectMeta{Labels: map[string]string{"app": "shop"}}, Spec: spec},
		},
	}
	m, err := runtime.DefaultUnstructuredConverter.ToUnstructured(d)
	if err != nil {
		t.Fatal(err)
	}
	obj := &unstructured.Unstructured{Object: m}
	old := obj.DeepCopy()
	if err := unstructured.SetNestedField(old.Object, int64(2), "spec", "replicas"); err != nil {
		t.Fatal(err)
	}
	var out []request
	for _, in := range []*suite.Input{
		{Object: obj},
		{Object: obj, Old: old, Request: &admissionv1.AdmissionRequest{Operation: admissionv1.Update, Namespace: "shop",
			Resource: metav1.GroupVersionResource{Group: "apps", Version: "v1", Resource: "deployments"}}},
	} {
		r, ok := nativeRequest(in, nil)
		if !ok {
			t.Fatal("the large Deployment does not decode")
		}
		out = append(out, r)
	}
	return out
}

// headroom is a policy's dearest evaluations.
type headroom struct {
	key            string
	cases, judged  int // cases evaluated, and cases whose verdict was compared
	cost, ruleCost int64
	size           int // bytes of the object that cost the most
}

func (h *headroom) add(v verdict, size int) {
	if v.cost > h.cost {
		h.cost, h.size = v.cost, size
	}
	h.ruleCost = max(h.ruleCost, v.ruleCost)
}

// The API server evaluates each generated policy as Gatekeeper's CEL driver does:
// on every CREATE and UPDATE case of the suites it denies exactly where the suite
// expects violations, never errs, and names the findings in its message. On the
// same cases with every list repeated, on a large Deployment and on a Pod and a
// Deployment of 100 containers (manyContainerInputs), it stays within
// the API server's cost limits, and within the smaller budget Gatekeeper's CEL
// driver gives a whole policy. The log shows how close each policy comes to them.
func TestNativePoliciesEvaluate(t *testing.T) {
	var (
		mu    sync.Mutex
		table []headroom
	)
	t.Cleanup(func() { t.Log(headroomTable(table)) })
	large := largeWorkloadRequests(t)
	for _, in := range manyContainerInputs(t, manyContainers) {
		r, ok := nativeRequest(in, nil)
		if !ok {
			t.Fatalf("the %s of %d containers does not decode", in.Object.GetKind(), manyContainers)
		}
		large = append(large, r)
	}
	for _, p := range celPolicies(t) {
		t.Run(p.Key, func(t *testing.T) {
			t.Parallel()
			np := loadNative(t, nativeVAP(t, p, false))
			h := headroom{key: p.Key}
			st, dir, err := suite.Load(".", p.Key)
			if err != nil {
				t.Fatal(err)
			}
			for _, test := range st.Tests {
				if test.Invalid {
					continue
				}
				cons, err := suite.Objects(filepath.Join(dir, test.Constraint))
				if err != nil {
					t.Fatal(err)
				}
				constraint := cons[0]
				for _, tc := range test.Cases {
					label := fmt.Sprintf("case %s/%s", test.Name, tc.Name)
					in, err := suite.Case(filepath.Join(dir, tc.Object))
					if err != nil {
						t.Fatalf("%s: %v", label, err)
					}
					var inventory []*unstructured.Unstructured
					for _, inv := range tc.Inventory {
						objs, err := suite.Objects(filepath.Join(dir, inv))
						if err != nil {
							t.Fatalf("%s: %v", label, err)
						}
						inventory = append(inventory, objs...)
					}
					r, ok := nativeRequest(in, inventory)
					if !ok {
						continue
					}
					h.cases++
					got := np.evaluate(t, r, constraint, false)
					for _, e := range got.errors {
						t.Errorf("%s: the API server fails the request: %s", label, e)
					}
					matches, decidable := bindingMatches(t, constraint, r)
					if decidable && r.asWritten {
						h.judged++
						denied := matches && len(got.denials) > 0
						if want := !suite.ExpectsNoViolation(tc); denied != want {
							t.Errorf("%s: the API server denies=%v, the suite expects violations=%v (denials: %q)", label, denied, want, got.denials)
						}
					}
					for _, m := range got.denials {
						// The API server drops a message that is too long or has a line
						// break, and falls back to quoting the expression.
						if strings.HasPrefix(m, "failed expression: ") {
							t.Errorf("%s: the denial does not carry the findings: %s", label, m)
						}
					}
					h.add(got, r.size)

					br, ok := nativeRequest(amplified(in, amplification), inventory)
					if !ok {
						t.Fatalf("%s: the amplified case does not decode", label)
					}
					big := np.evaluate(t, br, constraint, true)
					for _, e := range big.errors {
						t.Errorf("%s, every list %d times over (%d KiB): the API server fails the request: %s", label, amplification, br.size/1024, e)
					}
					h.add(big, br.size)
				}
			}
			con, err := render.Constraint(p)
			if err != nil {
				t.Fatal(err)
			}
			for _, r := range large {
				got := np.evaluate(t, r, con, true)
				for _, e := range got.errors {
					t.Errorf("%s of a large %s (%d KiB): the API server fails the request: %s", r.attrs.GetOperation(), r.attrs.GetKind().Kind, r.size/1024, e)
				}
				h.add(got, r.size)
			}
			if h.judged == 0 {
				t.Errorf("no CREATE or UPDATE case whose verdict the API server can be compared on")
			}
			// Gatekeeper's driver gives a whole policy what the API server gives
			// one expression: over it, the webhook reports an evaluation error.
			if h.cost > celconfig.PerCallLimit {
				t.Errorf("the dearest input (%d KiB) costs %d, over the %d that Gatekeeper's CEL driver allows a whole policy: the webhook would fail to evaluate it", h.size/1024, h.cost, celconfig.PerCallLimit)
			}
			mu.Lock()
			table = append(table, h)
			mu.Unlock()
		})
	}
}

// headroomTable shows how close each policy comes to the cost limits.
func headroomTable(table []headroom) string {
	sort.Slice(table, func(i, j int) bool { return table[i].cost > table[j].cost })
	var b strings.Builder
	fmt.Fprintf(&b, "dearest evaluation per policy, of the cases as written, with every list %d times over, of a large Deployment and of a Pod and a Deployment of %d containers:\n", amplification, manyContainers)
	fmt.Fprintf(&b, "%-36s %5s %6s %9s %10s %8s %10s %8s %10s\n", "policy", "cases", "judged", "object", "cost", "/budget", "one rule", "/call", "/gatekeeper")
	for _, h := range table {
		fmt.Fprintf(&b, "%-36s %5d %6d %5d KiB %10d %7.2f%% %10d %7.2f%% %9.2f%%\n", h.key, h.cases, h.judged, h.size/1024,
			h.cost, 100*float64(h.cost)/celconfig.RuntimeCELCostBudget,
			h.ruleCost, 100*float64(h.ruleCost)/celconfig.PerCallLimit,
			100*float64(h.cost)/celconfig.PerCallLimit)
	}
	fmt.Fprintf(&b, "judged: cases whose verdict is compared with the suite's (the others change when the API server decodes them, or need a Namespace the case lacks).\n")
	fmt.Fprintf(&b, "/budget: of the API server's RuntimeCELCostBudget (%d) per policy and request.\n", celconfig.RuntimeCELCostBudget)
	fmt.Fprintf(&b, "/call: of its PerCallLimit (%d) per expression; one rule alone, with the variables it reads, bounds each of its expressions.\n", celconfig.PerCallLimit)
	fmt.Fprintf(&b, "/gatekeeper: of the budget Gatekeeper's own CEL driver gives a whole policy (PerCallLimit), for comparison.")
	return b.String()
}

// buildKustomization runs kustomize build on dir as `kustomize build` does
// without --reorder (the kustomization's sortOptions decide).
func buildKustomization(t *testing.T, fs filesys.FileSystem, dir string) []*unstructured.Unstructured {
	t.Helper()
	opts := krusty.MakeDefaultOptions()
	opts.Reorder = krusty.ReorderOptionUnspecified
	resMap, err := krusty.MakeKustomizer(opts).Run(fs, dir)
	if err != nil {
		t.Fatal(err)
	}
	var out []*unstructured.Unstructured
	for _, r := range resMap.Resources() {
		m, err := r.Map()
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, &unstructured.Unstructured{Object: m})
	}
	return out
}

// The enforcement points the component names are Gatekeeper's.
func TestNativeEnforcementPointsAreGatekeepers(t *testing.T) {
	for got, want := range map[string]string{
		render.EnforcementPointVAP:     util.VAPEnforcementPoint,
		render.EnforcementPointWebhook: util.WebhookEnforcementPoint,
		render.EnforcementPointAudit:   util.AuditEnforcementPoint,
		render.EnforcementPointGator:   util.GatorEnforcementPoint,
	} {
		if got != want {
			t.Errorf("enforcement point %q, Gatekeeper's is %q", got, want)
		}
	}
}

// checkNative asserts what Gatekeeper 3.23 makes of a build with the native
// component: a ValidatingAdmissionPolicy for every template with CEL whatever
// --default-create-vap-for-templates says, a binding for each of its
// constraints with the constraint's action whatever
// --default-create-vap-binding-for-constraints says, the action kept for audit
// and gator and withheld from the webhook; referential policies untouched.
// actions gives each constraint kind's expected action.
func checkNative(t *testing.T, built []*unstructured.Unstructured, actions map[string]string) {
	t.Helper()
	byTemplate, byKind := map[string]*spec.Policy{}, map[string]*spec.Policy{}
	for _, p := range policies.MustAll() {
		byTemplate[p.TemplateName()], byKind[p.Kind] = p, p
	}
	vapActions := map[string]admissionregistrationv1beta1.ValidationAction{"deny": admissionregistrationv1beta1.Deny, "warn": admissionregistrationv1beta1.Warn, "dryrun": admissionregistrationv1beta1.Audit}
	templates, constraints := 0, 0
	for _, u := range built {
		switch {
		case u.GetKind() == "ConstraintTemplate":
			templates++
			p, ok := byTemplate[u.GetName()]
			if !ok {
				t.Errorf("template %s is no policy's", u.GetName())
				continue
			}
			ct := &templatesv1.ConstraintTemplate{}
			if err := runtime.DefaultUnstructuredConverter.FromUnstructured(u.Object, ct); err != nil {
				t.Fatal(err)
			}
			v, err := engine.ToVersionless(ct)
			if err != nil {
				t.Fatal(err)
			}
			// What ShouldGenerateVAP (pkg/controller/constraint) reads.
			src, err := celschema.GetSourceFromTemplate(v)
			switch {
			case !p.Native():
				if !errors.Is(err, celschema.ErrCELEngineMissing) {
					t.Errorf("template %s (referential): Gatekeeper finds CEL in it (%v)", u.GetName(), err)
				}
			case err != nil:
				t.Errorf("template %s: %v", u.GetName(), err)
			case src.GenerateVAP == nil || !*src.GenerateVAP:
				t.Errorf("template %s: generateVAP is not true: Gatekeeper generates no ValidatingAdmissionPolicy unless its flag says so", u.GetName())
			default:
				if _, err := transform.TemplateToPolicyDefinition(v); err != nil {
					t.Errorf("template %s: Gatekeeper cannot make a ValidatingAdmissionPolicy of it: %v", u.GetName(), err)
				}
			}
		case u.GetAPIVersion() == "constraints.gatekeeper.sh/v1beta1":
			constraints++
			p, ok := byKind[u.GetKind()]
			if !ok {
				t.Errorf("constraint %s %s is no policy's", u.GetKind(), u.GetName())
				continue
			}
			label := u.GetKind() + " " + u.GetName()
			want := actions[u.GetKind()]
			action, err := util.GetEnforcementAction(u.Object)
			if err != nil {
				t.Fatal(err)
			}
			if err := util.ValidateEnforcementAction(action, u.Object); err != nil {
				t.Errorf("%s: Gatekeeper refuses the constraint: %v", label, err)
				continue
			}
			if !p.Native() {
				if string(action) != want {
					t.Errorf("%s (referential): enforcementAction %q, want %q as without the component", label, action, want)
				}
				if _, found := u.Object["spec"].(map[string]any)["scopedEnforcementActions"]; found {
					t.Errorf("%s (referential): has scopedEnforcementActions", label)
				}
				continue
			}
			if action != util.Scoped {
				t.Errorf("%s: enforcementAction %q, want scoped", label, action)
				continue
			}
			for ep, wantActions := range map[string][]string{
				util.VAPEnforcementPoint:     {want},
				util.AuditEnforcementPoint:   {want},
				util.GatorEnforcementPoint:   {want},
				util.WebhookEnforcementPoint: {},
			} {
				got, err := util.ScopedActionForEP(ep, u)
				if err != nil {
					t.Fatal(err)
				}
				if diff := cmp.Diff(wantActions, got); diff != "" {
					t.Errorf("%s: actions for %s (-want +got):\n%s", label, ep, diff)
				}
			}
			b, err := transform.ConstraintToBinding(u, []string{want})
			if err != nil {
				t.Errorf("%s: Gatekeeper cannot bind it: %v", label, err)
				continue
			}
			if diff := cmp.Diff([]admissionregistrationv1beta1.ValidationAction{vapActions[want]}, b.Spec.ValidationActions); diff != "" {
				t.Errorf("%s: binding's validationActions (-want +got):\n%s", label, diff)
			}
		}
	}
	if templates != len(policies.MustAll()) {
		t.Errorf("%d templates, want %d", templates, len(policies.MustAll()))
	}
	if constraints != len(actions) {
		t.Errorf("%d constraints, want %d", constraints, len(actions))
	}
}

// The sample overlay (the library with the native component) hands every
// policy with CEL to the API server and leaves the referential ones alone.
func TestNativeComponent(t *testing.T) {
	actions := map[string]string{}
	for _, p := range policies.MustAll() {
		actions[p.Kind] = p.Enforcement
	}
	built := buildKustomization(t, filesys.MakeFsOnDisk(), repoRoot+"/examples/overlays/native")
	seenConstraint := false
	for _, u := range built {
		if u.GetKind() == "ConstraintTemplate" && seenConstraint {
			t.Fatalf("template %s after a constraint", u.GetName())
		}
		seenConstraint = seenConstraint || u.GetAPIVersion() == "constraints.gatekeeper.sh/v1beta1"
	}
	checkNative(t, built, actions)
}

// After an enforcement-mode component, the native component keeps the mode:
// a bundle rolled out in warn stays warn, now at the API server.
func TestNativeComponentAfterEnforcementMode(t *testing.T) {
	fs := filesys.MakeFsInMemory()
	for _, dir := range []string{"templates", "components"} {
		err := filepath.WalkDir(filepath.Join(repoRoot, dir), func(path string, d os.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			data, err := os.ReadFile(path)
			if err != nil {
				return err
			}
			rel, _ := filepath.Rel(repoRoot, path)
			return fs.WriteFile("/repo/"+filepath.ToSlash(rel), data)
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	overlay := `apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
sortOptions:
  order: fifo
resources:
  - ../../templates
components:
  - ../../components/baseline
  - ../../components/enforce-warn
  - ../../components/native
`
	if err := fs.WriteFile("/repo/overlays/baseline-warn-native/kustomization.yaml", []byte(overlay)); err != nil {
		t.Fatal(err)
	}
	actions := map[string]string{}
	for _, p := range policies.MustAll() {
		if p.InBundle("baseline") {
			actions[p.Kind] = "warn"
		}
	}
	checkNative(t, buildKustomization(t, fs, "/repo/overlays/baseline-warn-native"), actions)
}
