// Package istiosidecarinjection requires namespaces to be enrolled in the Istio
// mesh and pods not to opt out of it.
package istiosidecarinjection

import (
	_ "embed"

	"github.com/gatewarden/gatewarden/internal/spec"
)

//go:embed policy.rego
var rego string

//go:embed policy.cel
var cel string

// Policy is the catalog entry.
var Policy = spec.Policy{
	Key:   "istio-sidecar-injection",
	Kind:  "K8sIstioSidecarInjection",
	Title: "Istio sidecar injection",
	Description: `Every workload must run in the mesh, so that its traffic is mutual TLS. A Namespace
must be labelled for injection: istio-injection=enabled, or istio.io/rev=<revision>
without an istio-injection label (istio-injection=disabled wins over istio.io/rev),
or istio.io/dataplane-mode=ambient for Istio's ambient mode, which encrypts without
a sidecar. A Pod, or the pod template of a workload, must not opt out: the label
sidecar.istio.io/inject (or, without the label, the annotation of that name) set to
anything but true (y, yes, true or on in any case, as older Istio releases read it;
recent ones accept only true and false), nor the label istio.io/dataplane-mode=none.
Namespaces that must stay out of the mesh are excluded in the constraint's match,
which applies to Namespace objects by their name as well as to the pods in them:
the default constraint excludes the system namespaces and istio-system, whose
istiod pods opt out of injection themselves. Injection only exists where Istio runs,
so the default constraint is dryrun: switch it to deny once the mesh is installed.`,
	Version:  "1.0.6",
	Practice: "Run every workload in the service mesh",
	Bundles:  []string{"hardened"},
	Scope:    spec.ScopeObject,
	Match: spec.Match{
		Kinds: append([]spec.GroupKinds{{APIGroups: []string{""}, Kinds: []string{"Namespace"}}}, spec.Workloads...),
		// spec.SystemNamespaces and istio-system, sorted.
		ExcludedNamespaces: []string{"gatekeeper-system", "istio-system", "kube-node-lease", "kube-public", "kube-system"},
	},
	Enforcement: spec.DryRun,
	Rego:        rego,
	CEL:         cel,
}
