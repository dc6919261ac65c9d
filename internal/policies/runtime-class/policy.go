// Package runtimeclass requires pods in sandboxed namespaces to run in a sandboxed runtime.
package runtimeclass

import (
	_ "embed"

	"github.com/gatewarden/gatewarden/internal/spec"
)

//go:embed policy.rego
var rego string

//go:embed policy.cel
var cel string

// SandboxLabel selects the namespaces the default constraint applies to.
const SandboxLabel = "gatewarden.dev/sandbox"

// Params are the parameters of K8sRuntimeClass.
type Params struct {
	AllowedRuntimeClasses []string `json:"allowedRuntimeClasses,omitempty" default:"[\"gvisor\",\"runsc\",\"kata*\"]" description:"The RuntimeClasses a pod may name in runtimeClassName: an exact name, or a prefix ending in '*' (kata* admits kata-qemu, kata-fc, ...). A pod that names none runs in the node's default runtime and is refused."`
}

// Policy is the catalog entry.
var Policy = spec.Policy{
	Key:   "runtime-class",
	Kind:  "K8sRuntimeClass",
	Title: "Sandboxed runtime class",
	Description: `Pods must set spec.runtimeClassName to a sandboxed runtime (allowedRuntimeClasses,
default gvisor, runsc and kata*), so that a container escape lands in a user-space
kernel or a lightweight VM rather than on the node. Not every node or workload can run
sandboxed, so the default constraint applies only to namespaces labelled
gatewarden.dev/sandbox=true (match.namespaceSelector): label the namespaces that run
untrusted or multi-tenant code. Not part of the Pod Security Standards.`,
	Version:     "1.0.4",
	Practice:    "Run untrusted workloads in a sandboxed runtime",
	Bundles:     []string{"hardened"},
	Scope:       spec.ScopePod,
	Params:      Params{},
	Defaults:    Params{AllowedRuntimeClasses: []string{"gvisor", "runsc", "kata*"}},
	Match:       spec.Match{Kinds: spec.Workloads, NamespaceSelector: map[string]string{SandboxLabel: "true"}},
	Enforcement: spec.Deny,
	Rego:        rego,
	CEL:         cel,
}
