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

// Annotation is one annotation (key and exact value) that disables plain HTTP.
type Annotation struct {
	Key   string `json:"key" required:"true" description:"The annotation key, e.g. nginx.ingress.kubernetes.io/force-ssl-redirect."`
	Value string `json:"value" required:"true" description:"The value the annotation must have, compared exactly (annotation values are strings: write \"true\", not true)."`
}

// Params are the parameters of K8sIngressTLS.
type Params struct {
	HTTPDisabledAnnotations []Annotation `json:"httpDisabledAnnotations,omitempty" description:"Annotations that make the ingress controller refuse or redirect plain HTTP: when the list is not empty, every Ingress must carry at least one of them with its value. Empty (the default) does not require it. Examples: ingress-nginx nginx.ingress.kubernetes.io/ssl-redirect=\"true\" or nginx.ingress.kubernetes.io/force-ssl-redirect=\"true\", GKE kubernetes.io/ingress.allow-http=\"false\", Traefik traefik.ingress.kubernetes.io/router.entrypoints=\"websecure\" (a router bound to the TLS entry point only)."`
}

// Policy is the catalog entry.
var Policy = spec.Policy{
	Key:   "ingress-tls",
	Kind:  "K8sIngressTLS",
	Title: "Ingress serves TLS",
	Description: `An Ingress must have spec.tls, and every host of its rules must be covered by a
spec.tls entry: listed exactly, or matched by a wildcard entry (*.example.com covers
a.example.com, not a.b.example.com nor example.com). A host left out of spec.tls is
served over plain HTTP by most controllers. TLS alone does not stop a controller from
also serving the hosts over plain HTTP: set httpDisabledAnnotations to the
annotations of your controller that redirect or refuse HTTP (ingress-nginx
nginx.ingress.kubernetes.io/ssl-redirect or force-ssl-redirect "true", GKE
kubernetes.io/ingress.allow-http "false", Traefik
traefik.ingress.kubernetes.io/router.entrypoints "websecure"), and every Ingress
must then carry one of them. The default constraint does not require one: which
annotation works depends on the controller.`,
	Version:     "1.1.4",
	Practice:    "Serve ingress traffic over TLS",
	Bundles:     []string{"hardened"},
	Scope:       spec.ScopeObject,
	Params:      Params{},
	Defaults:    Params{},
	Match:       spec.Match{Kinds: []spec.GroupKinds{{APIGroups: []string{"networking.k8s.io"}, Kinds: []string{"Ingress"}}}},
	Enforcement: spec.Deny,
	Rego:        rego,
	CEL:         cel,
}
