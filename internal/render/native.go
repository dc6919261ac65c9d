package render

import (
	"fmt"
	"strings"

	"github.com/gatewarden/gatewarden/internal/spec"
)

// NativeDir holds the kustomize component that hands every policy with CEL to
// the API server: Gatekeeper generates a ValidatingAdmissionPolicy from each
// such template and binds it to each of its constraints.
const NativeDir = "components/native"

// Gatekeeper's enforcement points (pkg/util in Gatekeeper), as scoped
// enforcement actions name them.
const (
	EnforcementPointVAP     = "vap.k8s.io"
	EnforcementPointWebhook = "validation.gatekeeper.sh"
	EnforcementPointAudit   = "audit.gatekeeper.sh"
	EnforcementPointGator   = "gator.gatekeeper.sh"
)

// NativeEnforcementPoints keep a native constraint's action: the API server's
// ValidatingAdmissionPolicy, Gatekeeper's audit (the policy does not audit what
// exists) and gator (shift-left checks). Gatekeeper's webhook is left out, so
// that it no longer evaluates the constraint.
var NativeEnforcementPoints = []string{EnforcementPointVAP, EnforcementPointAudit, EnforcementPointGator}

// jsonPatchOp is one RFC 6902 operation, fields in the order a reader expects.
type jsonPatchOp struct {
	Op    string `json:"op"`
	From  string `json:"from,omitempty"`
	Path  string `json:"path"`
	Value any    `json:"value,omitempty"`
}

type patchTarget struct {
	Group         string `json:"group"`
	Kind          string `json:"kind"`
	Name          string `json:"name,omitempty"`
	LabelSelector string `json:"labelSelector,omitempty"`
}

type componentPatch struct {
	Path   string      `json:"path"`
	Target patchTarget `json:"target"`
}

type patchComponent struct {
	APIVersion string           `json:"apiVersion"`
	Kind       string           `json:"kind"`
	Patches    []componentPatch `json:"patches"`
}

// Files of the native component besides its kustomization.
const (
	nativeTemplatePatch   = "template-patch.yaml"
	nativeConstraintPatch = "constraint-patch.yaml"
)

const nativeComment = `Hands every gatewarden policy that has CEL to the Kubernetes API server
(ValidatingAdmissionPolicy; Gatekeeper 3.23, Kubernetes 1.30 or later): each
such template gets generateVAP, and each of its constraints moves its action
to the vap.k8s.io enforcement point (with Gatekeeper's audit and gator), away
from Gatekeeper's webhook. Referential policies stay with the webhook. List it
after any enforce-* component. See docs/native.md.`

const nativeTemplateComment = `generateVAP on the template's K8sNativeValidation code: Gatekeeper generates
the ValidatingAdmissionPolicy whatever --default-create-vap-for-templates says.
The test fails the build, rather than patch the wrong code, if the CEL code is
not the first.`

const nativeConstraintComment = `The constraint's action moves into scopedEnforcementActions, for the points
that keep it: vap.k8s.io (Gatekeeper binds the template's policy to the
constraint whatever --default-create-vap-binding-for-constraints says), audit
and gator. Gatekeeper's webhook, not listed, no longer evaluates it.`

// native renders components/native/ for the policies with CEL: a patch per
// template (generateVAP) and per constraint kind (scoped enforcement).
func native(policies []*spec.Policy, sink Sink) error {
	var templates, constraints []componentPatch
	for _, p := range policies {
		if !p.Native() {
			continue
		}
		templates = append(templates, componentPatch{Path: nativeTemplatePatch, Target: patchTarget{
			Group: "templates.gatekeeper.sh", Kind: "ConstraintTemplate", Name: p.TemplateName(),
		}})
		constraints = append(constraints, componentPatch{Path: nativeConstraintPatch, Target: patchTarget{
			Group: "constraints.gatekeeper.sh", Kind: p.Kind, LabelSelector: LabelManagedBy + "=" + ManagedBy,
		}})
	}
	files := []struct {
		name, comment string
		obj           any
	}{
		{"kustomization.yaml", nativeComment, patchComponent{
			APIVersion: "kustomize.config.k8s.io/v1alpha1", Kind: "Component",
			Patches: append(templates, constraints...),
		}},
		{nativeTemplatePatch, nativeTemplateComment, []jsonPatchOp{
			// The CEL code comes first in every template (Template).
			{Op: "test", Path: "/spec/targets/0/code/0/engine", Value: EngineCEL},
			{Op: "add", Path: "/spec/targets/0/code/0/source/generateVAP", Value: true},
		}},
		{nativeConstraintPatch, nativeConstraintComment, []jsonPatchOp{
			{Op: "add", Path: "/spec/scopedEnforcementActions", Value: []any{map[string]any{"enforcementPoints": enforcementPoints(NativeEnforcementPoints)}}},
			{Op: "move", From: "/spec/enforcementAction", Path: "/spec/scopedEnforcementActions/0/action"},
			{Op: "add", Path: "/spec/enforcementAction", Value: "scoped"},
		}},
	}
	for _, f := range files {
		y, err := YAML(f.obj)
		if err != nil {
			return fmt.Errorf("render %s: %w", NativeDir, err)
		}
		if err := sink.Write(NativeDir+"/"+f.name, commented(f.comment, y)); err != nil {
			return err
		}
	}
	return nil
}

func enforcementPoints(names []string) []any {
	out := make([]any, len(names))
	for i, n := range names {
		out[i] = map[string]any{"name": n}
	}
	return out
}

// commented is a generated file with a comment under the header.
func commented(comment string, y []byte) []byte {
	var b strings.Builder
	b.WriteString(Header)
	for _, l := range strings.Split(comment, "\n") {
		b.WriteString("# " + l + "\n")
	}
	b.Write(y)
	return []byte(b.String())
}
