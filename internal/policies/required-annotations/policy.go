// Package requiredannotations requires annotations (and the shape of their values) on workloads and Services.
package requiredannotations

import (
	_ "embed"

	"github.com/gatewarden/gatewarden/internal/spec"
)

//go:embed policy.rego
var rego string

//go:embed policy.cel
var cel string

// RequiredAnnotation is one annotation an object must carry.
type RequiredAnnotation struct {
	Key          string `json:"key" description:"The annotation key, e.g. kubernetes.io/description or argocd.argoproj.io/sync-wave." required:"true"`
	AllowedRegex string `json:"allowedRegex,omitempty" description:"An RE2 regular expression the whole value must match (it is anchored for you). Unset: any non-empty value."`
}

// Params are the parameters of K8sRequiredAnnotations.
type Params struct {
	Annotations []RequiredAnnotation `json:"annotations,omitempty" description:"The annotations every matched object must carry, each with an optional allowedRegex for its value."`
}

// Policy is the catalog entry.
var Policy = spec.Policy{
	Key:   "required-annotations",
	Kind:  "K8sRequiredAnnotations",
	Title: "Required annotations",
	Description: `Every matched object must carry the annotations of the annotations parameter in
its own metadata.annotations: with a non-empty value, or, when the entry has an
allowedRegex, a value that the regex matches entirely (an empty value passes only if
the regex allows it). Messages name the annotation but never print its value, which
may be long or hold anything. The default constraint requires the well-known
kubernetes.io/description annotation on workloads and Services; an organisation sets
its own list, such as the annotations its GitOps tool or service catalog relies on:

  annotations:
  - key: argocd.argoproj.io/sync-wave
    allowedRegex: "-?[0-9]+"
  - key: a8r.io/owner

Workloads are checked on their own metadata, not on their pod template's. Objects
created by a controller (with an ownerReference whose controller is true: the
ReplicaSets of a Deployment, the Jobs of a CronJob, the Pods of either) are skipped,
as their metadata comes from a template; their owner is checked instead.
Enforcement is warn by default: the annotations are each organisation's own.`,
	Version:  "1.0.4",
	Practice: "Catch manifest misconfigurations: annotations a tool needs",
	Bundles:  []string{"hardened"},
	Scope:    spec.ScopeObject,
	Params:   Params{},
	Defaults: Params{Annotations: []RequiredAnnotation{{Key: "kubernetes.io/description"}}},
	Match: spec.Match{Kinds: append(append([]spec.GroupKinds(nil), spec.Workloads...),
		spec.GroupKinds{APIGroups: []string{""}, Kinds: []string{"Service"}})},
	Enforcement: spec.Warn,
	Rego:        rego,
	CEL:         cel,
}
