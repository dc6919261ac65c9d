// Package disallowlatesttag requires every image to name an explicit, allowed tag or a digest.
package disallowlatesttag

import (
	_ "embed"

	"github.com/gatewarden/gatewarden/internal/spec"
)

//go:embed policy.rego
var rego string

//go:embed policy.cel
var cel string

// Params are the parameters of K8sDisallowLatestTag.
type Params struct {
	DisallowedTags []string `json:"disallowedTags,omitempty" description:"Tags that move and so must not be deployed (compared exactly). An image without a tag is always refused: the runtime pulls it as 'latest'." default:"[\"latest\"]"`
	ExemptImages   []string `json:"exemptImages,omitempty" description:"Images exempt from this check: an exact reference, or a prefix ending in '*'."`
}

// Policy is the catalog entry.
var Policy = spec.Policy{
	Key:   "disallow-latest-tag",
	Kind:  "K8sDisallowLatestTag",
	Title: "Disallow the latest tag",
	Description: `Every container image must name an explicit tag that is not in disallowedTags
(default: latest), or be pinned by digest. An image without a tag is pulled as
"latest", so it is refused too. References are parsed as the container runtime
parses them: a registry port (registry:5000/app) is not a tag, and a reference that
does not parse (upper-case repository, empty name, bad digest) is refused rather
than passed. Digest-pinned images pass whatever their tag.`,
	Version:     "1.0.5",
	Practice:    "Never use the latest tag: deploy a specific version",
	Bundles:     []string{"hardened"},
	Compliance:  []string{"CIS 5.5.1 (image provenance)"},
	Scope:       spec.ScopeContainer,
	Params:      Params{},
	Defaults:    Params{DisallowedTags: []string{"latest"}},
	Match:       spec.Match{Kinds: spec.Workloads},
	Enforcement: spec.Deny,
	Rego:        rego,
	CEL:         cel,
}
