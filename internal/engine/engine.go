// Package engine builds constraint-framework clients as Gatekeeper does (its
// Kubernetes validation target with the Rego or the CEL driver, the Rego
// driver's inventory kept as Rego values: see inventoryStore) and reviews
// objects and admission requests with them.
package engine

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/open-policy-agent/frameworks/constraint/pkg/apis"
	templatesv1 "github.com/open-policy-agent/frameworks/constraint/pkg/apis/templates/v1"
	"github.com/open-policy-agent/frameworks/constraint/pkg/client"
	"github.com/open-policy-agent/frameworks/constraint/pkg/client/drivers/rego"
	"github.com/open-policy-agent/frameworks/constraint/pkg/client/reviews"
	"github.com/open-policy-agent/frameworks/constraint/pkg/core/templates"
	"github.com/open-policy-agent/frameworks/constraint/pkg/types"
	"github.com/open-policy-agent/gatekeeper/v3/pkg/drivers/k8scel"
	"github.com/open-policy-agent/gatekeeper/v3/pkg/target"
	"github.com/open-policy-agent/gatekeeper/v3/pkg/util"
	"github.com/open-policy-agent/opa/v1/storage"
	"github.com/open-policy-agent/opa/v1/storage/inmem"
	admissionv1 "k8s.io/api/admission/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
)

// Engine selects the drivers of a client.
type Engine string

const (
	// Rego evaluates every template with its Rego code.
	Rego Engine = "rego"
	// CEL evaluates every template with its K8sNativeValidation code; templates
	// without CEL (referential ones) cannot be added.
	CEL Engine = "cel"
	// Auto is what Gatekeeper does with native validation enabled: CEL where a
	// template has it, Rego otherwise.
	Auto Engine = "auto"
)

// Engines lists the valid engine names.
var Engines = []Engine{Auto, Rego, CEL}

// ErrUnknownEngine is returned for an engine name that is not one of Engines.
var ErrUnknownEngine = errors.New("unknown engine")

// ParseEngine validates an engine name.
func ParseEngine(s string) (Engine, error) {
	for _, e := range Engines {
		if string(e) == s {
			return e, nil
		}
	}
	return "", fmt.Errorf("%w %q: use one of auto, rego, cel", ErrUnknownEngine, s)
}

// Client is a constraint-framework client with a fixed engine.
type Client struct {
	Engine Engine
	fw     *client.Client
}

// New builds a client the way Gatekeeper's webhook does, with the Rego driver's
// store from inventoryStore.
func New(e Engine) (*Client, error) {
	opts := []client.Opt{
		client.Targets(&target.K8sValidationTarget{}),
		client.EnforcementPoints(util.WebhookEnforcementPoint),
	}
	newCEL := func() (client.Opt, error) {
		d, err := k8scel.New()
		if err != nil {
			return nil, fmt.Errorf("cel driver: %w", err)
		}
		return client.Driver(d), nil
	}
	newRego := func() (client.Opt, error) {
		store, err := inventoryStore()
		if err != nil {
			return nil, fmt.Errorf("rego driver: %w", err)
		}
		d, err := rego.New(rego.Storage(map[string]storage.Store{target.Name: store}))
		if err != nil {
			return nil, fmt.Errorf("rego driver: %w", err)
		}
		return client.Driver(d), nil
	}
	var makers []func() (client.Opt, error)
	switch e {
	case Rego:
		makers = append(makers, newRego)
	case CEL:
		makers = append(makers, newCEL)
		// Without a Rego driver the framework warns that referential data has
		// nowhere to go; a CEL-only client never receives any.
		opts = append(opts, client.IgnoreNoReferentialDriverWarning(true))
	case Auto:
		makers = append(makers, newCEL, newRego)
	default:
		return nil, fmt.Errorf("%w %q", ErrUnknownEngine, e)
	}
	for _, m := range makers {
		o, err := m()
		if err != nil {
			return nil, err
		}
		opts = append(opts, o)
	}
	fw, err := client.NewClient(opts...)
	if err != nil {
		return nil, fmt.Errorf("new %s client: %w", e, err)
	}
	return &Client{Engine: e, fw: fw}, nil
}

