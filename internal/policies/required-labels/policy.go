// Package requiredlabels requires labels (and the shape of their values) on workloads and Services.
package requiredlabels

import (
	_ "embed"

	"github.com/gatewarden/gatewarden/internal/spec"
)

//go:embed policy.rego
var rego string

//go:embed policy.cel
var cel string

// RequiredLabel is one label an object must carry.
type RequiredLabel struct {
	Key          string `json:"key" description:"The label key, e.g. owner or app.kubernetes.io/part-of." required:"true"`
	AllowedRegex string `json:"allowedRegex,omitempty" description:"An RE2 regular expression the whole value must match (it is anchored for you). Unset: any non-empty value."`
}

// Params are the parameters of K8sRequiredLabels.
type Params struct {
	Labels []RequiredLabel `json:"labels,omitempty" description:"The labels every matched object must carry, each with an optional allowedRegex for its value."`
}

// Policy is the catalog entry.
var Policy = spec.Policy{
	Key:   "required-labels",
	Kind:  "K8sRequiredLabels",
	Title: "Required labels",
	Description: `Every matched object must carry the labels of the labels parameter in its own
metadata.labels: with a non-empty value, or, when the entry has an allowedRegex, a
value that the regex matches entirely (an empty value passes only if the regex
allows it). The default constraint requires an owner label on workloads and
Services, so that every running thing can be traced to a team; an organisation
sets its own list, for example:

  labels:
  - key: owner
    allowedRegex: "team-[a-z0-9-]+"
  - key: app.kubernetes.io/part-of

Workloads are checked on their own metadata, not on their pod template's: that is
what kubectl, GitOps tools and cost reports read, and a Deployment's labels are not
copied to its pods. Objects created by a controller (with an ownerReference whose
controller is true: the ReplicaSets of a Deployment, the Jobs of a CronJob, the Pods
of either) are skipped, as their labels come from a template; their owner is
checked instead. Enforcement is warn by default: the labels are each
organisation's own.`,
	Version:  "1.0.4",
	Practice: "Catch manifest misconfigurations: required labels",
	Bundles:  []string{"hardened"},
	Scope:    spec.ScopeObject,
	Params:   Params{},
	Defaults: Params{Labels: []RequiredLabel{{Key: "owner"}}},
	Match: spec.Match{Kinds: append(append([]spec.GroupKinds(nil), spec.Workloads...),
		spec.GroupKinds{APIGroups: []string{""}, Kinds: []string{"Service"}})},
	Enforcement: spec.Warn,
	Rego:        rego,
	CEL:         cel,
}
