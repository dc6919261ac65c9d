package spec

import (
	"strings"
	"testing"
	"testing/fstest"
)

type goodParams struct {
	ExemptImages []string `json:"exemptImages,omitempty" description:"exempt"`
	Mode         string   `json:"mode" description:"mode" enum:"a,b" default:"\"a\"" required:"true"`
}

func validPolicy() *Policy {
	return &Policy{
		Key: "good-policy", Kind: "K8sGoodPolicy", Title: "Good", Description: "d", Version: "1.0.0",
		Practice: "p", Bundles: []string{"hardened"}, Scope: ScopeContainer,
		Params: goodParams{}, Defaults: goodParams{Mode: "a"},
		Match: Match{Kinds: Workloads}, Enforcement: Deny,
		Rego: "package k8sgoodpolicy\n\nimport data.lib.workload\n\nviolation contains {\"msg\": \"x\"} if input.parameters.mode == \"b\"\n",
		CEL:  "rules:\n- name: mode\n  findings: '[[], []]'\n",
	}
}

func TestValidateAcceptsAGoodPolicy(t *testing.T) {
	fixtures := fstest.MapFS{"good-policy/suite.yaml": {Data: []byte("tests: []")}}
	if err := Validate(validPolicy(), fixtures); err != nil {
		t.Fatal(err)
	}
}

// Validate reports every problem at once, each naming what to fix.
func TestValidateReportsEveryProblem(t *testing.T) {
	p := validPolicy()
	p.Key = "Bad_Key"
	p.Kind = "BadKind"
	p.Version = "1.0"
	p.Bundles = []string{"extreme"}
	p.Enforcement = "block"
	p.Compliance = []string{"CIS 5.2.2 (privileged)", "PSS baseline: Privileged"}
	p.Defaults = struct{}{}
	p.Rego = "package wrong\n\nimport data.kubernetes\n\nviolation contains {\"msg\": \"x\"} if {\n\tinput.parameters.undeclared\n\tdata.kubernetes.x\n}\n"
	p.CEL = "rules:\n- name: r\n  findings: 'variables.params.missing'\n"
	err := Validate(p, fstest.MapFS{})
	if err == nil {
		t.Fatal("no error")
	}
	for _, want := range []string{
		"key must be lower-case",
		`kind "BadKind"`,
		`version "1.0"`,
		`unknown bundle "extreme"`,
		`enforcement "block"`,
		"Defaults must be a value of the Params type",
		`package is "wrong", must be "badkind"`,
		"import data.kubernetes is not allowed",
		"Rego reads data.kubernetes",
		"input.parameters.undeclared",
		"variables.params.missing",
		"missing fixtures",
		`compliance reference "PSS baseline: Privileged" names no control`,
	} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error does not mention %q:\n%v", want, err)
		}
	}
	if strings.Contains(err.Error(), `"CIS 5.2.2 (privileged)"`) {
		t.Errorf("a known control with a remark is refused:\n%v", err)
	}
}

func TestValidateReferentialRules(t *testing.T) {
	p := validPolicy()
	p.Rego = "package k8sgoodpolicy\n\nviolation contains {\"msg\": \"x\"} if data.inventory.cluster\n"
	err := Validate(p, nil)
	if err == nil || !strings.Contains(err.Error(), "reads data.inventory but Sync declares no kinds") {
		t.Errorf("want undeclared inventory error, got %v", err)
	}
	p.Sync = []GVK{{Version: "v1", Kind: "ServiceAccount"}}
	err = Validate(p, nil)
	if err == nil || !strings.Contains(err.Error(), "referential policies are Rego-only") {
		t.Errorf("want CEL on referential error, got %v", err)
	}
	p.CEL = ""
	if err := Validate(p, nil); err != nil {
		t.Errorf("referential policy without CEL: %v", err)
	}
	q := validPolicy()
	q.CEL = ""
	if err := Validate(q, nil); err == nil || !strings.Contains(err.Error(), "missing CEL") {
		t.Errorf("want missing CEL error, got %v", err)
	}
}

func TestValidateContainerScopeNeedsExemptImages(t *testing.T) {
	p := validPolicy()
	p.Params, p.Defaults = struct {
		Mode string `json:"mode" description:"m"`
	}{}, struct {
		Mode string `json:"mode" description:"m"`
	}{}
	p.Rego = "package k8sgoodpolicy\n"
	if err := Validate(p, nil); err == nil || !strings.Contains(err.Error(), "exemptImages") {
		t.Errorf("want exemptImages error, got %v", err)
	}
}

func TestSchema(t *testing.T) {
	s, err := Schema(goodParams{})
	if err != nil {
		t.Fatal(err)
	}
	mode := s.Properties["mode"]
	if mode.Type != "string" || len(mode.Enum) != 2 || mode.Default == nil || string(mode.Default.Raw) != `"a"` {
		t.Errorf("mode schema: %+v", mode)
	}
	if len(s.Required) != 1 || s.Required[0] != "mode" {
		t.Errorf("required: %v", s.Required)
	}
	if ex := s.Properties["exemptImages"]; ex.Type != "array" || ex.Items.Schema.Type != "string" {
		t.Errorf("exemptImages schema: %+v", ex)
	}
	if _, err := Schema(struct {
		X int `json:"x"`
	}{}); err == nil || !strings.Contains(err.Error(), "missing description") {
		t.Errorf("want missing description error, got %v", err)
	}
	if _, err := Schema(struct {
		X float64 `json:"x" description:"x"`
	}{}); err == nil {
		t.Errorf("float parameter accepted")
	}
}
