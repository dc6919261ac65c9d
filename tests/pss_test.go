package tests

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	psaapi "k8s.io/pod-security-admission/api"
	psapolicy "k8s.io/pod-security-admission/policy"
	"sigs.k8s.io/yaml"

	"github.com/gatewarden/gatewarden/internal/check"
	"github.com/gatewarden/gatewarden/internal/engine"
	"github.com/gatewarden/gatewarden/internal/policies"
)

// The baseline and restricted bundles must reproduce the Pod Security Standards
// exactly. Kubernetes' own Pod Security Admission evaluator is the reference:
// for every generated pod, each bundle on each engine must reach its verdict.

func ptr[T any](v T) *T { return &v }

// compliantPod satisfies the restricted level.
func compliantPod() *corev1.Pod {
	sc := func() *corev1.SecurityContext {
		return &corev1.SecurityContext{
			AllowPrivilegeEscalation: ptr(false),
			Capabilities:             &corev1.Capabilities{Drop: []corev1.Capability{"ALL"}},
		}
	}
	return &corev1.Pod{
		TypeMeta:   metav1.TypeMeta{APIVersion: "v1", Kind: "Pod"},
		ObjectMeta: metav1.ObjectMeta{Name: "generated", Namespace: "shop", Annotations: map[string]string{}},
		Spec: corev1.PodSpec{
			SecurityContext: &corev1.PodSecurityContext{
				RunAsNonRoot:   ptr(true),
				SeccompProfile: &corev1.SeccompProfile{Type: corev1.SeccompProfileTypeRuntimeDefault},
			},
			InitContainers: []corev1.Container{{Name: "init", Image: "registry.example.com/shop/init:1.0", SecurityContext: sc()}},
			Containers: []corev1.Container{
				{Name: "app", Image: "registry.example.com/shop/app:1.0", SecurityContext: sc()},
				{Name: "sidecar", Image: "registry.example.com/shop/proxy:1.0", SecurityContext: sc()},
			},
			EphemeralContainers: []corev1.EphemeralContainer{{EphemeralContainerCommon: corev1.EphemeralContainerCommon{
				Name: "debug", Image: "registry.example.com/tools/debug:1.0", SecurityContext: sc()}}},
			Volumes: []corev1.Volume{{Name: "tmp", VolumeSource: corev1.VolumeSource{EmptyDir: &corev1.EmptyDirVolumeSource{}}}},
		},
	}
}

// mutation changes one thing the standards look at; c picks a container.
type mutation struct {
	name  string
	apply func(p *corev1.Pod, c *corev1.Container)
}

func containerSC(c *corev1.Container) *corev1.SecurityContext {
	if c.SecurityContext == nil {
		c.SecurityContext = &corev1.SecurityContext{}
	}
	return c.SecurityContext
}

func podSC(p *corev1.Pod) *corev1.PodSecurityContext {
	if p.Spec.SecurityContext == nil {
		p.Spec.SecurityContext = &corev1.PodSecurityContext{}
	}
	return p.Spec.SecurityContext
}

func addCap(c *corev1.Container, name string) {
	sc := containerSC(c)
	if sc.Capabilities == nil {
		sc.Capabilities = &corev1.Capabilities{}
	}
	sc.Capabilities.Add = append(sc.Capabilities.Add, corev1.Capability(name))
}

func hostPathVolume(path string) corev1.Volume {
	return corev1.Volume{Name: "host", VolumeSource: corev1.VolumeSource{HostPath: &corev1.HostPathVolumeSource{Path: path}}}
}

