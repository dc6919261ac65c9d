package tests

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"testing"

	admissionv1 "k8s.io/api/admission/v1"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/intstr"
	celconfig "k8s.io/apiserver/pkg/apis/cel"

	"github.com/gatewarden/gatewarden/internal/check"
	"github.com/gatewarden/gatewarden/internal/engine"
	"github.com/gatewarden/gatewarden/internal/policies"
	"github.com/gatewarden/gatewarden/internal/render"
	"github.com/gatewarden/gatewarden/internal/suite"
)

// Gatekeeper's CEL driver evaluates a policy (its variables, validations and
// messages together) within celconfig.PerCallLimit, a tenth of what the API
// server allows a ValidatingAdmissionPolicy (RuntimeCELCostBudget, with
// PerCallLimit per expression). Beyond it the driver reports "running out of cost
// budget" and, failing closed, the request is refused. The CEL of every policy
// must judge a pod of 100 well-configured containers, and a Deployment of it,
// within that limit.

// manyContainers is how many containers the cost test gives a pod.
const manyContainers = 100

// manyContainerPodSpec is a pod spec of n containers as a careful team writes
// them: a full securityContext, 5 env vars, 2 ports, probes, 3 mounts, resources
// and a digest-pinned image.
func manyContainerPodSpec(n int) corev1.PodSpec {
	spec := corev1.PodSpec{
		ServiceAccountName:           "shop",
		AutomountServiceAccountToken: ptr(false),
		RuntimeClassName:             ptr("gvisor"),
		SecurityContext: &corev1.PodSecurityContext{
			RunAsNonRoot:   ptr(true),
			RunAsUser:      ptr(int64(10001)),
			RunAsGroup:     ptr(int64(10001)),
			FSGroup:        ptr(int64(10001)),
			SeccompProfile: &corev1.SeccompProfile{Type: corev1.SeccompProfileTypeRuntimeDefault},
		},
		Volumes: []corev1.Volume{
			{Name: "config", VolumeSource: corev1.VolumeSource{ConfigMap: &corev1.ConfigMapVolumeSource{LocalObjectReference: corev1.LocalObjectReference{Name: "shop"}}}},
			{Name: "credentials", VolumeSource: corev1.VolumeSource{Secret: &corev1.SecretVolumeSource{SecretName: "shop"}}},
			{Name: "tmp", VolumeSource: corev1.VolumeSource{EmptyDir: &corev1.EmptyDirVolumeSource{}}},
		},
	}
	for i := range n {
		name := fmt.Sprintf("app-%03d", i)
		c := corev1.Container{
			Name:            name,
			Image:           "registry.example.com/shop/" + name + "@sha256:" + strings.Repeat("ab", 32),
			ImagePullPolicy: corev1.PullAlways,
			SecurityContext: &corev1.SecurityContext{
				AllowPrivilegeEscalation: ptr(false),
				Privileged:               ptr(false),
				ReadOnlyRootFilesystem:   ptr(true),
				RunAsNonRoot:             ptr(true),
				RunAsUser:                ptr(int64(10001 + i)),
				Capabilities:             &corev1.Capabilities{Drop: []corev1.Capability{"ALL"}},
				SeccompProfile:           &corev1.SeccompProfile{Type: corev1.SeccompProfileTypeRuntimeDefault},
			},
			Resources: corev1.ResourceRequirements{
				Requests: corev1.ResourceList{corev1.ResourceCPU: resource.MustParse("100m"), corev1.ResourceMemory: resource.MustParse("128Mi")},
				Limits:   corev1.ResourceList{corev1.ResourceCPU: resource.MustParse("500m"), corev1.ResourceMemory: resource.MustParse("256Mi")},
			},
			Ports: []corev1.ContainerPort{
				{Name: "http", ContainerPort: 8080},
				{Name: "metrics", ContainerPort: 9090},
			},
			LivenessProbe:  &corev1.Probe{ProbeHandler: corev1.ProbeHandler{HTTPGet: &corev1.HTTPGetAction{Path: "/healthz", Port: intstr.FromString("http")}}},
			ReadinessProbe: &corev1.Probe{ProbeHandler: corev1.ProbeHandler{TCPSocket: &corev1.TCPSocketAction{Port: intstr.FromInt32(8080)}}},
			VolumeMounts: []corev1.VolumeMount{
				{Name: "config", MountPath: "/etc/shop", ReadOnly: true},
				{Name: "credentials", MountPath: "/var/run/secrets/shop", ReadOnly: true},
				{Name: "tmp", MountPath: "/tmp"},
			},
		}
		for j := range 5 {
			c.Env = append(c.Env, corev1.EnvVar{Name: fmt.Sprintf("SHOP_SETTING_%d", j), Value: fmt.Sprintf("https://config.example.com/shop/%s/%d", name, j)})
		}
		spec.Containers = append(spec.Containers, c)
	}
	return spec
}

