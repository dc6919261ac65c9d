package nosecretsinenv

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
)

// The default patterns are spelled four times: the schema default (a struct tag
// cannot name a constant), the default constraint, and the Rego and CEL
// fallbacks for a constraint created without them. They must not drift.
func TestDefaultPatternsAgree(t *testing.T) {
	typ := reflect.TypeOf(Params{})
	for field, want := range map[string]string{"SecretNamePattern": DefaultSecretNamePattern, "AllowedNamePattern": DefaultAllowedNamePattern} {
		f, _ := typ.FieldByName(field)
		var got string
		if err := json.Unmarshal([]byte(f.Tag.Get("default")), &got); err != nil {
			t.Fatalf("%s: default tag: %v", field, err)
		}
		if got != want {
			t.Errorf("%s: default tag %q, want %q", field, got, want)
		}
		if !strings.Contains(rego, "`"+want+"`") {
			t.Errorf("%s: policy.rego does not fall back to %q", field, want)
		}
		if !strings.Contains(cel, `: "`+want+`"`) {
			t.Errorf("%s: policy.cel does not fall back to %q", field, want)
		}
	}
}