var mutations = []mutation{
	{"hostNetwork", func(p *corev1.Pod, _ *corev1.Container) { p.Spec.HostNetwork = true }},
	{"hostPID", func(p *corev1.Pod, _ *corev1.Container) { p.Spec.HostPID = true }},
	{"hostIPC", func(p *corev1.Pod, _ *corev1.Container) { p.Spec.HostIPC = true }},
	{"hostUsers false", func(p *corev1.Pod, _ *corev1.Container) { p.Spec.HostUsers = ptr(false) }},
	{"windows", func(p *corev1.Pod, _ *corev1.Container) { p.Spec.OS = &corev1.PodOS{Name: corev1.Windows} }},
	{"linux", func(p *corev1.Pod, _ *corev1.Container) { p.Spec.OS = &corev1.PodOS{Name: corev1.Linux} }},
	{"privileged", func(_ *corev1.Pod, c *corev1.Container) { containerSC(c).Privileged = ptr(true) }},
	{"privileged false", func(_ *corev1.Pod, c *corev1.Container) { containerSC(c).Privileged = ptr(false) }},
	{"add CHOWN", func(_ *corev1.Pod, c *corev1.Container) { addCap(c, "CHOWN") }},
	{"add NET_BIND_SERVICE", func(_ *corev1.Pod, c *corev1.Container) { addCap(c, "NET_BIND_SERVICE") }},
	{"add SYS_ADMIN", func(_ *corev1.Pod, c *corev1.Container) { addCap(c, "SYS_ADMIN") }},
	{"add cap_sys_admin", func(_ *corev1.Pod, c *corev1.Container) { addCap(c, "cap_sys_admin") }},
	{"add CAP_CHOWN", func(_ *corev1.Pod, c *corev1.Container) { addCap(c, "CAP_CHOWN") }},
	{"add chown", func(_ *corev1.Pod, c *corev1.Container) { addCap(c, "chown") }},
	{"add NET_RAW", func(_ *corev1.Pod, c *corev1.Container) { addCap(c, "NET_RAW") }},
	{"add ALL", func(_ *corev1.Pod, c *corev1.Container) { addCap(c, "ALL") }},
	{"drop nothing", func(_ *corev1.Pod, c *corev1.Container) { containerSC(c).Capabilities = nil }},
	{"drop all lower-case", func(_ *corev1.Pod, c *corev1.Container) {
		containerSC(c).Capabilities = &corev1.Capabilities{Drop: []corev1.Capability{"all"}}
	}},
	{"drop NET_RAW only", func(_ *corev1.Pod, c *corev1.Container) {
		containerSC(c).Capabilities = &corev1.Capabilities{Drop: []corev1.Capability{"NET_RAW"}}
	}},
	{"allowPrivilegeEscalation true", func(_ *corev1.Pod, c *corev1.Container) { containerSC(c).AllowPrivilegeEscalation = ptr(true) }},
	{"allowPrivilegeEscalation unset", func(_ *corev1.Pod, c *corev1.Container) { containerSC(c).AllowPrivilegeEscalation = nil }},
	{"container runAsNonRoot false", func(_ *corev1.Pod, c *corev1.Container) { containerSC(c).RunAsNonRoot = ptr(false) }},
	{"container runAsNonRoot true", func(_ *corev1.Pod, c *corev1.Container) { containerSC(c).RunAsNonRoot = ptr(true) }},
	{"pod runAsNonRoot unset", func(p *corev1.Pod, _ *corev1.Container) { podSC(p).RunAsNonRoot = nil }},
	{"pod runAsNonRoot false", func(p *corev1.Pod, _ *corev1.Container) { podSC(p).RunAsNonRoot = ptr(false) }},
	{"pod runAsUser 0", func(p *corev1.Pod, _ *corev1.Container) { podSC(p).RunAsUser = ptr(int64(0)) }},
	{"pod runAsUser 1000", func(p *corev1.Pod, _ *corev1.Container) { podSC(p).RunAsUser = ptr(int64(1000)) }},
	{"container runAsUser 0", func(_ *corev1.Pod, c *corev1.Container) { containerSC(c).RunAsUser = ptr(int64(0)) }},
	{"container runAsUser 1000", func(_ *corev1.Pod, c *corev1.Container) { containerSC(c).RunAsUser = ptr(int64(1000)) }},
	{"procMount Unmasked", func(_ *corev1.Pod, c *corev1.Container) { containerSC(c).ProcMount = ptr(corev1.UnmaskedProcMount) }},
	{"procMount Default", func(_ *corev1.Pod, c *corev1.Container) { containerSC(c).ProcMount = ptr(corev1.DefaultProcMount) }},
	{"pod seccomp unset", func(p *corev1.Pod, _ *corev1.Container) { podSC(p).SeccompProfile = nil }},
	{"pod seccomp Unconfined", func(p *corev1.Pod, _ *corev1.Container) {
		podSC(p).SeccompProfile = &corev1.SeccompProfile{Type: corev1.SeccompProfileTypeUnconfined}
	}},
	{"pod seccomp Localhost", func(p *corev1.Pod, _ *corev1.Container) {
		podSC(p).SeccompProfile = &corev1.SeccompProfile{Type: corev1.SeccompProfileTypeLocalhost, LocalhostProfile: ptr("profiles/app.json")}
	}},
	{"container seccomp Unconfined", func(_ *corev1.Pod, c *corev1.Container) {
		containerSC(c).SeccompProfile = &corev1.SeccompProfile{Type: corev1.SeccompProfileTypeUnconfined}
	}},
	{"container seccomp RuntimeDefault", func(_ *corev1.Pod, c *corev1.Container) {
		containerSC(c).SeccompProfile = &corev1.SeccompProfile{Type: corev1.SeccompProfileTypeRuntimeDefault}
	}},
	{"pod appArmor Unconfined", func(p *corev1.Pod, _ *corev1.Container) {
		podSC(p).AppArmorProfile = &corev1.AppArmorProfile{Type: corev1.AppArmorProfileTypeUnconfined}
	}},
	{"pod appArmor RuntimeDefault", func(p *corev1.Pod, _ *corev1.Container) {
		podSC(p).AppArmorProfile = &corev1.AppArmorProfile{Type: corev1.AppArmorProfileTypeRuntimeDefault}
	}},
	{"container appArmor Unconfined", func(_ *corev1.Pod, c *corev1.Container) {
		containerSC(c).AppArmorProfile = &corev1.AppArmorProfile{Type: corev1.AppArmorProfileTypeUnconfined}
	}},
	{"container appArmor Localhost", func(_ *corev1.Pod, c *corev1.Container) {
		containerSC(c).AppArmorProfile = &corev1.AppArmorProfile{Type: corev1.AppArmorProfileTypeLocalhost, LocalhostProfile: ptr("k8s-app")}
	}},
	{"appArmor annotation unconfined", func(p *corev1.Pod, c *corev1.Container) {
		p.Annotations["container.apparmor.security.beta.kubernetes.io/"+c.Name] = "unconfined"
	}},
	{"appArmor annotation runtime/default", func(p *corev1.Pod, c *corev1.Container) {
		p.Annotations["container.apparmor.security.beta.kubernetes.io/"+c.Name] = "runtime/default"
	}},
	{"appArmor annotation localhost", func(p *corev1.Pod, c *corev1.Container) {
		p.Annotations["container.apparmor.security.beta.kubernetes.io/"+c.Name] = "localhost/k8s-app"
	}},
	{"seccomp annotation unconfined", func(p *corev1.Pod, _ *corev1.Container) {
		p.Annotations["seccomp.security.alpha.kubernetes.io/pod"] = "unconfined"
	}},
	{"seLinux type spc_t", func(_ *corev1.Pod, c *corev1.Container) {
		containerSC(c).SELinuxOptions = &corev1.SELinuxOptions{Type: "spc_t"}
	}},
	{"seLinux type container_t", func(_ *corev1.Pod, c *corev1.Container) {
		containerSC(c).SELinuxOptions = &corev1.SELinuxOptions{Type: "container_t"}
	}},
	{"pod seLinux user", func(p *corev1.Pod, _ *corev1.Container) {
		podSC(p).SELinuxOptions = &corev1.SELinuxOptions{User: "system_u"}
	}},
	{"pod seLinux role", func(p *corev1.Pod, _ *corev1.Container) {
		podSC(p).SELinuxOptions = &corev1.SELinuxOptions{Role: "system_r"}
	}},
	{"pod seLinux level", func(p *corev1.Pod, _ *corev1.Container) {
		podSC(p).SELinuxOptions = &corev1.SELinuxOptions{Level: "s0:c123,c456"}
	}},
	{"safe sysctl", func(p *corev1.Pod, _ *corev1.Container) {
		podSC(p).Sysctls = append(podSC(p).Sysctls, corev1.Sysctl{Name: "net.ipv4.ip_unprivileged_port_start", Value: "0"})
	}},
	{"safe sysctl tcp_keepalive_time", func(p *corev1.Pod, _ *corev1.Container) {
		podSC(p).Sysctls = append(podSC(p).Sysctls, corev1.Sysctl{Name: "net.ipv4.tcp_keepalive_time", Value: "600"})
	}},
	{"unsafe sysctl", func(p *corev1.Pod, _ *corev1.Container) {
		podSC(p).Sysctls = append(podSC(p).Sysctls, corev1.Sysctl{Name: "kernel.msgmax", Value: "65536"})
	}},
	{"hostPath volume", func(p *corev1.Pod, _ *corev1.Container) {
		p.Spec.Volumes = append(p.Spec.Volumes, hostPathVolume("/var/log"))
	}},
	{"nfs volume", func(p *corev1.Pod, _ *corev1.Container) {
		p.Spec.Volumes = append(p.Spec.Volumes, corev1.Volume{Name: "nfs", VolumeSource: corev1.VolumeSource{NFS: &corev1.NFSVolumeSource{Server: "nfs.example.com", Path: "/exports"}}})
	}},
	{"configMap and PVC volumes", func(p *corev1.Pod, _ *corev1.Container) {
		p.Spec.Volumes = append(p.Spec.Volumes,
			corev1.Volume{Name: "cm", VolumeSource: corev1.VolumeSource{ConfigMap: &corev1.ConfigMapVolumeSource{LocalObjectReference: corev1.LocalObjectReference{Name: "cfg"}}}},
			corev1.Volume{Name: "data", VolumeSource: corev1.VolumeSource{PersistentVolumeClaim: &corev1.PersistentVolumeClaimVolumeSource{ClaimName: "data"}}})
	}},
	{"image volume", func(p *corev1.Pod, _ *corev1.Container) {
		p.Spec.Volumes = append(p.Spec.Volumes, corev1.Volume{Name: "img", VolumeSource: corev1.VolumeSource{Image: &corev1.ImageVolumeSource{Reference: "registry.example.com/data:1"}}})
	}},
	{"hostPort", func(_ *corev1.Pod, c *corev1.Container) {
		c.Ports = append(c.Ports, corev1.ContainerPort{ContainerPort: 8080, HostPort: 8080})
	}},
	{"hostPort 0", func(_ *corev1.Pod, c *corev1.Container) {
		c.Ports = append(c.Ports, corev1.ContainerPort{ContainerPort: 8080})
	}},
	{"pod hostProcess", func(p *corev1.Pod, _ *corev1.Container) {
		podSC(p).WindowsOptions = &corev1.WindowsSecurityContextOptions{HostProcess: ptr(true)}
	}},
	{"container hostProcess", func(_ *corev1.Pod, c *corev1.Container) {
		containerSC(c).WindowsOptions = &corev1.WindowsSecurityContextOptions{HostProcess: ptr(true)}
	}},
	{"probe host", func(_ *corev1.Pod, c *corev1.Container) {
		c.LivenessProbe = &corev1.Probe{ProbeHandler: corev1.ProbeHandler{HTTPGet: &corev1.HTTPGetAction{Host: "169.254.169.254", Path: "/"}}}
	}},
	{"lifecycle host", func(_ *corev1.Pod, c *corev1.Container) {
		c.Lifecycle = &corev1.Lifecycle{PreStop: &corev1.LifecycleHandler{TCPSocket: &corev1.TCPSocketAction{Host: "10.0.0.1"}}}
	}},
	{"probe without host", func(_ *corev1.Pod, c *corev1.Container) {
		c.ReadinessProbe = &corev1.Probe{ProbeHandler: corev1.ProbeHandler{HTTPGet: &corev1.HTTPGetAction{Path: "/ready"}}}
	}},
	{"container securityContext removed", func(_ *corev1.Pod, c *corev1.Container) { c.SecurityContext = nil }},
}

