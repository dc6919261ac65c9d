package manifest

import (
	"os"
	"path/filepath"
	"testing"
)

// Objects built by kustomize are JSON values, as those read from files: a
// number is an int64, which unstructured objects (and the constraint framework,
// which deep-copies constraints) can copy, not the int the YAML decoder makes.
func TestKustomizeObjectsAreJSONValues(t *testing.T) {
	dir := t.TempDir()
	files := map[string]string{
		"kustomization.yaml": "resources:\n- constraint.yaml\n",
		"constraint.yaml": `apiVersion: constraints.gatekeeper.sh/v1beta1
kind: K8sNoHostPorts
metadata:
  name: metrics
spec:
  parameters:
    allowedHostPorts:
    - {min: 9100, max: 9100}
`,
	}
	for name, content := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	res := Kustomize(dir)
	if len(res.Problems) > 0 || len(res.Objects) != 1 {
		t.Fatalf("got %d objects and problems %v, want 1 object", len(res.Objects), res.Problems)
	}
	obj := res.Objects[0].Object
	ports, _ := obj.Object["spec"].(map[string]any)["parameters"].(map[string]any)["allowedHostPorts"].([]any)
	if len(ports) != 1 {
		t.Fatalf("allowedHostPorts: got %v", ports)
	}
	if min, ok := ports[0].(map[string]any)["min"].(int64); !ok || min != 9100 {
		t.Errorf("allowedHostPorts[0].min: got %#v, want int64 9100", ports[0].(map[string]any)["min"])
	}
	_ = obj.DeepCopy() // panics on a Go int
}
