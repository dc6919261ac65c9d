//go:build e2e

package e2e

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"math/big"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"
)

// cluster is etcd, kube-apiserver and Gatekeeper running as local processes,
// on loopback only. Run the suite inside a private network namespace (make
// e2e does) so that nothing leaves the machine and ports never collide.
type cluster struct {
	bin        string // folder with etcd, kube-apiserver, kubectl, gatekeeper
	dir        string // state: etcd data, certificates, logs, kubeconfig
	kubeconfig string
	caPEM      []byte
	procs      []*exec.Cmd
}

const (
	apiserverURL  = "https://127.0.0.1:6443"
	webhookPort   = 8443
	adminToken    = "gatewarden-e2e-admin-token"
	gatekeeperNS  = "gatekeeper-system"
	healthAddress = "127.0.0.1:9090"
)

func newCluster(bin, dir string) *cluster {
	return &cluster{bin: bin, dir: dir, kubeconfig: filepath.Join(dir, "kubeconfig")}
}

// start launches a process with its output in dir/<name>.log.
func (c *cluster) start(name string, env []string, args ...string) error {
	logf, err := os.Create(filepath.Join(c.dir, name+".log"))
	if err != nil {
		return err
	}
	cmd := exec.Command(filepath.Join(c.bin, name), args...)
	cmd.Stdout, cmd.Stderr = logf, logf
	cmd.Env = append(os.Environ(), env...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("start %s: %w", name, err)
	}
	c.procs = append(c.procs, cmd)
	return nil
}

// stop ends every process it started, by PID, newest first.
func (c *cluster) stop() {
	for i := len(c.procs) - 1; i >= 0; i-- {
		p := c.procs[i]
		_ = syscall.Kill(-p.Process.Pid, syscall.SIGTERM)
		done := make(chan struct{})
		go func() { _ = p.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			_ = syscall.Kill(-p.Process.Pid, syscall.SIGKILL)
			<-done
		}
	}
	c.procs = nil
}

// stopGatekeeper ends the Gatekeeper process only.
func (c *cluster) stopProcess(name string) {
	for i, p := range c.procs {
		if filepath.Base(p.Path) == name {
			_ = syscall.Kill(-p.Process.Pid, syscall.SIGTERM)
			_ = p.Wait()
			c.procs = append(c.procs[:i], c.procs[i+1:]...)
			return
		}
	}
}

func (c *cluster) up(ctx context.Context) error {
	if err := c.certificates(); err != nil {
		return err
	}
	if err := c.start("etcd", nil,
		"--data-dir", filepath.Join(c.dir, "etcd"),
		"--listen-client-urls", "http://127.0.0.1:2379", "--advertise-client-urls", "http://127.0.0.1:2379",
		"--listen-peer-urls", "http://127.0.0.1:2380", "--initial-advertise-peer-urls", "http://127.0.0.1:2380",
		"--initial-cluster", "default=http://127.0.0.1:2380", "--log-level", "warn"); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(c.dir, "tokens.csv"), []byte(adminToken+",admin,admin,system:masters\n"), 0o600); err != nil {
		return err
	}
	if err := c.start("kube-apiserver", nil,
		"--etcd-servers", "http://127.0.0.1:2379",
		"--bind-address", "127.0.0.1", "--advertise-address", "127.0.0.1", "--secure-port", "6443",
		"--cert-dir", filepath.Join(c.dir, "apiserver-certs"),
		"--token-auth-file", filepath.Join(c.dir, "tokens.csv"),
		"--authorization-mode", "RBAC",
		// Without it the API server refuses privileged pods itself, and a test
		// would pass for the wrong reason.
		"--allow-privileged=true",
		"--service-cluster-ip-range", "10.96.0.0/16",
		"--service-account-issuer", "https://kubernetes.default.svc",
		"--service-account-key-file", filepath.Join(c.dir, "sa.key"),
		"--service-account-signing-key-file", filepath.Join(c.dir, "sa.key"),
		"--api-audiences", "https://kubernetes.default.svc"); err != nil {
		return err
	}
	kubeconfig := fmt.Sprintf(`apiVersion: v1
kind: Config
clusters:
- name: e2e
  cluster: {server: %q, insecure-skip-tls-verify: true}
users:
- name: admin
  user: {token: %q}
contexts:
- name: e2e
  context: {cluster: e2e, user: admin}
current-context: e2e
`, apiserverURL, adminToken)
	if err := os.WriteFile(c.kubeconfig, []byte(kubeconfig), 0o600); err != nil {
		return err
	}
	if err := waitHTTP(ctx, apiserverURL+"/readyz", adminToken, 3*time.Minute); err != nil {
		return fmt.Errorf("kube-apiserver not ready: %w\n%s", err, tail(filepath.Join(c.dir, "kube-apiserver.log")))
	}
	return nil
}

