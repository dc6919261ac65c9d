// Package nohostnamespaces forbids sharing the node's network, PID and IPC namespaces.
package nohostnamespaces

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
	Key:   "no-host-namespaces",
	Kind:  "K8sNoHostNamespaces",
	Title: "No host namespaces",
	Description: `Pods must not set spec.hostNetwork, spec.hostPID or spec.hostIPC to true (unset
or false is allowed). A pod in the host's network namespace sees every interface of the
node and reaches services bound to localhost; in the host's PID namespace it sees and
can signal or ptrace every process of the node; in the host's IPC namespace it reads
the node's shared memory. Each field is checked on its own and reported on its own.
As in the Pod Security Standards (baseline), Windows pods are not exempt.`,
	Version:     "1.0.4",
	Practice:    "Don't share the host's namespaces",
	Bundles:     []string{"baseline", "restricted", "hardened"},
	Compliance:  []string{"PSS baseline: Host Namespaces", "CIS 5.2.3", "CIS 5.2.4", "CIS 5.2.5"},
	Scope:       spec.ScopePod,
	Match:       spec.Match{Kinds: spec.Workloads},
	Enforcement: spec.Deny,
	Rego:        rego,
	CEL:         cel,
}
