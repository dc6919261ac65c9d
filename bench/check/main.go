// Command check measures `gatewarden check` against `gator test` on the same
// generated manifests with the same templates and constraints, compares their
// verdicts object by object, and prints throughput and ratios.
//
//	go run ./bench/check                 # N = 100, 1000, 10000
//	go run ./bench/check -n 100,1000
//	GOGC=100 go run ./bench/check -n 10000 -gator=false   # gatewarden alone
package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"time"
)

func main() {
	sizes := flag.String("n", "100,1000,10000", "object counts to measure, comma-separated")
	keep := flag.Bool("keep", false, "keep the work directory")
	withGator := flag.Bool("gator", true, "time gator too and compare verdicts (-gator=false times gatewarden alone, e.g. to try GOGC values)")
	flag.Parse()
	if err := run(*sizes, *keep, *withGator); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

func run(sizes string, keep, withGator bool) error {
	work, err := os.MkdirTemp("", "gatewarden-bench-")
	if err != nil {
		return err
	}
	if !keep {
		defer os.RemoveAll(work)
	} else {
		fmt.Println("work directory:", work)
	}
	bin := filepath.Join(work, "bin")
	if withGator {
		fmt.Println("building gatewarden and gator ...")
	} else {
		fmt.Println("building gatewarden ...")
	}
	if err := goBuild(filepath.Join(bin, "gatewarden"), "./gen"); err != nil {
		return err
	}
	if withGator {
		if err := goBuild(filepath.Join(bin, "gator"), "github.com/open-policy-agent/gatekeeper/v3/cmd/gator"); err != nil {
			return err
		}
	}
	policies := filepath.Join(work, "policies")
	if err := copyPolicies(policies); err != nil {
		return err
	}
	fmt.Printf("machine: %d CPUs (%s/%s)\n\n", runtime.NumCPU(), runtime.GOOS, runtime.GOARCH)
	fmt.Printf("%8s %14s %14s %12s %12s %8s  %s\n", "objects", "gatewarden s", "gator s", "gw obj/s", "gator obj/s", "ratio", "verdicts")
	var prev struct {
		n  int
		gw time.Duration
	}
	for _, field := range strings.Split(sizes, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(field))
		if err != nil || n <= 0 {
			return fmt.Errorf("bad size %q", field)
		}
		dir := filepath.Join(work, fmt.Sprintf("manifests-%d", n))
		if err := generate(dir, n); err != nil {
			return err
		}
		gwOut, gwTime, err := timed(filepath.Join(bin, "gatewarden"), "check", "-o", "json", "--fail-on", "never", "--policies", policies, dir)
		if err != nil {
			return fmt.Errorf("gatewarden: %w\n%s", err, gwOut)
		}
		gw, err := gatewardenVerdicts(gwOut)
		if err != nil {
			return err
		}
		if withGator {
			differ, err := compareWithGator(bin, policies, dir, n, gw, gwTime)
			if err != nil {
				return err
			}
			if differ {
				defer os.Exit(1)
			}
		} else {
			fmt.Printf("%8d %14.2f %14s %12.0f %12s %8s  %d violations\n", n, gwTime.Seconds(), "-",
				float64(n)/gwTime.Seconds(), "-", "-", len(gw))
		}
		if prev.n > 0 {
			fmt.Printf("%8s gatewarden time x%.1f for objects x%.0f\n", "", gwTime.Seconds()/prev.gw.Seconds(), float64(n)/float64(prev.n))
		}
		prev.n, prev.gw = n, gwTime
	}
	return nil
}

// compareWithGator times gator on the same files, prints the row of both
// tools, and reports whether their verdicts differ.
func compareWithGator(bin, policies, dir string, n int, gw []string, gwTime time.Duration) (bool, error) {
	gatorOut, gatorTime, err := timed(filepath.Join(bin, "gator"), "test", "-o", "json", "-f", policies, "-f", dir)
	if err != nil && !isExit1(err) {
		return false, fmt.Errorf("gator: %w\n%s", err, gatorOut)
	}
	gt, err := gatorVerdicts(gatorOut)
	if err != nil {
		return false, err
	}
	differ := !slices.Equal(gw, gt)
	agree := "identical (" + strconv.Itoa(len(gw)) + " violations)"
	if differ {
		agree = fmt.Sprintf("DIFFER: gatewarden %d, gator %d violations", len(gw), len(gt))
	}
	fmt.Printf("%8d %14.2f %14.2f %12.0f %12.0f %7.1fx  %s\n", n, gwTime.Seconds(), gatorTime.Seconds(),
		float64(n)/gwTime.Seconds(), float64(n)/gatorTime.Seconds(), gatorTime.Seconds()/gwTime.Seconds(), agree)
	return differ, nil
}

