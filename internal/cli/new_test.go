package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"sigs.k8s.io/yaml"
)

func TestNewConstraint(t *testing.T) {
	dir := t.TempDir()
	kust := "# prod overlay\napiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n- ../../base # the library\n"
	if err := os.WriteFile(filepath.Join(dir, "kustomization.yaml"), []byte(kust), 0o644); err != nil {
		t.Fatal(err)
	}
	code, out, errOut := run(t, "", "new", "constraint", "K8sRunAsNonRoot", "agents-exempt", "--dir", dir,
		"--set", "exemptImages=[registry.example.com/agents/*, registry.example.com/node-exporter:1.8.0]", "--enforcement", "warn")
	if code != ExitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	if !strings.Contains(out, "agents-exempt.yaml (K8sRunAsNonRoot, enforcementAction warn)") {
		t.Errorf("output: %s", out)
	}
	data, err := os.ReadFile(filepath.Join(dir, "agents-exempt.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var con struct {
		Kind     string
		Metadata struct {
			Name   string
			Labels map[string]string
		}
		Spec struct {
			EnforcementAction string `json:"enforcementAction"`
			Match             struct {
				ExcludedNamespaces []string `json:"excludedNamespaces"`
			}
			Parameters map[string]any
		}
	}
	if err := yaml.Unmarshal(data, &con); err != nil {
		t.Fatal(err)
	}
	if con.Kind != "K8sRunAsNonRoot" || con.Metadata.Name != "agents-exempt" || con.Spec.EnforcementAction != "warn" {
		t.Errorf("wrong constraint:\n%s", data)
	}
	if len(con.Metadata.Labels) != 0 {
		t.Errorf("a user's constraint must not carry the library's bundle labels (bundle components would patch it):\n%s", data)
	}
	if len(con.Spec.Match.ExcludedNamespaces) == 0 {
		t.Errorf("the default match (system namespaces excluded) is lost:\n%s", data)
	}
	if got := con.Spec.Parameters["exemptImages"]; len(got.([]any)) != 2 {
		t.Errorf("exemptImages = %v", got)
	}
	k, _ := os.ReadFile(filepath.Join(dir, "kustomization.yaml"))
	if !strings.Contains(string(k), "- agents-exempt.yaml") || !strings.Contains(string(k), "# prod overlay") || !strings.Contains(string(k), "# the library") {
		t.Errorf("kustomization not updated with comments kept:\n%s", k)
	}

	// A second write of the same name is refused; the kustomization lists it once.
	if code, _, errOut := run(t, "", "new", "constraint", "run-as-non-root", "agents-exempt", "--dir", dir); code != ExitUsage || !strings.Contains(errOut, "exists: choose another name or pass --force") {
		t.Errorf("overwrite: exit %d: %s", code, errOut)
	}
	if code, _, errOut := run(t, "", "new", "constraint", "run-as-non-root", "agents-exempt", "--dir", dir, "--force"); code != ExitOK {
		t.Errorf("--force: exit %d: %s", code, errOut)
	}
	k, _ = os.ReadFile(filepath.Join(dir, "kustomization.yaml"))
	if strings.Count(string(k), "agents-exempt.yaml") != 1 {
		t.Errorf("listed twice:\n%s", k)
	}
}

func TestNewConstraintObjectParameters(t *testing.T) {
	dir := t.TempDir()
	code, _, errOut := run(t, "", "new", "constraint", "K8sRequiredLabels", "team-labels", "--dir", dir,
		"--set", `labels=[{key: owner, allowedRegex: "team-[a-z]+"}]`)
	if code != ExitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	data, _ := os.ReadFile(filepath.Join(dir, "team-labels.yaml"))
	if !strings.Contains(string(data), "allowedRegex: team-[a-z]+") || !strings.Contains(string(data), "enforcementAction: warn") {
		t.Errorf("constraint:\n%s", data)
	}
}

func TestNewConstraintRefuses(t *testing.T) {
	dir := t.TempDir()
	for name, tc := range map[string]struct {
		args []string
		want []string
	}{
		"wrong type":        {[]string{"K8sRunAsNonRoot", "x", "--set", "exemptImages=registry.example.com/a"}, []string{"K8sRunAsNonRoot rejects these parameters (nothing written)", "exemptImages"}},
		"unknown parameter": {[]string{"K8sRunAsNonRoot", "x", "--set", "exemptImage=[a]"}, []string{`has no parameter "exemptImage"`, "its parameters are", "exemptImages"}},
		"no value":          {[]string{"K8sRunAsNonRoot", "x", "--set", "exemptImages"}, []string{"write key=value"}},
		"bad yaml":          {[]string{"K8sRunAsNonRoot", "x", "--set", "exemptImages=[a"}, []string{"not valid YAML"}},
		"bad name":          {[]string{"K8sRunAsNonRoot", "Not_A_Name"}, []string{`constraint name "Not_A_Name"`}},
		"bad enforcement":   {[]string{"K8sRunAsNonRoot", "x", "--enforcement", "block"}, []string{`--enforcement "block": use deny, warn or dryrun`}},
		"unknown kind":      {[]string{"K8sRunAsRoot", "x"}, []string{`no policy named "K8sRunAsRoot"`}},
		"one argument":      {[]string{"K8sRunAsNonRoot"}, []string{"takes a Kind (or policy key) and a constraint name"}},
	} {
		t.Run(name, func(t *testing.T) {
			code, _, errOut := run(t, "", append(append([]string{"new", "constraint"}, tc.args...), "--dir", dir)...)
			if code != ExitUsage {
				t.Fatalf("exit %d, want %d: %s", code, ExitUsage, errOut)
			}
			for _, w := range tc.want {
				if !strings.Contains(errOut, w) {
					t.Errorf("stderr does not say %q: %s", w, errOut)
				}
			}
		})
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Errorf("a refused constraint was written: %v", entries)
	}
}

func TestNewRefusesThroughCLI(t *testing.T) {
	code, _, errOut := run(t, "", "new", "proc-mount", "--root", "../..")
	if code != ExitUsage || !strings.Contains(errOut, "internal/policies/proc-mount already exists") || !strings.Contains(errOut, `Kind "K8sProcMount" is taken by policy proc-mount`) {
		t.Errorf("exit %d: %s", code, errOut)
	}
	if code, _, errOut := run(t, "", "new"); code != ExitUsage || !strings.Contains(errOut, "new takes one policy key") {
		t.Errorf("no key: exit %d: %s", code, errOut)
	}
}
