package engine

import (
	"errors"
	"fmt"

	templatesv1 "github.com/open-policy-agent/frameworks/constraint/pkg/apis/templates/v1"
	"github.com/open-policy-agent/gatekeeper/v3/pkg/drivers/k8scel/schema"
	"github.com/open-policy-agent/gatekeeper/v3/pkg/drivers/k8scel/transform"
	"k8s.io/apiserver/pkg/admission/plugin/cel"
	"k8s.io/apiserver/pkg/cel/environment"
)

// ErrCELCompile reports CEL that does not compile in the driver's environment.
var ErrCELCompile = errors.New("CEL does not compile")

// CompileCEL compiles a template's K8sNativeValidation source exactly as the
// Gatekeeper CEL driver does (same environment, variables and declarations) and
// returns every compile error. The driver itself swallows them and turns them
// into a violation at review time, which would hide a broken policy.
func CompileCEL(ct *templatesv1.ConstraintTemplate) error {
	v, err := ToVersionless(ct)
	if err != nil {
		return err
	}
	source, err := schema.GetSourceFromTemplate(v)
	if err != nil {
		return err
	}
	vars := transform.AllVariablesCEL()
	own, err := source.GetVariables()
	if err != nil {
		return err
	}
	vars = append(vars, own...)
	compiler, err := cel.NewCompositedCompiler(environment.MustBaseEnvSet(environment.DefaultCompatibilityVersion()))
	if err != nil {
		return err
	}
	var errs []error
	for _, variable := range vars {
		res := compiler.CompileAndStoreVariable(variable, cel.OptionalVariableDeclarations{HasParams: true}, environment.StoredExpressions)
		if res.Error != nil {
			errs = append(errs, fmt.Errorf("%w: variable %q: %v", ErrCELCompile, variable.GetName(), res.Error))
		}
	}
	validations, err := source.GetValidations()
	if err != nil {
		return err
	}
	messages, err := source.GetMessageExpressions()
	if err != nil {
		return err
	}
	for i, acc := range append(validations, messages...) {
		if acc == nil {
			// A validation without messageExpression has no message to compile.
			continue
		}
		res := compiler.CompileCELExpression(acc, cel.OptionalVariableDeclarations{}, environment.StoredExpressions)
		if res.Error != nil {
			errs = append(errs, fmt.Errorf("%w: expression %d %q: %v", ErrCELCompile, i, acc.GetExpression(), res.Error))
		}
	}
	return errors.Join(errs...)
}
