//go:build e2e

package e2e

import (
	"context"
	"fmt"
	"net"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"

	"github.com/gatewarden/gatewarden/internal/policies"
	"github.com/gatewarden/gatewarden/internal/spec"
)

var (
	vapGVR     = schema.GroupVersionResource{Group: "admissionregistration.k8s.io", Version: "v1", Resource: "validatingadmissionpolicies"}
	bindingGVR = schema.GroupVersionResource{Group: "admissionregistration.k8s.io", Version: "v1", Resource: "validatingadmissionpolicybindings"}
)

// TestNative deploys the library with components/native, stops Gatekeeper's
// webhook, and replays every suite case of every policy that has CEL with the
// API server's ValidatingAdmissionPolicy as the only enforcer, one policy
// enforced at a time. It then compares each case's verdict with the webhook
// path of TestSuites.
func TestNative(t *testing.T) {
	ctx := context.Background()
	c := theCluster
	var native []*spec.Policy
	for _, p := range policies.MustAll() {
		if p.Native() {
			native = append(native, p)
		}
	}

	// Stop Gatekeeper's webhook: Gatekeeper runs on without it (it still
	// generates policies and bindings, and audits), and the webhook registration
	// fails open, as Gatekeeper's own chart installs it. Its defaults for
	// generating policies and bindings are turned off, so that what the API
	// server enforces from here on is there because components/native asks
	// for it.
	c.stopProcess("gatekeeper")
	if err := c.startGatekeeperOps("--operation=audit", "--operation=status", "--operation=generate",
		"--default-create-vap-for-templates=false", "--default-create-vap-binding-for-constraints=false"); err != nil {
		t.Fatal(err)
	}
	if err := waitHTTP(ctx, "http://"+healthAddress+"/readyz", "", 3*time.Minute); err != nil {
		t.Fatalf("gatekeeper (no webhook) not ready: %v\n%s", err, tail(filepath.Join(c.dir, "gatekeeper.log")))
	}
	if out, err := c.kubectl(ctx, "patch", "validatingwebhookconfiguration", "gatekeeper-validating-webhook-configuration",
		"--type=json", `-p=[{"op":"replace","path":"/webhooks/0/failurePolicy","value":"Ignore"}]`); err != nil {
		t.Fatalf("webhook failurePolicy: %v\n%s", err, out)
	}
	if conn, err := net.DialTimeout("tcp", fmt.Sprintf("127.0.0.1:%d", webhookPort), time.Second); err == nil {
		conn.Close()
		t.Fatal("Gatekeeper's webhook still listens")
	}
	t.Logf("Gatekeeper's webhook is stopped (nothing listens on port %d)", webhookPort)

	// The overlay of examples/overlays/native: the library with the component.
	if out, err := c.kubectl(ctx, "apply", "-k", filepath.Join(repoRoot, "examples", "overlays", "native")); err != nil {
		t.Fatalf("kubectl apply -k examples/overlays/native: %v\n%s", err, out)
	}
	// What the component applied: generateVAP on each template's CEL, each
	// constraint scoped to the vap.k8s.io enforcement point.
	templateGVR := schema.GroupVersionResource{Group: "templates.gatekeeper.sh", Version: "v1", Resource: "constrainttemplates"}
	for _, p := range native {
		ct, err := dyn.Resource(templateGVR).Get(ctx, p.TemplateName(), metav1.GetOptions{})
		if err != nil {
			t.Fatal(err)
		}
		targets, _, _ := unstructured.NestedSlice(ct.Object, "spec", "targets")
		code, _, _ := unstructured.NestedSlice(targets[0].(map[string]any), "code")
		if gen, _, _ := unstructured.NestedBool(code[0].(map[string]any), "source", "generateVAP"); !gen {
			t.Errorf("%s: the applied template has no generateVAP: true", p.Kind)
		}
		con, err := getConstraint(ctx, p)
		if err != nil {
			t.Fatal(err)
		}
		scoped, _, _ := unstructured.NestedSlice(con.Object, "spec", "scopedEnforcementActions")
		if action, _, _ := unstructured.NestedString(con.Object, "spec", "enforcementAction"); action != "scoped" || len(scoped) == 0 ||
			!strings.Contains(fmt.Sprint(scoped), "vap.k8s.io") || strings.Contains(fmt.Sprint(scoped), "validation.gatekeeper.sh") {
			t.Errorf("%s: the applied constraint is not scoped to vap.k8s.io alone of the admission points: %s %v", p.Kind, action, scoped)
		}
	}
	for _, p := range native {
		if err := setNativeAction(ctx, p, "dryrun"); err != nil {
			t.Fatal(err)
		}
	}
	// Every CEL-capable template has its generated policy, every constraint of
	// one its binding; referential templates have neither.
	for _, p := range native {
		if err := waitBinding(ctx, p, []string{"Audit"}, 3*time.Minute); err != nil {
			t.Fatal(err)
		}
	}
	t.Logf("%d ValidatingAdmissionPolicies and bindings generated from components/native", len(native))
	for _, p := range policies.MustAll() {
		if p.Native() {
			continue
		}
		if _, err := dyn.Resource(vapGVR).Get(ctx, "gatekeeper-"+p.TemplateName(), metav1.GetOptions{}); err == nil {
			t.Errorf("%s is referential, but a ValidatingAdmissionPolicy was generated for it", p.Kind)
		}
	}

	for _, p := range native {
		t.Run(p.Key, func(t *testing.T) {
			want := map[string]string{spec.Deny: "Deny", spec.Warn: "Warn", spec.DryRun: "Audit"}[string(p.Enforcement)]
			if err := setNativeAction(ctx, p, string(p.Enforcement)); err != nil {
				t.Fatal(err)
			}
			if err := waitBinding(ctx, p, []string{want}, time.Minute); err != nil {
				t.Fatal(err)
			}
			defer func() {
				if err := setNativeAction(ctx, p, "dryrun"); err != nil {
					t.Error(err)
				}
				if err := waitBinding(ctx, p, []string{"Audit"}, time.Minute); err != nil {
					t.Error(err)
				}
			}()
			runPolicy(t, p, modeNative)
		})
	}

	// Both paths judged the same cases: their verdicts must agree.
	verdictsMu.Lock()
	defer verdictsMu.Unlock()
	var agree, differ []string
	for key, nv := range verdicts[modeNative] {
		wv, ok := verdicts[modeWebhook][key]
		if !ok {
			continue
		}
		if wv == nv {
			agree = append(agree, key)
		} else {
			differ = append(differ, fmt.Sprintf("%s: webhook %s, native %s", key, wv, nv))
		}
	}
	sort.Strings(differ)
	fmt.Printf("e2e: native and webhook verdicts agree on %d cases, differ on %d (native judged %d cases, webhook %d)\n",
		len(agree), len(differ), len(verdicts[modeNative]), len(verdicts[modeWebhook]))
	for _, d := range differ {
		t.Errorf("verdicts differ: %s", d)
	}
	if len(verdicts[modeWebhook]) > 0 && len(agree) == 0 {
		t.Error("no case was judged on both paths")
	}
}