// gatekeeper installs Gatekeeper's CRDs and namespace from its release
// manifest, starts it outside the cluster, and registers its webhook by URL.
func (c *cluster) gatekeeper(ctx context.Context, manifest string) error {
	crds, err := gatekeeperCRDs(manifest)
	if err != nil {
		return err
	}
	path := filepath.Join(c.dir, "gatekeeper-crds.yaml")
	if err := os.WriteFile(path, crds, 0o644); err != nil {
		return err
	}
	if out, err := c.kubectl(ctx, "apply", "--server-side", "-f", path); err != nil {
		return fmt.Errorf("install gatekeeper CRDs: %w\n%s", err, out)
	}
	if out, err := c.kubectl(ctx, "wait", "--for=condition=Established", "crd", "--all", "--timeout=120s"); err != nil {
		return fmt.Errorf("gatekeeper CRDs: %w\n%s", err, out)
	}
	if err := c.startGatekeeper(); err != nil {
		return err
	}
	if err := waitHTTP(ctx, "http://"+healthAddress+"/readyz", "", 3*time.Minute); err != nil {
		return fmt.Errorf("gatekeeper not ready: %w\n%s", err, tail(filepath.Join(c.dir, "gatekeeper.log")))
	}
	webhook := fmt.Sprintf(`apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingWebhookConfiguration
metadata:
  name: gatekeeper-validating-webhook-configuration
webhooks:
- name: validation.gatekeeper.sh
  admissionReviewVersions: [v1]
  clientConfig:
    url: https://127.0.0.1:%d/v1/admit
    caBundle: %s
  # Fail, not Ignore: an unreachable webhook must fail the suite, not pass it.
  failurePolicy: Fail
  sideEffects: None
  timeoutSeconds: 10
  namespaceSelector:
    matchExpressions:
    - {key: admission.gatekeeper.sh/ignore, operator: DoesNotExist}
    - {key: kubernetes.io/metadata.name, operator: NotIn, values: [gatekeeper-system]}
  rules:
  - apiGroups: ["*"]
    apiVersions: ["*"]
    operations: [CREATE, UPDATE]
    resources: ["*", pods/ephemeralcontainers]
`, webhookPort, b64(c.caPEM))
	path = filepath.Join(c.dir, "webhook.yaml")
	if err := os.WriteFile(path, []byte(webhook), 0o644); err != nil {
		return err
	}
	if out, err := c.kubectl(ctx, "apply", "-f", path); err != nil {
		return fmt.Errorf("register webhook: %w\n%s", err, out)
	}
	return nil
}

// startGatekeeper starts Gatekeeper with every operation, its webhook included.
func (c *cluster) startGatekeeper() error {
	return c.startGatekeeperOps("--operation=webhook", "--operation=audit", "--operation=status", "--operation=generate")
}