// inventoryStore is the Rego driver's store for its target, as the driver would
// make it (in memory, with data.inventory created) except that it keeps what
// it is given as Rego values: a policy that reads the inventory (the Ingresses
// unique-ingress-host compares with) gets them without a conversion per read.
// The driver's own store converts each object again on every read, which made
// a check of 10,000 objects spend about 8% of its CPU converting inventory;
// with this store it took 12% less time. Verdicts are the same: only the
// representation of stored data differs.
func inventoryStore() (storage.Store, error) {
	ctx := context.Background()
	store := inmem.NewWithOpts(inmem.OptRoundTripOnWrite(false), inmem.OptReturnASTValuesOnRead(true))
	txn, err := store.NewTransaction(ctx, storage.WriteParams)
	if err != nil {
		return nil, err
	}
	if err := storage.MakeDir(ctx, store, txn, storage.Path{"inventory"}); err != nil {
		store.Abort(ctx, txn)
		return nil, err
	}
	if err := store.Commit(ctx, txn); err != nil {
		return nil, err
	}
	return store, nil
}

// HasCode reports whether a template has code for the given engine name.
func HasCode(ct *templatesv1.ConstraintTemplate, engineName string) bool {
	for _, t := range ct.Spec.Targets {
		for _, c := range t.Code {
			if c.Engine == engineName {
				return true
			}
		}
		if engineName == "Rego" && t.Rego != "" {
			return true
		}
	}
	return false
}

// Supports reports whether the client can evaluate the template.
func (c *Client) Supports(ct *templatesv1.ConstraintTemplate) bool {
	switch c.Engine {
	case CEL:
		return HasCode(ct, "K8sNativeValidation")
	case Rego:
		return HasCode(ct, "Rego")
	default:
		return HasCode(ct, "Rego") || HasCode(ct, "K8sNativeValidation")
	}
}

// EvaluatedWith names the code of a template the client runs: "K8sNativeValidation"
// when it has CEL and the client is not Rego-only (Gatekeeper prefers CEL),
// "Rego" when the client runs its Rego, "" when the client cannot evaluate it.
func (c *Client) EvaluatedWith(ct *templatesv1.ConstraintTemplate) string {
	switch {
	case !c.Supports(ct):
		return ""
	case c.Engine != Rego && HasCode(ct, "K8sNativeValidation"):
		return "K8sNativeValidation"
	default:
		return "Rego"
	}
}

// AddTemplate adds a template. On a CEL client it first compiles the CEL the
// way the driver does, because the driver itself only reports compile errors
// as violations at review time.
func (c *Client) AddTemplate(ctx context.Context, ct *templatesv1.ConstraintTemplate) error {
	if c.EvaluatedWith(ct) == "K8sNativeValidation" {
		if err := CompileCEL(ct); err != nil {
			return fmt.Errorf("template %q: %w", ct.Name, err)
		}
	}
	v, err := ToVersionless(ct)
	if err != nil {
		return err
	}
	if _, err := c.fw.AddTemplate(ctx, v); err != nil {
		return fmt.Errorf("template %q: %w", ct.Name, err)
	}
	return nil
}

// ToVersionless converts a v1 template to the framework's internal form.
func ToVersionless(ct *templatesv1.ConstraintTemplate) (*templates.ConstraintTemplate, error) {
	scheme := runtime.NewScheme()
	if err := apis.AddToScheme(scheme); err != nil {
		return nil, err
	}
	out := &templates.ConstraintTemplate{}
	if err := scheme.Convert(ct, out, nil); err != nil {
		return nil, fmt.Errorf("convert template %q: %w", ct.Name, err)
	}
	return out, nil
}

// AddConstraint adds a constraint, validating it against its template's schema.
func (c *Client) AddConstraint(ctx context.Context, u *unstructured.Unstructured) error {
	if _, err := c.fw.AddConstraint(ctx, u); err != nil {
		return fmt.Errorf("constraint %s %q: %w", u.GetKind(), u.GetName(), err)
	}
	return nil
}

// AddData adds an object to data.inventory (Rego only; CEL ignores it).
func (c *Client) AddData(ctx context.Context, u *unstructured.Unstructured) error {
	if _, err := c.fw.AddData(ctx, u); err != nil {
		return fmt.Errorf("inventory %s %s/%s: %w", u.GetKind(), u.GetNamespace(), u.GetName(), err)
	}
	return nil
}

// NewLoaded returns a client of engine e holding one template, its constraints
// and the inventory objects, as the harness, the docs and the benchmarks need.
func NewLoaded(ctx context.Context, e Engine, ct *templatesv1.ConstraintTemplate, constraints, inventory []*unstructured.Unstructured) (*Client, error) {
	c, err := New(e)
	if err != nil {
		return nil, err
	}
	if err := c.AddTemplate(ctx, ct); err != nil {
		return nil, err
	}
	for _, con := range constraints {
		if err := c.AddConstraint(ctx, con); err != nil {
			return nil, err
		}
	}
	for _, o := range inventory {
		if err := c.AddData(ctx, o); err != nil {
			return nil, err
		}
	}
	return c, nil
}