func goBuild(out, pkg string) error {
	cmd := exec.Command("go", "build", "-o", out, pkg)
	cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr
	return cmd.Run()
}

func isExit1(err error) bool {
	var ee *exec.ExitError
	return errors.As(err, &ee) && ee.ExitCode() == 1
}

func timed(name string, args ...string) ([]byte, time.Duration, error) {
	var out, errb bytes.Buffer
	cmd := exec.Command(name, args...)
	cmd.Stdout, cmd.Stderr = &out, &errb
	start := time.Now()
	err := cmd.Run()
	d := time.Since(start)
	if err != nil && !isExit1(err) {
		return append(out.Bytes(), errb.Bytes()...), d, err
	}
	return out.Bytes(), d, err
}

// copyPolicies copies the rendered templates and constraints, without the
// kustomization files gator would try to read as objects.
func copyPolicies(dst string) error {
	if err := os.MkdirAll(dst, 0o755); err != nil {
		return err
	}
	for _, dir := range []string{"templates", "constraints"} {
		files, err := filepath.Glob(filepath.Join(dir, "*.yaml"))
		if err != nil {
			return err
		}
		for _, f := range files {
			if filepath.Base(f) == "kustomization.yaml" {
				continue
			}
			data, err := os.ReadFile(f)
			if err != nil {
				return err
			}
			if err := os.WriteFile(filepath.Join(dst, dir+"-"+filepath.Base(f)), data, 0o644); err != nil {
				return err
			}
		}
	}
	return nil
}

// verdict is one violation: object, constraint and message.
func key(kind, ns, name, constraint, msg string) string {
	return strings.Join([]string{kind, ns, name, constraint, msg}, "|")
}

func gatewardenVerdicts(out []byte) ([]string, error) {
	var rep struct {
		Objects []struct {
			Kind, Namespace, Name string
			Violations            []struct{ ConstraintName, Message string }
		}
	}
	if err := json.Unmarshal(out, &rep); err != nil {
		return nil, fmt.Errorf("gatewarden json: %w", err)
	}
	var v []string
	for _, o := range rep.Objects {
		for _, x := range o.Violations {
			v = append(v, key(o.Kind, o.Namespace, o.Name, x.ConstraintName, x.Message))
		}
	}
	slices.Sort(v)
	return v, nil
}

func gatorVerdicts(out []byte) ([]string, error) {
	var results []struct {
		Msg        string `json:"msg"`
		Constraint struct {
			Metadata struct{ Name string }
		}
		ViolatingObject struct {
			Kind     string
			Metadata struct{ Name, Namespace string }
		} `json:"violatingObject"`
	}
	if len(bytes.TrimSpace(out)) == 0 {
		return nil, nil
	}
	if err := json.Unmarshal(out, &results); err != nil {
		return nil, fmt.Errorf("gator json: %w", err)
	}
	var v []string
	for _, r := range results {
		v = append(v, key(r.ViolatingObject.Kind, r.ViolatingObject.Metadata.Namespace, r.ViolatingObject.Metadata.Name, r.Constraint.Metadata.Name, r.Msg))
	}
	slices.Sort(v)
	return v, nil
}

