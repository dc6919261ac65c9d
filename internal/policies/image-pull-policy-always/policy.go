// Package imagepullpolicyalways requires imagePullPolicy: Always.
package imagepullpolicyalways

import (
	_ "embed"

	"github.com/gatewarden/gatewarden/internal/spec"
)

//go:embed policy.rego
var rego string

//go:embed policy.cel
var cel string

// Params are the parameters of K8sImagePullPolicyAlways.
type Params struct {
	ExemptDigestPinned bool     `json:"exemptDigestPinned" default:"true" description:"Whether images pinned by digest may use another imagePullPolicy: their content cannot change, so only the credential check on every start is lost. Set false to require Always for every image."`
	ExemptImages       []string `json:"exemptImages,omitempty" description:"Images exempt from this check: an exact reference, or a prefix ending in '*'."`
}

// Policy is the catalog entry.
var Policy = spec.Policy{
	Key:   "image-pull-policy-always",
	Kind:  "K8sImagePullPolicyAlways",
	Title: "Image pull policy Always",
	Description: `Every container must use imagePullPolicy: Always, so that each start asks the
registry: a moved tag is re-resolved, and a pod cannot run a private image that another
pod's credentials left in the node's cache (what the AlwaysPullImages admission plugin
does cluster-wide). Images pinned by a valid digest are exempt while
exemptDigestPinned is true (the default): their content cannot change. An unset
imagePullPolicy is judged as the API server defaults it before admission: Always
when the image has the tag latest or neither tag nor digest, IfNotPresent otherwise,
so offline checks of manifests agree with admission. A reference that does not parse
is refused. The default constraint warns: Always makes every start depend on the
registry being reachable.`,
	Version:     "1.0.6",
	Practice:    "Pull images from the registry on every start",
	Bundles:     []string{"hardened"},
	Scope:       spec.ScopeContainer,
	Params:      Params{},
	Defaults:    Params{ExemptDigestPinned: true},
	Match:       spec.Match{Kinds: spec.Workloads},
	Enforcement: spec.Warn,
	Rego:        rego,
	CEL:         cel,
}
