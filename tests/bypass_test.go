package tests

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/open-policy-agent/gatekeeper/v3/pkg/gator/verify"
	"k8s.io/apimachinery/pkg/util/intstr"

	"github.com/gatewarden/gatewarden/internal/engine"
	"github.com/gatewarden/gatewarden/internal/policies"
)

// bypassRoot holds the bypass corpus: for every policy, tests/bypass/<key>/suite.yaml
// collects the ways people try to slip past such a check (a container kind or
// workload kind the check might not look at, a pod-level value a container
// overrides, a spelling the comparison might miss, an UPDATE, ...), each case
// asserting that the attempt is caught. The suites are in Gatekeeper's format, so
// gator verify runs them too.
const bypassRoot = "bypass"

// minBypassCases is how many attempts each policy's corpus must hold at least.
const minBypassCases = 3

func TestBypass(t *testing.T) {
	all, err := policies.All()
	if err != nil {
		t.Fatal(err)
	}
	keys := map[string]bool{}
	var missing []string
	for _, p := range all {
		keys[p.Key] = true
		if _, err := os.Stat(filepath.Join(bypassRoot, p.Key, "suite.yaml")); err != nil {
			missing = append(missing, p.Key)
		}
	}
	if len(missing) > 0 {
		t.Errorf("policies without a bypass corpus (add %s/<key>/suite.yaml with at least %d cases): %s", bypassRoot, minBypassCases, strings.Join(missing, ", "))
	}
	entries, err := os.ReadDir(bypassRoot)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if e.IsDir() && !keys[e.Name()] {
			t.Errorf("%s/%s names no policy: rename or remove it", bypassRoot, e.Name())
		}
	}
	for _, p := range all {
		if contains(missing, p.Key) {
			continue
		}
		t.Run(p.Key, func(t *testing.T) {
			t.Parallel()
			runs := runSuite(t, p, bypassRoot)
			caught := 0
			for _, r := range runs {
				if !assertsCaught(r.tc) {
					t.Errorf("case %s/%s: a bypass case must assert that the attempt is caught (violations with a message)", r.test, r.name)
					continue
				}
				if len(r.byEngine[engine.Rego].findings) == 0 {
					continue // its assertions have already failed
				}
				caught++
			}
			if caught < minBypassCases {
				t.Errorf("%d bypass cases caught, want at least %d", caught, minBypassCases)
			}
		})
	}
}

// assertsCaught is true when a case asserts at least one violation with a
// message: that names what must be caught, where a bare count would also pass on
// an unrelated finding.
func assertsCaught(tc *verify.Case) bool {
	for i := range tc.Assertions {
		a := &tc.Assertions[i]
		if a.Message == nil || a.Violations == nil {
			continue
		}
		v := *a.Violations
		if (v.Type == intstr.String && v.StrVal == "yes") || (v.Type == intstr.Int && v.IntVal > 0) {
			return true
		}
	}
	return false
}