func (c *cluster) startGatekeeperOps(ops ...string) error {
	// Audit writes the API resource lists it discovered here, and fails if
	// the folder does not exist.
	if err := os.MkdirAll(filepath.Join(c.dir, "gatekeeper-cache"), 0o700); err != nil {
		return err
	}
	args := append([]string{"--port", fmt.Sprint(webhookPort), "--host", "127.0.0.1",
		"--health-addr", healthAddress,
		// controller-runtime's metrics listener is off: Gatekeeper's own Prometheus
		// exporter takes port 8888 (on every interface, hence the network namespace).
		"--metrics-addr", "0",
		"--cert-dir", filepath.Join(c.dir, "webhook-certs"), "--disable-cert-rotation",
		"--audit-interval=5", "--constraint-violations-limit=50",
		"--api-cache-dir", filepath.Join(c.dir, "gatekeeper-cache"),
		"--debug-use-fake-pod",
		"--disable-opa-builtin={http.send}",
		"--log-level=INFO"}, ops...)
	return c.start("gatekeeper", []string{"KUBECONFIG=" + c.kubeconfig, "POD_NAMESPACE=" + gatekeeperNS, "POD_NAME=gatekeeper-e2e", "CONTAINER_NAME=manager"}, args...)
}

func (c *cluster) kubectl(ctx context.Context, args ...string) ([]byte, error) {
	cmd := exec.CommandContext(ctx, filepath.Join(c.bin, "kubectl"), append([]string{"--kubeconfig", c.kubeconfig}, args...)...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	return out.Bytes(), err
}

// gatekeeperCRDs keeps the Namespace and CustomResourceDefinitions of the
// release manifest: Gatekeeper itself runs as a local process.
func gatekeeperCRDs(manifest string) ([]byte, error) {
	raw, err := os.ReadFile(manifest)
	if err != nil {
		return nil, err
	}
	var keep []string
	for _, doc := range strings.Split(string(raw), "\n---\n") {
		if strings.Contains(doc, "\nkind: CustomResourceDefinition\n") || strings.HasPrefix(strings.TrimSpace(doc), "apiVersion: v1\nkind: Namespace") {
			keep = append(keep, doc)
		}
	}
	if len(keep) < 5 {
		return nil, fmt.Errorf("%s: found only %d CRDs", manifest, len(keep))
	}
	return []byte(strings.Join(keep, "\n---\n")), nil
}

func waitHTTP(ctx context.Context, url, token string, timeout time.Duration) error {
	client := &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{TLSClientConfig: &tls.Config{InsecureSkipVerify: true}}}
	deadline := time.Now().Add(timeout)
	var last error
	for time.Now().Before(deadline) {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		resp, err := client.Do(req)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
			last = fmt.Errorf("%s: %s", url, resp.Status)
		} else {
			last = err
		}
		time.Sleep(500 * time.Millisecond)
	}
	return last
}

func tail(path string) string {
	raw, _ := os.ReadFile(path)
	if len(raw) > 4000 {
		raw = raw[len(raw)-4000:]
	}
	return string(raw)
}

// certificates writes a CA, Gatekeeper's serving certificate for 127.0.0.1
// and the service account signing key.
func (c *cluster) certificates() error {
	caKey, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return err
	}
	caTmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "gatewarden-e2e-ca"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature,
	}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	if err != nil {
		return err
	}
	c.caPEM = pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: caDER})
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return err
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(2), Subject: pkix.Name{CommonName: "gatekeeper-webhook"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour),
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, DNSNames: []string{"localhost"},
		KeyUsage: x509.KeyUsageDigitalSignature | x509.KeyUsageKeyEncipherment, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, caTmpl, &key.PublicKey, caKey)
	if err != nil {
		return err
	}
	certs := filepath.Join(c.dir, "webhook-certs")
	if err := os.MkdirAll(certs, 0o700); err != nil {
		return err
	}
	files := map[string][]byte{
		filepath.Join(certs, "tls.crt"): pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}),
		filepath.Join(certs, "tls.key"): pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(key)}),
		filepath.Join(certs, "ca.crt"):  c.caPEM,
	}
	saKey, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return err
	}
	files[filepath.Join(c.dir, "sa.key")] = pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(saKey)})
	for path, data := range files {
		if err := os.WriteFile(path, data, 0o600); err != nil {
			return err
		}
	}
	return nil
}
