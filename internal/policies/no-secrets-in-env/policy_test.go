package nosecretsinenv

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
)

// The default patterns are spelled five times: the schema default (a struct tag
// cannot name a constant), the default constraint, the Rego fallback for a
// constraint created without them, and in CEL both the test for a constraint
// that leaves them at the default and the constant regex used then. They must
// not drift.
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
		if !strings.Contains(cel, `== "`+want+`"`) {
			t.Errorf("%s: policy.cel does not recognise the default %q", field, want)
		}
		if !strings.Contains(cel, `matches(r"(?i)`+want+`")`) {
			t.Errorf("%s: policy.cel does not match names against the default %q", field, want)
		}
	}
}
