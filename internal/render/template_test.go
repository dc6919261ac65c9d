package render

import (
	"fmt"
	"strings"
	"testing"

	"github.com/google/cel-go/cel"
	"github.com/google/cel-go/ext"
	celconfig "k8s.io/apiserver/pkg/apis/cel"
)

func TestCountFindings(t *testing.T) {
	for msg, want := range map[string]int{
		"Pod/a: container \"x\" is privileged":                                       1,
		"Pod/a: one; Pod/a: two; Pod/a: three":                                       3,
		"Pod/a: container \"c0\" is privileged (and 99 more findings)":               100,
		"Pod/a: container \"c0\" is priv... (and 1 more findings)":                   2,
		"Pod/a: a name that says (and 3 more findings); Pod/a: and then another one": 2,
	} {
		if got := CountFindings(msg); got != want {
			t.Errorf("CountFindings(%q) = %d, want %d", msg, got, want)
		}
	}
}

// The message a CEL rule renders, cut or not, counts back to its findings: the
// tail messageExpression writes is the one CountFindings reads.
func TestMessageExpressionCountsBack(t *testing.T) {
	env, err := cel.NewEnv(ext.Strings(ext.StringsVersion(2)),
		cel.Variable("variables", cel.MapType(cel.StringType, cel.DynType)))
	if err != nil {
		t.Fatal(err)
	}
	checked, iss := env.Compile(messageExpression("variables.ruleFindings"))
	if iss.Err() != nil {
		t.Fatal(iss.Err())
	}
	prg, err := env.Program(checked)
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range []int{1, 3, 100} {
		var findings []any
		for i := range n {
			findings = append(findings, fmt.Sprintf("Pod/a: container \"c%d\" is privileged (spec.containers[c%d].securityContext.privileged=true), set it to false", i, i))
		}
		out, _, err := prg.Eval(map[string]any{"variables": map[string]any{"ruleFindings": []any{findings, []any{}}}})
		if err != nil {
			t.Fatal(err)
		}
		msg := out.Value().(string)
		if len(msg) > celconfig.MaxEvaluatedMessageExpressionSizeBytes {
			t.Errorf("%d findings: the message has %d bytes, over the %d Kubernetes keeps", n, len(msg), celconfig.MaxEvaluatedMessageExpressionSizeBytes)
		}
		if cut := strings.HasSuffix(msg, fmt.Sprintf(" (and %d more findings)", n-1)); cut != (n == 100) {
			t.Errorf("%d findings: message cut to its first finding: %v, want %v: %q", n, cut, n == 100, msg)
		}
		if got := CountFindings(msg); got != n {
			t.Errorf("%d findings: CountFindings reads %d from %q", n, got, msg)
		}
	}
}

// The generated validation and message apply the UPDATE rule over a findings
// list of one entry (every operation but UPDATE) or two (UPDATE): only the
// object's findings the old object lacked fail it and are listed, and a rule
// with no finding passes with an empty message.
func TestValidationAppliesTheUpdateRule(t *testing.T) {
	env, err := cel.NewEnv(ext.Strings(ext.StringsVersion(2)),
		cel.Variable("variables", cel.MapType(cel.StringType, cel.DynType)))
	if err != nil {
		t.Fatal(err)
	}
	eval := func(expr string, findings []any) any {
		t.Helper()
		checked, iss := env.Compile(expr)
		if iss.Err() != nil {
			t.Fatal(iss.Err())
		}
		prg, err := env.Program(checked)
		if err != nil {
			t.Fatal(err)
		}
		out, _, err := prg.Eval(map[string]any{"variables": map[string]any{"ruleFindings": findings}})
		if err != nil {
			t.Fatalf("%s on %v: %v", expr, findings, err)
		}
		return out.Value()
	}
	for _, c := range []struct {
		name     string
		findings []any
		pass     bool
		message  string
	}{
		{"create, nothing found", []any{[]any{}}, true, ""},
		{"create, a finding", []any{[]any{"a"}}, false, "a"},
		{"update, the old object had it", []any{[]any{"a"}, []any{"a"}}, true, ""},
		{"update, a new finding", []any{[]any{"a", "b"}, []any{"a"}}, false, "b"},
		{"update, one removed", []any{[]any{}, []any{"a"}}, true, ""},
	} {
		if got := eval(validationExpression("variables.ruleFindings"), c.findings); got != c.pass {
			t.Errorf("%s: validation %v, want %v", c.name, got, c.pass)
		}
		if got := eval(messageExpression("variables.ruleFindings"), c.findings); !c.pass && got != c.message {
			t.Errorf("%s: message %q, want %q", c.name, got, c.message)
		} else if c.pass && len(c.findings[0].([]any)) == 0 && got != "" {
			t.Errorf("%s: message %q, want \"\" for a rule with no finding", c.name, got)
		}
	}
}