// setNativeAction sets the action a native constraint has at the vap.k8s.io
// enforcement point (and at audit and gator, as components/native does).
func setNativeAction(ctx context.Context, p *spec.Policy, action string) error {
	gvr := schema.GroupVersionResource{Group: "constraints.gatekeeper.sh", Version: "v1beta1", Resource: strings.ToLower(p.Kind)}
	patch := fmt.Sprintf(`{"spec":{"enforcementAction":"scoped","scopedEnforcementActions":[{"action":%q,"enforcementPoints":[{"name":"vap.k8s.io"},{"name":"audit.gatekeeper.sh"},{"name":"gator.gatekeeper.sh"}]}]}}`, action)
	_, err := dyn.Resource(gvr).Patch(ctx, p.ConstraintName(), types.MergePatchType, []byte(patch), metav1.PatchOptions{})
	return err
}

// waitBinding waits until the API server holds the policy Gatekeeper generates
// from p's template and the binding of p's default constraint, with actions.
func waitBinding(ctx context.Context, p *spec.Policy, actions []string, timeout time.Duration) error {
	policyName := "gatekeeper-" + p.TemplateName()
	deadline := time.Now().Add(timeout)
	var last string
	for time.Now().Before(deadline) {
		if _, err := dyn.Resource(vapGVR).Get(ctx, policyName, metav1.GetOptions{}); err != nil {
			last = "no ValidatingAdmissionPolicy " + policyName + ": " + err.Error()
		} else if b, err := bindingOf(ctx, policyName, p.ConstraintName()); err != nil {
			last = err.Error()
		} else {
			got, _, _ := unstructured.NestedStringSlice(b.Object, "spec", "validationActions")
			if reflect.DeepEqual(got, actions) {
				// The API server's admission plugin reloads policies and
				// bindings from its informers: give it a moment.
				time.Sleep(2 * time.Second)
				return nil
			}
			last = fmt.Sprintf("binding %s has validationActions %v, want %v", b.GetName(), got, actions)
		}
		time.Sleep(time.Second)
	}
	return fmt.Errorf("%s: %s after %s\n%s", p.Kind, last, timeout, tail(filepath.Join(theCluster.dir, "gatekeeper.log")))
}

func bindingOf(ctx context.Context, policyName, constraint string) (*unstructured.Unstructured, error) {
	list, err := dyn.Resource(bindingGVR).List(ctx, metav1.ListOptions{})
	if err != nil {
		return nil, err
	}
	for i := range list.Items {
		b := &list.Items[i]
		name, _, _ := unstructured.NestedString(b.Object, "spec", "policyName")
		if name == policyName && strings.HasSuffix(b.GetName(), constraint) {
			return b, nil
		}
	}
	return nil, fmt.Errorf("no ValidatingAdmissionPolicyBinding of %s for constraint %s", policyName, constraint)
}
