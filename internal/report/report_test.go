package report

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	// The official SARIF 2.1.0 schema ships in this module's source; the test
	// reads it from there to validate our bytes (not a re-encoding of them).
	_ "github.com/owenrumney/go-sarif/v3/pkg/report/v210/sarif"
	"github.com/xeipuuv/gojsonschema"

	"github.com/gatewarden/gatewarden/internal/engine"
	"github.com/gatewarden/gatewarden/internal/manifest"
)

var update = flag.Bool("update", false, "rewrite the golden files")

func sample() *Report {
	r := &Report{
		Objects: []Object{
			{File: "deploy/app.yaml", Line: 12, APIVersion: "apps/v1", Kind: "Deployment", Namespace: "shop", Name: "web",
				Matched: []string{"K8sDisallowLatestTag/disallow-latest-tag", "K8sNoPrivilegedContainers/no-privileged-containers"},
				Violations: []engine.Result{
					{ConstraintKind: "K8sDisallowLatestTag", ConstraintName: "disallow-latest-tag", EnforcementAction: "deny",
						Message: `Deployment/web: container "web" has image "nginx:latest" with disallowed tag "latest" (spec.template.spec.containers[web].image), pin a version tag or a digest`,
						Details: map[string]any{"container": "web"}},
					{ConstraintKind: "K8sNoPrivilegedContainers", ConstraintName: "no-privileged-containers", EnforcementAction: "warn",
						Message: `Deployment/web: container "web" is privileged <&> (spec.template.spec.containers[web].securityContext.privileged=true), set it to false or remove it`},
				}},
			{File: "deploy/app.yaml", Line: 40, APIVersion: "v1", Kind: "Service", Namespace: "shop", Name: "web"},
			{File: "deploy/ingress.yaml", Line: 1, APIVersion: "networking.k8s.io/v1", Kind: "Ingress", Namespace: "shop", Name: "web",
				Matched: []string{"K8sIngressTLS/ingress-tls"},
				Violations: []engine.Result{{ConstraintKind: "K8sIngressTLS", ConstraintName: "ingress-tls", EnforcementAction: "dryrun",
					Message: "Ingress/web: has no spec.tls, so it serves plain HTTP, add a spec.tls entry with a secretName covering its hosts"}}},
		},
		Problems: []manifest.Problem{
			{File: "deploy/broken.yaml", Line: 4, Message: "invalid YAML: found a tab character that violates indentation (indent with spaces, not tabs)"},
			{File: "deploy/app.yaml", Line: 60, Message: "empty document skipped", Warning: true},
		},
		Rules: []Rule{
			{ID: "K8sNoPrivilegedContainers", Title: "No privileged containers", Description: "Containers must not be privileged.", HelpURI: "https://github.com/gatewarden/gatewarden/blob/main/docs/policies/no-privileged-containers.md"},
			{ID: "K8sDisallowLatestTag", Title: "Disallow the latest tag", Description: "Pin image versions."},
			{ID: "K8sIngressTLS", Title: "Ingress serves TLS"},
		},
	}
	r.Summarize()
	return r
}

func TestFormatsGolden(t *testing.T) {
	for _, name := range FormatNames() {
		t.Run(name, func(t *testing.T) {
			out, _ := ForFormat(name)
			var buf bytes.Buffer
			if err := out.Output(&buf, sample()); err != nil {
				t.Fatal(err)
			}
			golden := filepath.Join("testdata", "sample."+name+".golden")
			if *update {
				if err := os.WriteFile(golden, buf.Bytes(), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test ./internal/report -update)", err)
			}
			if diff := cmp.Diff(string(want), buf.String()); diff != "" {
				t.Errorf("%s output differs from %s (-want +got):\n%s", name, golden, diff)
			}
		})
	}
}

func TestTextColor(t *testing.T) {
	var buf bytes.Buffer
	if err := (Text{Color: true}).Output(&buf, sample()); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(buf.String(), "\x1b[31m[deny]\x1b[0m") {
		t.Errorf("no colour on a terminal:\n%q", buf.String())
	}
}

func sarifSchema(t *testing.T) string {
	t.Helper()
	dir, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}}", "github.com/owenrumney/go-sarif/v3").Output()
	if err != nil {
		t.Fatalf("locate the SARIF schema module: %v", err)
	}
	src, err := os.ReadFile(filepath.Join(strings.TrimSpace(string(dir)), "pkg/report/v210/sarif/schema.go"))
	if err != nil {
		t.Fatal(err)
	}
	s := string(src)
	start := strings.Index(s, "`")
	end := strings.LastIndex(s, "`")
	if start < 0 || end <= start {
		t.Fatal("schema text not found")
	}
	schema := s[start+1 : end]
	if !strings.Contains(schema, "Static Analysis Results Format (SARIF) Version 2.1.0 JSON Schema") {
		t.Fatal("not the SARIF 2.1.0 schema")
	}
	return schema
}

func TestSARIFValidatesAgainstSchema(t *testing.T) {
	var buf bytes.Buffer
	if err := (SARIF{Version: "test"}).Output(&buf, sample()); err != nil {
		t.Fatal(err)
	}
	res, err := gojsonschema.Validate(gojsonschema.NewStringLoader(sarifSchema(t)), gojsonschema.NewBytesLoader(buf.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range res.Errors() {
		t.Errorf("SARIF schema: %s", e)
	}
	// The check can fail: a log without the required version is rejected.
	var log map[string]any
	json.Unmarshal(buf.Bytes(), &log)
	delete(log, "version")
	broken, _ := json.Marshal(log)
	res, err = gojsonschema.Validate(gojsonschema.NewStringLoader(sarifSchema(t)), gojsonschema.NewBytesLoader(broken))
	if err != nil || res.Valid() {
		t.Errorf("a SARIF log without version passed validation (err %v)", err)
	}
}

func TestFails(t *testing.T) {
	r := sample()
	for level, want := range map[string]bool{FailOnDeny: true, FailOnWarn: true, FailOnDryRun: true, FailOnNever: false} {
		if got := r.Fails(level); got != want {
			t.Errorf("Fails(%s) = %v, want %v", level, got, want)
		}
	}
	r.Objects[0].Violations = r.Objects[0].Violations[1:] // only warn and dryrun left
	r.Summarize()
	for level, want := range map[string]bool{FailOnDeny: false, FailOnWarn: true, FailOnDryRun: true} {
		if got := r.Fails(level); got != want {
			t.Errorf("warn+dryrun: Fails(%s) = %v, want %v", level, got, want)
		}
	}
}
