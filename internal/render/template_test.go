package render

import "testing"

func TestCountFindings(t *testing.T) {
	for msg, want := range map[string]int{
		"Pod/a: container \"x\" is privileged":                                        1,
		"Pod/a: one; Pod/a: two; Pod/a: three":                                        3,
		"Pod/a: container \"c0\" is privileged (and 99 more findings)":                100,
		"Pod/a: container \"c0\" is priv... (and 1 more findings)":                    2,
		"Pod/a: a name that says (and 3 more findings); Pod/a: and then another one": 2,
	} {
		if got := CountFindings(msg); got != want {
			t.Errorf("CountFindings(%q) = %d, want %d", msg, got, want)
		}
	}
}
