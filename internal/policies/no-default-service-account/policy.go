// Package nodefaultserviceaccount asks every workload to run as a ServiceAccount of its own.
package nodefaultserviceaccount

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
	Key:   "no-default-service-account",
	Kind:  "K8sNoDefaultServiceAccount",
	Title: "No default service account",
	Description: `Pods must run as a ServiceAccount of their own: spec.serviceAccountName must name one
other than "default". Unset (or empty) means "default", and so does the deprecated
spec.serviceAccount when serviceAccountName is unset. Every pod of a namespace that
does not choose runs as its "default" ServiceAccount, so a permission granted to it
for one workload is granted to all of them, and no audit log or RBAC rule can tell
them apart. Enforcement is warn by default: the default ServiceAccount holds no
permissions unless someone binds them, and the token it would expose is refused by
K8sNoAutomountServiceAccountToken, so this is RBAC hygiene each team moves to at
its own pace rather than an unambiguous control; switch it to deny once workloads
have their own.`,
	Version:     "1.0.4",
	Practice:    "Give each workload its own service account for RBAC",
	Bundles:     []string{"hardened"},
	Compliance:  []string{"CIS 5.1.5"},
	Scope:       spec.ScopePod,
	Match:       spec.Match{Kinds: spec.Workloads},
	Enforcement: spec.Warn,
	Rego:        rego,
	CEL:         cel,
}
