package engine

import (
	"errors"
	"testing"

	templatesv1 "github.com/open-policy-agent/frameworks/constraint/pkg/apis/templates/v1"
	"github.com/open-policy-agent/frameworks/constraint/pkg/core/templates"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

func celTemplate(validations ...any) *templatesv1.ConstraintTemplate {
	return &templatesv1.ConstraintTemplate{
		ObjectMeta: metav1.ObjectMeta{Name: "k8scelonly"},
		Spec: templatesv1.ConstraintTemplateSpec{
			CRD: templatesv1.CRD{Spec: templatesv1.CRDSpec{Names: templatesv1.Names{Kind: "K8sCELOnly"}}},
			Targets: []templatesv1.Target{{
				Target: "admission.k8s.gatekeeper.sh",
				Code: []templatesv1.Code{{
					Engine: "K8sNativeValidation",
					Source: &templates.Anything{Value: map[string]any{"validations": validations}},
				}},
			}},
		},
	}
}

// A validation may carry a static message instead of a messageExpression.
func TestCompileCELWithoutMessageExpression(t *testing.T) {
	ct := celTemplate(
		map[string]any{"expression": "true", "message": "static"},
		map[string]any{"expression": "has(object.metadata)", "messageExpression": "'named ' + object.metadata.name"},
	)
	if err := CompileCEL(ct); err != nil {
		t.Fatal(err)
	}
}

func TestCompileCELReportsErrors(t *testing.T) {
	ct := celTemplate(map[string]any{"expression": "object.metadata.name ==", "message": "broken"})
	if err := CompileCEL(ct); !errors.Is(err, ErrCELCompile) {
		t.Fatalf("got %v, want ErrCELCompile", err)
	}
}
