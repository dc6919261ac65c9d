// Package noautomountserviceaccounttoken keeps API credentials out of pods that do not need them.
package noautomountserviceaccounttoken

import (
	_ "embed"

	"github.com/gatewarden/gatewarden/internal/spec"
)

//go:embed policy.rego
var rego string

// Policy is the catalog entry.
var Policy = spec.Policy{
	Key:   "no-automount-service-account-token",
	Kind:  "K8sNoAutomountServiceAccountToken",
	Title: "No automounted service account token",
	Description: `Pods must not have the Kubernetes API token mounted unless they opt in. The
effective value decides: the pod's automountServiceAccountToken wins; when it is
unset the pod's ServiceAccount (spec.serviceAccountName, default "default") decides,
read from the inventory Gatekeeper syncs. A pod is refused when the effective value
is true or unknown (its ServiceAccount is not in the inventory): a stolen token is an
attacker's way into the API server.`,
	Version:     "1.0.0",
	Practice:    "Disable automountServiceAccountToken",
	Bundles:     []string{"hardened"},
	Compliance:  []string{"CIS 5.1.6"},
	Scope:       spec.ScopePod,
	Match:       spec.Match{Kinds: spec.Workloads},
	Enforcement: spec.Deny,
	Rego:        rego,
	Sync:        []spec.GVK{{Group: "", Version: "v1", Kind: "ServiceAccount"}},
}