// containersOf returns pointers to every container of the pod, ephemeral ones included.
func containersOf(p *corev1.Pod) []*corev1.Container {
	var out []*corev1.Container
	for i := range p.Spec.InitContainers {
		out = append(out, &p.Spec.InitContainers[i])
	}
	for i := range p.Spec.Containers {
		out = append(out, &p.Spec.Containers[i])
	}
	for i := range p.Spec.EphemeralContainers {
		out = append(out, (*corev1.Container)(&p.Spec.EphemeralContainers[i].EphemeralContainerCommon))
	}
	return out
}

// pssCase is a generated pod and the mutations that made it.
type pssCase struct {
	name string
	pod  *corev1.Pod
}

// generatePods returns every single mutation on every container kind, then n
// pods with 1-4 random mutations each, from a fixed seed.
func generatePods(seed uint64, n int) []pssCase {
	var out []pssCase
	for _, m := range mutations {
		for ci := range containersOf(compliantPod()) {
			p := compliantPod()
			m.apply(p, containersOf(p)[ci])
			out = append(out, pssCase{name: fmt.Sprintf("%s on container %d", m.name, ci), pod: p})
		}
	}
	r := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	for i := 0; i < n; i++ {
		out = append(out, randomPod(r, i))
	}
	return out
}