// generate writes n realistic objects, 100 per file: namespaces, service
// accounts, Deployments, Pods, Services, Ingresses and RBAC, a fifth of the
// workloads breaking some practice.
func generate(dir string, n int) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	r := rand.New(rand.NewPCG(uint64(n), 42))
	var docs []string
	flush := func(force bool) error {
		if len(docs) == 0 || (!force && len(docs) < 100) {
			return nil
		}
		name := filepath.Join(dir, fmt.Sprintf("objects-%05d.yaml", len(must(os.ReadDir(dir)))))
		err := os.WriteFile(name, []byte(strings.Join(docs, "---\n")), 0o644)
		docs = docs[:0]
		return err
	}
	for i := 0; i < n; i++ {
		ns := fmt.Sprintf("team-%d", i/50)
		if i%50 == 0 {
			// Every namespace the objects use is in the input, as it is in a
			// cluster: constraints that select namespaces by label need it.
			docs = append(docs, fmt.Sprintf("apiVersion: v1\nkind: Namespace\nmetadata:\n  name: %s\n  labels: {team: %s}\n", ns, ns))
			continue
		}
		docs = append(docs, object(r, i, ns))
		if err := flush(false); err != nil {
			return err
		}
	}
	return flush(true)
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

func object(r *rand.Rand, i int, ns string) string {
	bad := r.IntN(5) == 0
	image := fmt.Sprintf("registry.example.com/%s/app-%d:1.%d.0", ns, i%7, i%13)
	if bad {
		image = []string{"nginx", "nginx:latest", "registry.example.com/app:latest", image}[r.IntN(4)]
	}
	privileged := "false"
	if bad && r.IntN(2) == 0 {
		privileged = "true"
	}
	switch i % 10 {
	case 0:
		return fmt.Sprintf("apiVersion: v1\nkind: Namespace\nmetadata:\n  name: %s-%d\n  labels: {team: %s}\n", ns, i, ns)
	case 1:
		return fmt.Sprintf("apiVersion: v1\nkind: ServiceAccount\nmetadata: {name: app-%d, namespace: %s}\nautomountServiceAccountToken: %v\n", i, ns, !bad)
	case 2, 3, 4:
		return fmt.Sprintf(`apiVersion: apps/v1
kind: Deployment
metadata: {name: app-%d, namespace: %s, labels: {app: app-%d}}
spec:
  replicas: 2
  selector: {matchLabels: {app: app-%d}}
  template:
    metadata: {labels: {app: app-%d}}
    spec:
      serviceAccountName: app-%d
      automountServiceAccountToken: %v
      securityContext: {runAsNonRoot: true, seccompProfile: {type: RuntimeDefault}}
      initContainers:
        - name: migrate
          image: %s
          securityContext: {allowPrivilegeEscalation: false, capabilities: {drop: [ALL]}}
      containers:
        - name: app
          image: %s
          ports: [{containerPort: 8080}]
          securityContext: {privileged: %s, allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: {drop: [ALL]}}
          resources: {requests: {cpu: 100m, memory: 128Mi}, limits: {cpu: 500m, memory: 256Mi}}
        - name: proxy
          image: registry.example.com/mesh/proxy:1.22.0
          securityContext: {allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: {drop: [ALL]}}
`, i, ns, i, i, i, i-1, r.IntN(3) != 0, image, image, privileged)
	case 5:
		return fmt.Sprintf(`apiVersion: v1
kind: Pod
metadata: {name: job-%d, namespace: %s}
spec:
  automountServiceAccountToken: false
  containers:
    - name: job
      image: %s
      securityContext: {privileged: %s}
`, i, ns, image, privileged)
	case 6, 7:
		return fmt.Sprintf("apiVersion: v1\nkind: Service\nmetadata: {name: app-%d, namespace: %s}\nspec:\n  selector: {app: app-%d}\n  ports: [{port: 80, targetPort: 8080}]\n", i, ns, i)
	case 8:
		tls := fmt.Sprintf("  tls: [{hosts: [app-%d.example.com], secretName: app-%d-tls}]\n", i, i)
		if bad {
			tls = ""
		}
		return fmt.Sprintf(`apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: app-%d, namespace: %s}
spec:
  ingressClassName: nginx
%s  rules:
    - host: app-%d.example.com
      http:
        paths: [{path: /, pathType: Prefix, backend: {service: {name: app-%d, port: {number: 80}}}}]
`, i, ns, tls, i, i)
	default:
		return fmt.Sprintf(`apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: app-%d, namespace: %s}
rules:
  - apiGroups: [""]
    resources: [configmaps]
    verbs: [get, list, watch]
`, i, ns)
	}
}
