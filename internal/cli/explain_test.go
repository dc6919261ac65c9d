package cli

import (
	"strings"
	"testing"

	"github.com/gatewarden/gatewarden/internal/policies"
)

func TestExplain(t *testing.T) {
	for _, name := range []string{"K8sProcMount", "k8sprocmount", "proc-mount", "K8SPROCMOUNT"} {
		code, out, errOut := run(t, "", "explain", name)
		if code != ExitOK {
			t.Fatalf("explain %s: exit %d: %s", name, code, errOut)
		}
		for _, want := range []string{
			"# Default /proc mount (`K8sProcMount`)",
			"| Compliance | PSS baseline: /proc Mount Type",
			"`allowUnmaskedWithUserNamespaces` | boolean",
			"## Default constraint",
			"kind: K8sProcMount",
			"sets procMount to",
		} {
			if !strings.Contains(out, want) {
				t.Errorf("explain %s does not print %q:\n%s", name, want, out)
			}
		}
		if strings.Contains(out, "<!--") {
			t.Errorf("explain %s prints the generated-file marker", name)
		}
	}
}

func TestExplainLists(t *testing.T) {
	code, out, _ := run(t, "", "explain")
	if code != ExitOK {
		t.Fatalf("exit %d", code)
	}
	for _, p := range policies.MustAll() {
		if !strings.Contains(out, p.Kind+" ") || !strings.Contains(out, p.Title) {
			t.Errorf("the list misses %s (%s)", p.Kind, p.Title)
		}
	}
}

func TestExplainUnknown(t *testing.T) {
	code, _, errOut := run(t, "", "explain", "privileged")
	if code != ExitUsage {
		t.Fatalf("exit %d, want %d", code, ExitUsage)
	}
	if !strings.Contains(errOut, `no policy named "privileged"`) || !strings.Contains(errOut, "did you mean K8sNoPrivilegedContainers") {
		t.Errorf("no suggestion: %s", errOut)
	}
	if code, _, _ := run(t, "", "explain", "a", "b"); code != ExitUsage {
		t.Errorf("two names: exit %d, want %d", code, ExitUsage)
	}
}
