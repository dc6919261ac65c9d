// Package tests proves every policy of the catalog on its cases with the real
// constraint framework: each case runs on a Rego-only and a CEL-only client, the
// two must agree, and each policy must have the cases its conventions require.
// The cases are Gatekeeper Suites, so `gator verify ./tests/...` runs them too.
package tests

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
	"sigs.k8s.io/yaml"

	"github.com/gatewarden/gatewarden/internal/manifest"
)

// loadSuite reads tests/<key>/suite.yaml.
func loadSuite(key string) (*verify.Suite, string, error) {
	dir := filepath.Join(".", key)
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

func loadTemplate(path string) (*templatesv1.ConstraintTemplate, error) {
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

// loadObjects reads every object of a file.
func loadObjects(path string) ([]*unstructured.Unstructured, error) {
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

// caseInput is what a case reviews: a plain object (audit) or an admission request.
type caseInput struct {
	object  *unstructured.Unstructured // the object (request.object, or oldObject on DELETE)
	old     *unstructured.Unstructured
	request *admissionv1.AdmissionRequest
}

func (c caseInput) operation() string {
	if c.request == nil {
		return ""
	}
	return string(c.request.Operation)
}

func loadCase(path string) (*caseInput, error) {
	objs, err := loadObjects(path)
	if err != nil {
		return nil, err
	}
	if len(objs) != 1 {
		return nil, fmt.Errorf("%s: a case object file must hold exactly one object, found %d", path, len(objs))
	}
	u := objs[0]
	if u.GetKind() != "AdmissionReview" || !strings.HasPrefix(u.GetAPIVersion(), "admission.k8s.io/") {
		return &caseInput{object: u}, nil
	}
	var ar admissionv1.AdmissionReview
	if err := runtime.DefaultUnstructuredConverter.FromUnstructuredWithValidation(u.Object, &ar, true); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if ar.Request == nil {
		return nil, fmt.Errorf("%s: AdmissionReview has no request", path)
	}
	in := &caseInput{request: ar.Request}
	for _, raw := range []struct {
		data []byte
		dst  **unstructured.Unstructured
	}{{ar.Request.Object.Raw, &in.object}, {ar.Request.OldObject.Raw, &in.old}} {
		if len(raw.data) == 0 {
			continue
		}
		o := &unstructured.Unstructured{}
		if err := o.UnmarshalJSON(raw.data); err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		*raw.dst = o
	}
	if in.object == nil {
		in.object = in.old
	}
	return in, nil
}
