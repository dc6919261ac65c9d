// Package uniqueingresshost refuses an Ingress that claims a host and path another Ingress serves.
package uniqueingresshost

import (
	_ "embed"

	"github.com/gatewarden/gatewarden/internal/spec"
)

//go:embed policy.rego
var rego string

// Params are the parameters of K8sUniqueIngressHost.
type Params struct {
	AllowSameNamespace bool `json:"allowSameNamespace,omitempty" default:"false" description:"Let Ingresses of the same namespace share a host and path: ingress-nginx canary Ingresses (nginx.ingress.kubernetes.io/canary) repeat the host and path of the Ingress they shadow by design. Ingresses of other namespaces are still compared. Default false."`
}

// Policy is the catalog entry.
var Policy = spec.Policy{
	Key:   "unique-ingress-host",
	Kind:  "K8sUniqueIngressHost",
	Title: "Ingress host and path are unique",
	Description: `An Ingress must not claim a host and path that another Ingress (another name or
namespace) already serves: most controllers merge such Ingresses and one of them
silently wins, so a team could divert another team's traffic, and its TLS
certificate, by writing their host. Reads the Ingresses Gatekeeper syncs
(networking.k8s.io/v1). Hosts compare case-insensitively; a rule without a host
claims the empty host. Paths compare as the Ingress API matches them: the same
path of the same type, Prefix paths without their trailing slash (/api/ is /api)
and ImplementationSpecific compared as Prefix (what ingress-nginx and Traefik do
with it). Overlapping paths of different lengths or types (Prefix / and
Prefix /api, Exact /api and Prefix /api) are not a conflict: the Ingress precedence
rules (Exact first, then the longest prefix) route them deterministically, and
splitting one host by path between teams is a common design. Only Ingresses of the
same class compete (spec.ingressClassName, else the kubernetes.io/ingress.class
annotation); an Ingress without a class competes with every class, since it goes to
the cluster's default one. The object itself (same namespace and name) is ignored,
so an UPDATE does not conflict with its old version, and as on every UPDATE a
conflict the old object already had is not reported again. cert-manager's HTTP-01
solver Ingresses claim /.well-known/acme-challenge/<token> only, so they never
conflict; set allowSameNamespace for ingress-nginx canaries. Gatekeeper's sync is
eventually consistent: two Ingresses created in the same instant may both pass
admission, and audit then reports both.`,
	Version:     "1.0.2",
	Practice:    "Ingress: one owner per host and path",
	Bundles:     []string{"hardened"},
	Scope:       spec.ScopeObject,
	Params:      Params{},
	Defaults:    Params{AllowSameNamespace: false},
	Match:       spec.Match{Kinds: []spec.GroupKinds{{APIGroups: []string{"networking.k8s.io"}, Kinds: []string{"Ingress"}}}},
	Enforcement: spec.Deny,
	Rego:        rego,
	Sync:        []spec.GVK{{Group: "networking.k8s.io", Version: "v1", Kind: "Ingress"}},
}
