// Package noautomountserviceaccounttoken keeps API credentials out of pods that do not need them.
package noautomountserviceaccounttoken

import (
	_ "embed"

	"github.com/gatewarden/gatewarden/internal/spec"
)

//go:embed policy.rego
var rego string

// Params are the parameters of K8sNoAutomountServiceAccountToken.
type Params struct {
	ExemptServiceAccounts []string `json:"exemptServiceAccounts,omitempty" description:"Names of ServiceAccounts that may leave automountServiceAccountToken unset (never set it to true). Keep \"default\": the controller manager creates it in every namespace without the field, and refusing it would leave the namespace without one. Pods that run as these ServiceAccounts are still checked." default:"[\"default\"]"`
}

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
attacker's way into the API server. A projected volume with a serviceAccountToken
source mounts a token whatever the field says, so one without an audience (a token
for the API server) is refused too; a token for another audience (Vault, a cloud's
token exchange) is not, since the API server does not accept it. ServiceAccounts themselves must set
automountServiceAccountToken: false, so that a pod that forgets to opt out is still
safe; those named in exemptServiceAccounts (default: "default") may leave the field
unset, because the controller manager creates the "default" ServiceAccount of every
namespace without it and refusing that would leave the namespace unable to run
pods, but no ServiceAccount may set it to true. Pods running as an exempt
ServiceAccount are still checked: set automountServiceAccountToken: false on the
pod, or patch the "default" ServiceAccount after the namespace is created.`,
	Version:    "1.2.0",
	Practice:   "Disable automountServiceAccountToken",
	Bundles:    []string{"hardened"},
	Compliance: []string{"CIS 5.1.6"},
	Scope:      spec.ScopePod,
	Params:     Params{},
	Defaults:   Params{ExemptServiceAccounts: []string{"default"}},
	Match: spec.Match{Kinds: append(append([]spec.GroupKinds(nil), spec.Workloads...),
		spec.GroupKinds{APIGroups: []string{""}, Kinds: []string{"ServiceAccount"}})},
	Enforcement: spec.Deny,
	Rego:        rego,
	Sync:        []spec.GVK{{Group: "", Version: "v1", Kind: "ServiceAccount"}},
}
