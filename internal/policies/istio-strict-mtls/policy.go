// Package istiostrictmtls requires Istio's mutual TLS to be STRICT and never
// turned off for a destination.
package istiostrictmtls

import (
	_ "embed"

	"github.com/gatewarden/gatewarden/internal/spec"
)

//go:embed policy.rego
var rego string

//go:embed policy.cel
var cel string

// Params are the parameters of K8sIstioStrictMTLS.
type Params struct {
	RootNamespace string `json:"rootNamespace,omitempty" default:"\"istio-system\"" description:"Istio's root namespace (meshConfig.rootNamespace, istio-system unless changed). A PeerAuthentication there without a workload selector is the mesh-wide policy: it must set spec.mtls.mode to STRICT, since an unset mode has no parent to inherit from and Istio treats it as PERMISSIVE."`
}

// Policy is the catalog entry.
var Policy = spec.Policy{
	Key:   "istio-strict-mtls",
	Kind:  "K8sIstioStrictMTLS",
	Title: "Istio mutual TLS is STRICT",
	Description: `Traffic between pods of the mesh must be mutual TLS. A PeerAuthentication
(security.istio.io) must not set spec.mtls.mode, nor the mode of a port in
spec.portLevelMtls, to PERMISSIVE (plaintext accepted as well) or DISABLE. An unset
or UNSET mode inherits from the namespace-wide and then the mesh-wide policy, which
are checked themselves, so it is allowed, except in the mesh-wide policy itself (in
rootNamespace, without a selector), where it means PERMISSIVE. A DestinationRule
(networking.istio.io) must not set a tls.mode of DISABLE in spec.trafficPolicy, its
portLevelSettings, or the trafficPolicy of a subset and its portLevelSettings: that
sends plaintext even to a workload with a sidecar. Leave tls out (Istio's automatic
mutual TLS applies) or set ISTIO_MUTUAL; a destination outside the mesh needs no
DISABLE either. Admission sees one object at a time: that some mesh-wide STRICT
policy exists is not checked. Port-level settings are named by position
(portLevelSettings[0]), subsets by name.`,
	Version:  "1.0.4",
	Practice: "Encrypt pod-to-pod traffic with mTLS (service mesh)",
	Bundles:  []string{"hardened"},
	Scope:    spec.ScopeObject,
	Params:   Params{},
	Defaults: Params{RootNamespace: "istio-system"},
	Match: spec.Match{Kinds: []spec.GroupKinds{
		{APIGroups: []string{"networking.istio.io"}, Kinds: []string{"DestinationRule"}},
		{APIGroups: []string{"security.istio.io"}, Kinds: []string{"PeerAuthentication"}},
	}},
	Enforcement: spec.Deny,
	Rego:        rego,
	CEL:         cel,
}
