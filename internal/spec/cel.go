package spec

import (
	"bytes"
	"fmt"
	"regexp"

	"go.yaml.in/yaml/v3"
)

// CELSource is the content of a policy.cel file.
//
//	variables:            # helpers, declared after the shared lib variables they read
//	- name: ...
//	  expression: ...
//	rules:                # one per thing the policy forbids
//	- name: privileged
//	  findings: ...       # a list of lists of messages, one per variables.reviewed:
//	                      # what the object has and, on UPDATE, what the previous
//	                      # object had
//
// The generator turns each rule into a variable <name>Findings and a validation
// that fails, listing the messages, when the object has a finding the previous
// object did not: the same UPDATE rule as lib.update in Rego.
type CELSource struct {
	Variables []CELVariable `yaml:"variables"`
	Rules     []CELRule     `yaml:"rules"`
}

// CELVariable is a named CEL expression.
type CELVariable struct {
	Name       string `yaml:"name"`
	Expression string `yaml:"expression"`
}

// CELRule is one forbidden thing: its findings on the reviewed objects.
type CELRule struct {
	Name     string `yaml:"name"`
	Findings string `yaml:"findings"`
}

var celNameRE = regexp.MustCompile(`^[a-z][A-Za-z0-9]*$`)

// ParseCEL decodes a policy.cel file, rejecting unknown keys.
func ParseCEL(src string) (*CELSource, error) {
	var out CELSource
	dec := yaml.NewDecoder(bytes.NewBufferString(src))
	dec.KnownFields(true)
	if err := dec.Decode(&out); err != nil {
		return nil, fmt.Errorf("policy.cel: %w", err)
	}
	if len(out.Rules) == 0 {
		return nil, fmt.Errorf("policy.cel: no rules")
	}
	seen := map[string]bool{}
	for _, v := range out.Variables {
		if !celNameRE.MatchString(v.Name) || seen[v.Name] {
			return nil, fmt.Errorf("policy.cel: variable name %q must be lowerCamelCase and unique", v.Name)
		}
		seen[v.Name] = true
	}
	for _, r := range out.Rules {
		if !celNameRE.MatchString(r.Name) || seen[r.Name+"Findings"] {
			return nil, fmt.Errorf("policy.cel: rule name %q must be lowerCamelCase and unique", r.Name)
		}
		if r.Findings == "" {
			return nil, fmt.Errorf("policy.cel: rule %q has no findings expression", r.Name)
		}
		seen[r.Name+"Findings"] = true
	}
	return &out, nil
}
