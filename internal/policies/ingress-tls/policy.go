// Package ingresstls requires every Ingress host to be served over TLS.
package ingresstls

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
	Key:   "ingress-tls",
	Kind:  "K8sIngressTLS",
	Title: "Ingress serves TLS",
	Description: `An Ingress must have spec.tls, and every host of its rules must be covered by a
spec.tls entry: listed exactly, or matched by a wildcard entry (*.example.com covers
a.example.com, not a.b.example.com nor example.com). A host left out of spec.tls is
served over plain HTTP by most controllers.`,
	Version:     "1.0.0",
	Practice:    "Serve ingress traffic over TLS",
	Bundles:     []string{"hardened"},
	Scope:       spec.ScopeObject,
	Match:       spec.Match{Kinds: []spec.GroupKinds{{APIGroups: []string{"networking.k8s.io"}, Kinds: []string{"Ingress"}}}},
	Enforcement: spec.Deny,
	Rego:        rego,
	CEL:         cel,
}