func randomPod(r *rand.Rand, i int) pssCase {
	p := compliantPod()
	var names []string
	for k := 1 + r.IntN(4); k > 0; k-- {
		m := mutations[r.IntN(len(mutations))]
		cs := containersOf(p)
		ci := r.IntN(len(cs))
		m.apply(p, cs[ci])
		names = append(names, fmt.Sprintf("%s@%d", m.name, ci))
	}
	return pssCase{name: fmt.Sprintf("random %d: %s", i, strings.Join(names, ", ")), pod: p}
}

// wrap returns the pod as one of the kinds the bundles match, so that pod-spec
// extraction from workloads is proven against the same reference.
func wrap(p *corev1.Pod, i int) (*unstructured.Unstructured, error) {
	podObj, err := runtime.DefaultUnstructuredConverter.ToUnstructured(p)
	if err != nil {
		return nil, err
	}
	meta := map[string]any{"annotations": toAnyMap(p.Annotations), "labels": map[string]any{"app": "generated"}}
	spec := podObj["spec"]
	var obj map[string]any
	switch i % 4 {
	case 1:
		obj = map[string]any{"apiVersion": "apps/v1", "kind": "Deployment", "metadata": map[string]any{"name": "generated", "namespace": "shop"},
			"spec": map[string]any{"selector": map[string]any{"matchLabels": map[string]any{"app": "generated"}}, "template": map[string]any{"metadata": meta, "spec": spec}}}
	case 2:
		obj = map[string]any{"apiVersion": "batch/v1", "kind": "CronJob", "metadata": map[string]any{"name": "generated", "namespace": "shop"},
			"spec": map[string]any{"schedule": "@daily", "jobTemplate": map[string]any{"spec": map[string]any{"template": map[string]any{"metadata": meta, "spec": spec}}}}}
	default:
		obj = podObj
	}
	return &unstructured.Unstructured{Object: obj}, nil
}

