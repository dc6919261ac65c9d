// Package requireimagedigest requires every image to be pinned by digest.
package requireimagedigest

import (
	_ "embed"

	"github.com/gatewarden/gatewarden/internal/spec"
)

//go:embed policy.rego
var rego string

//go:embed policy.cel
var cel string

// Params are the parameters of K8sRequireImageDigest.
type Params struct {
	ExemptImages []string `json:"exemptImages,omitempty" description:"Images that may be deployed by tag: an exact reference, or a prefix ending in '*' (e.g. your own registry's dev/ repositories while a pipeline learns to pin)."`
}

// Policy is the catalog entry.
var Policy = spec.Policy{
	Key:   "require-image-digest",
	Kind:  "K8sRequireImageDigest",
	Title: "Require images pinned by digest",
	Description: `Every container image must be pinned by digest (image@sha256:..., or sha384 or
sha512): a tag can be moved to other content after review, a digest cannot, so what
runs is what was verified. A tag next to the digest is allowed (the runtime pulls by
the digest). References are parsed as the container runtime parses them: a tag that
merely looks like a digest (app:sha256-..., or the repository "sha256" in
sha256:<hex>) does not pin anything, and a reference that does not parse (upper-case
repository, empty, malformed digest) is refused rather than passed. The default
constraint warns: many teams cannot pin every image yet; switch it to deny once they do.`,
	Version:     "1.0.5",
	Practice:    "Verify what you deploy: pin images by digest",
	Bundles:     []string{"hardened"},
	Compliance:  []string{"CIS 5.5.1 (image provenance)"},
	Scope:       spec.ScopeContainer,
	Params:      Params{},
	Defaults:    Params{},
	Match:       spec.Match{Kinds: spec.Workloads},
	Enforcement: spec.Warn,
	Rego:        rego,
	CEL:         cel,
}
