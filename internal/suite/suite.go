// Package suite reads the policy test suites (Gatekeeper Suite files and their
// cases) for the harness and the end-to-end run.
package suite

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	templatesv1 "github.com/open-policy-agent/frameworks/constraint/pkg/apis/templates/v1"
	"github.com/open-policy-agent/gatekeeper/v3/pkg/gator/verify"
	admissionv1 "k8s.io/api/admission/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/intstr"
	"sigs.k8s.io/yaml"

	"github.com/gatewarden/gatewarden/internal/manifest"
)

// Load reads <root>/<key>/suite.yaml and returns it with its folder.
func Load(root, key string) (*verify.Suite, string, error) {
	dir := filepath.Join(root, key)
	raw, err := os.ReadFile(filepath.Join(dir, "suite.yaml"))
	if err != nil {
		return nil, dir, err
	}
	var s verify.Suite
	if err := yaml.UnmarshalStrict(stripTypeMeta(raw), &s); err != nil {
		return nil, dir, fmt.Errorf("%s/suite.yaml: %w", dir, err)
	}
	return &s, dir, nil
}

// stripTypeMeta removes apiVersion, kind and metadata, which verify.Suite does not
// declare as fields, so that the rest can be decoded strictly.
func stripTypeMeta(raw []byte) []byte {
	var m map[string]any
	if err := yaml.Unmarshal(raw, &m); err != nil {
		return raw
	}
	delete(m, "apiVersion")
	delete(m, "kind")
	delete(m, "metadata")
	out, _ := yaml.Marshal(m)
	return out
}

// Template reads a ConstraintTemplate file.
func Template(path string) (*templatesv1.ConstraintTemplate, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var ct templatesv1.ConstraintTemplate
	if err := yaml.UnmarshalStrict(raw, &ct); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return &ct, nil
}

// Objects reads every object of a file.
func Objects(path string) ([]*unstructured.Unstructured, error) {
	res := manifest.ReadFile(path)
	if errs := res.Errors(); len(errs) > 0 {
		return nil, errs[0]
	}
	var out []*unstructured.Unstructured
	for _, o := range res.Objects {
		out = append(out, o.Object)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%s: no objects", path)
	}
	return out, nil
}

// Input is what a case reviews: a plain object (audit) or an admission request.
type Input struct {
	Object  *unstructured.Unstructured // the object (request.object, or oldObject on DELETE)
	Old     *unstructured.Unstructured
	Request *admissionv1.AdmissionRequest
}

// Operation is the admission operation, "" for a plain object (audit).
func (c Input) Operation() string {
	if c.Request == nil {
		return ""
	}
	return string(c.Request.Operation)
}

// Case reads a case object: a plain object or an AdmissionReview.
func Case(path string) (*Input, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return ParseCase(path, data)
}

// ParseCase parses the content of a case object file.
func ParseCase(path string, data []byte) (*Input, error) {
	res := manifest.Parse(path, data)
	if errs := res.Errors(); len(errs) > 0 {
		return nil, errs[0]
	}
	var objs []*unstructured.Unstructured
	for _, o := range res.Objects {
		objs = append(objs, o.Object)
	}
	if len(objs) != 1 {
		return nil, fmt.Errorf("%s: a case object file must hold exactly one object, found %d", path, len(objs))
	}
	u := objs[0]
	if u.GetKind() != "AdmissionReview" || !strings.HasPrefix(u.GetAPIVersion(), "admission.k8s.io/") {
		return &Input{Object: u}, nil
	}
	var ar admissionv1.AdmissionReview
	if err := runtime.DefaultUnstructuredConverter.FromUnstructuredWithValidation(u.Object, &ar, true); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if ar.Request == nil {
		return nil, fmt.Errorf("%s: AdmissionReview has no request", path)
	}
	in := &Input{Request: ar.Request}
	for _, raw := range []struct {
		data []byte
		dst  **unstructured.Unstructured
	}{{ar.Request.Object.Raw, &in.Object}, {ar.Request.OldObject.Raw, &in.Old}} {
		if len(raw.data) == 0 {
			continue
		}
		o := &unstructured.Unstructured{}
		if err := o.UnmarshalJSON(raw.data); err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		*raw.dst = o
	}
	if in.Object == nil {
		in.Object = in.Old
	}
	return in, nil
}

// ExpectsNoViolation reports whether a case says its object is admitted: every
// assertion (if any) asserts zero violations and names no message.
func ExpectsNoViolation(tc *verify.Case) bool {
	for i := range tc.Assertions {
		a := &tc.Assertions[i]
		if a.Violations == nil || a.Message != nil {
			return false
		}
		v := *a.Violations
		if !(v.Type == intstr.String && v.StrVal == "no") && !(v.Type == intstr.Int && v.IntVal == 0) {
			return false
		}
	}
	return true
}