func toAnyMap(m map[string]string) map[string]any {
	out := map[string]any{}
	for k, v := range m {
		out[k] = v
	}
	return out
}

type bundleClients map[string]map[engine.Engine]*engine.Client

func newBundleClients(t testing.TB) bundleClients {
	t.Helper()
	out := bundleClients{}
	for _, bundle := range []string{"baseline", "restricted"} {
		lib, err := check.BuiltIn(policies.MustAll(), bundle)
		if err != nil {
			t.Fatal(err)
		}
		out[bundle] = map[engine.Engine]*engine.Client{}
		for _, eng := range []engine.Engine{engine.Rego, engine.CEL} {
			c, err := engine.New(eng)
			if err != nil {
				t.Fatal(err)
			}
			skipped, err := check.Load(context.Background(), c, lib)
			if err != nil {
				t.Fatal(err)
			}
			if len(skipped) > 0 {
				t.Fatalf("bundle %s has templates the %s engine cannot evaluate: %v", bundle, eng, skipped)
			}
			out[bundle][eng] = c
		}
	}
	return out
}

// disagreement compares one pod's verdicts; it returns "" when all agree.
func (bc bundleClients) disagreement(evaluator psapolicy.Evaluator, c pssCase, i int) (string, error) {
	obj, err := wrap(c.pod, i)
	if err != nil {
		return "", err
	}
	var report []string
	for _, level := range []psaapi.Level{psaapi.LevelBaseline, psaapi.LevelRestricted} {
		results := evaluator.EvaluatePod(psaapi.LevelVersion{Level: level, Version: psaapi.LatestVersion()}, &c.pod.ObjectMeta, &c.pod.Spec)
		agg := psapolicy.AggregateCheckResults(results)
		for _, eng := range []engine.Engine{engine.Rego, engine.CEL} {
			res, err := bc[string(level)][eng].Review(context.Background(), obj)
			if err != nil {
				return "", err
			}
			ours := len(res) == 0
			if ours != agg.Allowed {
				var msgs []string
				for _, r := range res {
					msgs = append(msgs, r.ConstraintKind+": "+r.Message)
				}
				report = append(report, fmt.Sprintf("%s %s on %s: PSA allowed=%v (%s: %s), ours allowed=%v %v",
					level, eng, obj.GetKind(), agg.Allowed, agg.ForbiddenReason(), agg.ForbiddenDetail(), ours, msgs))
			}
		}
	}
	if len(report) == 0 {
		return "", nil
	}
	y, _ := yaml.Marshal(c.pod.Spec)
	return fmt.Sprintf("%s:\n  %s\n%s", c.name, strings.Join(report, "\n  "), y), nil
}