// Result is one violation.
type Result struct {
	ConstraintKind    string `json:"constraintKind"`
	ConstraintName    string `json:"constraintName"`
	EnforcementAction string `json:"enforcementAction"`
	Message           string `json:"message"`
	Details           any    `json:"details,omitempty"`
}

// Request is what an admission webhook receives: an operation on an object,
// with the old object on UPDATE and the namespace object for namespaceSelector.
type Request struct {
	Operation admissionv1.Operation
	Object    *unstructured.Unstructured
	OldObject *unstructured.Unstructured
	UserInfo  map[string]any
	Namespace *corev1.Namespace
}

// Review evaluates an object as audit does: no operation, everything reported.
func (c *Client) Review(ctx context.Context, obj *unstructured.Unstructured) ([]Result, error) {
	return c.ReviewRequest(ctx, Request{Object: obj})
}

// ReviewRequest evaluates an admission request.
func (c *Client) ReviewRequest(ctx context.Context, r Request) ([]Result, error) {
	var review any
	if r.Operation == "" && r.OldObject == nil {
		review = &target.AugmentedUnstructured{Object: *r.Object, Namespace: r.Namespace}
	} else {
		req, err := admissionRequest(r)
		if err != nil {
			return nil, err
		}
		review = &target.AugmentedReview{AdmissionRequest: req, Namespace: r.Namespace, IsAdmission: true}
	}
	resp, err := c.fw.Review(ctx, review, reviews.EnforcementPoint(util.WebhookEnforcementPoint))
	if err != nil {
		return nil, fmt.Errorf("review: %w", err)
	}
	return results(resp), nil
}

// ReviewAdmissionRequest evaluates a raw admission request (e.g. from an AdmissionReview file).
func (c *Client) ReviewAdmissionRequest(ctx context.Context, req *admissionv1.AdmissionRequest) ([]Result, error) {
	resp, err := c.fw.Review(ctx, &target.AugmentedReview{AdmissionRequest: req, IsAdmission: true},
		reviews.EnforcementPoint(util.WebhookEnforcementPoint))
	if err != nil {
		return nil, fmt.Errorf("review: %w", err)
	}
	return results(resp), nil
}

func admissionRequest(r Request) (*admissionv1.AdmissionRequest, error) {
	obj := r.Object
	if obj == nil {
		obj = r.OldObject
	}
	if obj == nil {
		return nil, errors.New("review: request has neither object nor oldObject")
	}
	gvk := obj.GroupVersionKind()
	req := &admissionv1.AdmissionRequest{
		Operation: r.Operation,
		Name:      obj.GetName(),
		Namespace: obj.GetNamespace(),
	}
	req.Kind.Group, req.Kind.Version, req.Kind.Kind = gvk.Group, gvk.Version, gvk.Kind
	req.Resource.Group, req.Resource.Version = gvk.Group, gvk.Version
	req.Resource.Resource = strings.ToLower(gvk.Kind) + "s"
	if r.Object != nil {
		raw, err := r.Object.MarshalJSON()
		if err != nil {
			return nil, err
		}
		req.Object.Raw = raw
	}
	if r.OldObject != nil {
		raw, err := r.OldObject.MarshalJSON()
		if err != nil {
			return nil, err
		}
		req.OldObject.Raw = raw
	}
	if u, ok := r.UserInfo["username"].(string); ok {
		req.UserInfo.Username = u
	}
	return req, nil
}

func results(resp *types.Responses) []Result {
	var out []Result
	for _, r := range resp.Results() {
		out = append(out, Result{
			ConstraintKind:    r.Constraint.GetKind(),
			ConstraintName:    r.Constraint.GetName(),
			EnforcementAction: r.EnforcementAction,
			Message:           r.Msg,
			Details:           r.Metadata["details"],
		})
	}
	sort.SliceStable(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if a.ConstraintKind != b.ConstraintKind {
			return a.ConstraintKind < b.ConstraintKind
		}
		if a.ConstraintName != b.ConstraintName {
			return a.ConstraintName < b.ConstraintName
		}
		return a.Message < b.Message
	})
	return out
}
