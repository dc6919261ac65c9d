package tests

import (
	"context"
	"fmt"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/gatewarden/gatewarden/internal/check"
	"github.com/gatewarden/gatewarden/internal/engine"
	"github.com/gatewarden/gatewarden/internal/policies"
	"github.com/gatewarden/gatewarden/internal/report"
	"github.com/gatewarden/gatewarden/internal/spec"
)

// falsePositivesRoot holds the false-positive corpus: realistic workloads
// hardened as the security notes ask (a web app with its Service, TLS Ingress,
// NetworkPolicies and RBAC; a Job and a CronJob; a StatefulSet with its
// volume claims; node agents admitted by a platform team's overlay). The
// hardened bundle must find nothing in them: a finding there is either a policy
// that is wrong or a workload that is not hardened, and one of them must change.
const falsePositivesRoot = "falsepositives"

// nodeAgentOverlay is the overlay that admits the node agents: the hardened
// library with namespace exclusions, scoped constraints and exemptImages.
var nodeAgentOverlay = filepath.Join(falsePositivesRoot, "node-agents", "policies")

func TestFalsePositives(t *testing.T) {
	hardened, err := check.BuiltIn(policies.MustAll(), "hardened")
	if err != nil {
		t.Fatal(err)
	}
	overlay, problems := check.LoadLibrary([]string{nodeAgentOverlay})
	if len(problems) > 0 {
		t.Fatalf("%s: %v", nodeAgentOverlay, problems)
	}
	corpora := []struct {
		name    string
		path    string
		library *check.Library
	}{
		{"apps", filepath.Join(falsePositivesRoot, "apps"), hardened},
		{"node-agents", filepath.Join(falsePositivesRoot, "node-agents", "manifests"), overlay},
	}
	for _, c := range corpora {
		// Each engine on its own, as the harness runs the suites; the Rego run
		// covers the referential policies, with the corpus as their inventory.
		for _, eng := range []engine.Engine{engine.Rego, engine.CEL} {
			t.Run(c.name+"/"+string(eng), func(t *testing.T) {
				t.Parallel()
				rep := runCheck(t, c.path, eng, c.library)
				if findings := describeFindings(rep); len(findings) > 0 {
					t.Errorf("%d findings on hardened workloads: fix the policy that is wrong, or the workload that is not hardened:\n%s",
						len(findings), strings.Join(findings, "\n"))
				}
			})
		}
	}
}

// The node agents pass only through the overlay: under the plain hardened
// bundle each exemption it makes is needed, so the corpus shows the documented
// mechanism at work rather than agents that needed none.
func TestFalsePositivesNodeAgentsNeedTheirExemptions(t *testing.T) {
	hardened, err := check.BuiltIn(policies.MustAll(), "hardened")
	if err != nil {
		t.Fatal(err)
	}
	rep := runCheck(t, filepath.Join(falsePositivesRoot, "node-agents", "manifests"), engine.Rego, hardened)
	kinds := map[string]bool{}
	for _, o := range rep.Objects {
		for _, v := range o.Violations {
			kinds[v.ConstraintKind] = true
		}
	}
	var got []string
	for k := range kinds {
		got = append(got, k)
	}
	sort.Strings(got)
	want := []string{"K8sHostPathVolumes", "K8sNoHostNamespaces", "K8sNoHostPorts", "K8sRunAsNonRoot", "K8sVolumeTypes"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("constraints that refuse the node agents without %s (-want +got):\n%s", nodeAgentOverlay, diff)
	}
}

// runCheck runs gatewarden check's evaluation on a folder: every object reviewed
// with the others as inventory. Input errors, and warnings other than the CEL
// engine skipping the referential templates, fail the test: the corpus must be
// complete (its Namespaces included) and readable.
func runCheck(t *testing.T, path string, eng engine.Engine, lib *check.Library) *report.Report {
	t.Helper()
	rep, err := check.Run(context.Background(), check.Config{Paths: []string{path}, Engine: eng, Library: lib})
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range rep.Problems {
		if p.Warning && eng == engine.CEL && strings.HasSuffix(p.Message, "is not evaluated: it has no cel code") {
			continue
		}
		t.Errorf("%s:%d: %s", p.File, p.Line, p.Message)
	}
	if rep.Summary.Objects == 0 {
		t.Fatalf("%s: no objects checked", path)
	}
	// Guard against a corpus that passes because nothing looked at it.
	for _, o := range rep.Objects {
		if contains(spec.WorkloadKinds(), o.Kind) && len(o.Matched) == 0 {
			t.Errorf("%s:%d: %s/%s is matched by no constraint", o.File, o.Line, o.Kind, o.Name)
		}
	}
	return rep
}

// describeFindings lists every violation of a report, whatever its enforcement
// action, one line each with its place and its constraint.
func describeFindings(rep *report.Report) []string {
	var out []string
	for _, o := range rep.Objects {
		name := o.Name
		if o.Namespace != "" {
			name = o.Namespace + "/" + o.Name
		}
		for _, v := range o.Violations {
			out = append(out, fmt.Sprintf("  %s:%d %s %s [%s] %s: %s", o.File, o.Line, o.Kind, name, v.EnforcementAction, v.ConstraintKind, v.Message))
		}
	}
	return out
}