// manyContainerObjects are a Pod of manyContainerPodSpec and a Deployment of it.
func manyContainerObjects(t testing.TB, n int) []*unstructured.Unstructured {
	t.Helper()
	meta := metav1.ObjectMeta{
		Name: "shop", Namespace: "shop",
		Labels:      map[string]string{"app": "shop", "owner": "shop-team"},
		Annotations: map[string]string{"kubernetes.io/description": "the shop, in many containers"},
	}
	pod := &corev1.Pod{TypeMeta: metav1.TypeMeta{APIVersion: "v1", Kind: "Pod"}, ObjectMeta: meta, Spec: manyContainerPodSpec(n)}
	deploy := &appsv1.Deployment{
		TypeMeta:   metav1.TypeMeta{APIVersion: "apps/v1", Kind: "Deployment"},
		ObjectMeta: meta,
		Spec: appsv1.DeploymentSpec{
			Selector: &metav1.LabelSelector{MatchLabels: map[string]string{"app": "shop"}},
			Template: corev1.PodTemplateSpec{ObjectMeta: meta, Spec: manyContainerPodSpec(n)},
		},
	}
	var out []*unstructured.Unstructured
	for _, o := range []runtime.Object{pod, deploy} {
		m, err := runtime.DefaultUnstructuredConverter.ToUnstructured(o)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, &unstructured.Unstructured{Object: m})
	}
	return out
}

// manyContainerInputs are a CREATE and an UPDATE (the old object one replica
// short, so both are judged) of each object of manyContainerObjects.
func manyContainerInputs(t testing.TB, n int) []*suite.Input {
	t.Helper()
	var out []*suite.Input
	for _, obj := range manyContainerObjects(t, n) {
		old := obj.DeepCopy()
		old.SetLabels(map[string]string{"app": "shop", "owner": "shop-team", "revision": "1"})
		gvk := obj.GroupVersionKind()
		resource := metav1.GroupVersionResource{Group: gvk.Group, Version: gvk.Version, Resource: strings.ToLower(gvk.Kind) + "s"}
		out = append(out,
			&suite.Input{Object: obj, Request: &admissionv1.AdmissionRequest{Operation: admissionv1.Create, Namespace: "shop", Resource: resource}},
			&suite.Input{Object: obj, Old: old, Request: &admissionv1.AdmissionRequest{Operation: admissionv1.Update, Namespace: "shop", Resource: resource}})
	}
	return out
}

// Every policy's CEL judges a pod of 100 containers and a Deployment of it,
// created and updated, on Gatekeeper's CEL driver without an evaluation error,
// and so within its cost budget. The log shows how close each policy comes,
// measured as the API server measures it.
func TestCELCostOfManyContainers(t *testing.T) {
	lib, err := check.BuiltIn(policies.MustAll(), "")
	if err != nil {
		t.Fatal(err)
	}
	c, err := engine.New(engine.CEL)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := check.Load(context.Background(), c, lib); err != nil {
		t.Fatal(err)
	}
	inputs := manyContainerInputs(t, manyContainers)
	for _, in := range inputs {
		label := fmt.Sprintf("%s of a %s of %d containers", in.Operation(), in.Object.GetKind(), manyContainers)
		res, err := c.ReviewRequest(context.Background(), engine.Request{
			Operation: in.Request.Operation, Object: in.Object, OldObject: in.Old, Namespace: namespaceFor(in.Object)})
		if err != nil {
			t.Fatalf("%s: %v", label, err)
		}
		for _, r := range res {
			if evalErrorRE.MatchString(r.Message) {
				t.Errorf("%s: %s fails on Gatekeeper's CEL driver: %s", label, r.ConstraintKind, shorten(r.Message, 300))
			}
		}
	}

	// How much of the budget each policy spends: the dearer of the UPDATEs, which
	// judge the old object too.
	type spend struct {
		key  string
		cost int64
		what string
	}
	var spends []spend
	for _, p := range celPolicies(t) {
		np := loadNative(t, nativeVAP(t, p, false))
		con, err := render.Constraint(p)
		if err != nil {
			t.Fatal(err)
		}
		s := spend{key: p.Key}
		for _, in := range inputs {
			if in.Operation() != "UPDATE" {
				continue
			}
			r, ok := nativeRequest(in, nil)
			if !ok {
				t.Fatalf("%s: the %s does not decode", p.Key, in.Object.GetKind())
			}
			v := np.evaluate(t, r, con, false)
			for _, e := range v.errors {
				t.Errorf("%s: %s of the %s: the API server fails the request: %s", p.Key, in.Operation(), in.Object.GetKind(), e)
			}
			if v.cost > s.cost {
				s.cost, s.what = v.cost, in.Operation()+" "+in.Object.GetKind()
			}
		}
		spends = append(spends, s)
	}
	sort.Slice(spends, func(i, j int) bool { return spends[i].cost > spends[j].cost })
	var b strings.Builder
	fmt.Fprintf(&b, "cost of the dearer UPDATE of a Pod and a Deployment of %d containers, per policy:\n", manyContainers)
	fmt.Fprintf(&b, "%-36s %10s %12s  %s\n", "policy", "cost", "/gatekeeper", "input")
	for _, s := range spends {
		fmt.Fprintf(&b, "%-36s %10d %11.1f%%  %s\n", s.key, s.cost, 100*float64(s.cost)/celconfig.PerCallLimit, s.what)
	}
	fmt.Fprintf(&b, "/gatekeeper: of the budget Gatekeeper's CEL driver gives a whole policy (PerCallLimit, %d).", celconfig.PerCallLimit)
	t.Log(b.String())
}
