// Package nowildcardingresshost requires every Ingress to name the hosts it serves.
package nowildcardingresshost

import (
	_ "embed"

	"github.com/gatewarden/gatewarden/internal/spec"
)

//go:embed policy.rego
var rego string

//go:embed policy.cel
var cel string

// Params are the parameters of K8sNoWildcardIngressHost.
type Params struct {
	AllowWildcardSubdomains bool `json:"allowWildcardSubdomains,omitempty" default:"false" description:"Allow a rule host that is a wildcard of a domain of at least two labels (*.example.com, matching one label below it). A bare * and wildcards of a single label (*.com, *.local) stay refused. Default false: every host is named."`
}

// Policy is the catalog entry.
var Policy = spec.Policy{
	Key:   "no-wildcard-ingress-host",
	Kind:  "K8sNoWildcardIngressHost",
	Title: "Ingress names its hosts",
	Description: `Every rule of an Ingress must name the host it serves: a rule without a host,
a host that is * and (unless allowWildcardSubdomains is true) a wildcard host such
as *.example.com are refused, as is an Ingress whose spec.defaultBackend has no
rules. Each of them makes the ingress controller send to this Ingress's backends the
requests for host names nobody reviewed, including hosts other teams expect to
serve; a catch-all also hides typos in DNS. With allowWildcardSubdomains, a wildcard
must cover a domain of at least two labels (*.example.com; never *.com). A
defaultBackend next to rules is not refused: controllers such as ingress-nginx use
it only for the rules' hosts.`,
	Version:     "1.0.3",
	Practice:    "Ingress: serve only the hosts you name",
	Bundles:     []string{"hardened"},
	Scope:       spec.ScopeObject,
	Params:      Params{},
	Defaults:    Params{AllowWildcardSubdomains: false},
	Match:       spec.Match{Kinds: []spec.GroupKinds{{APIGroups: []string{"networking.k8s.io"}, Kinds: []string{"Ingress"}}}},
	Enforcement: spec.Deny,
	Rego:        rego,
	CEL:         cel,
}