func TestPodSecurityStandardsMatchReference(t *testing.T) {
	evaluator, err := psapolicy.NewEvaluator(psapolicy.DefaultChecks(), nil)
	if err != nil {
		t.Fatal(err)
	}
	bc := newBundleClients(t)
	cases := generatePods(20261127, 300)
	failures := 0
	for i, c := range cases {
		d, err := bc.disagreement(evaluator, c, i)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if d != "" {
			failures++
			if failures <= 10 {
				t.Errorf("disagreement with Pod Security Admission on %s", d)
			}
		}
	}
	if failures > 0 {
		t.Errorf("%d of %d pods disagree with Pod Security Admission", failures, len(cases))
	}
}

// FuzzPodSecurityStandards explores more mutation combinations:
// go test ./tests -run '^$' -fuzz FuzzPodSecurityStandards -fuzztime 10m
func FuzzPodSecurityStandards(f *testing.F) {
	evaluator, err := psapolicy.NewEvaluator(psapolicy.DefaultChecks(), nil)
	if err != nil {
		f.Fatal(err)
	}
	bc := newBundleClients(f)
	f.Add(uint64(1), uint8(0))
	f.Add(uint64(20261127), uint8(3))
	f.Fuzz(func(t *testing.T, seed uint64, shape uint8) {
		r := rand.New(rand.NewPCG(seed, uint64(shape)))
		c := randomPod(r, int(shape))
		d, err := bc.disagreement(evaluator, c, int(shape))
		if err != nil {
			t.Fatal(err)
		}
		if d != "" {
			t.Errorf("disagreement with Pod Security Admission on %s", d)
		}
	})
}
