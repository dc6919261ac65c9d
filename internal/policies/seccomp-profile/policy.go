// Package seccompprofile forbids unconfined seccomp profiles and can require one.
package seccompprofile

import (
	_ "embed"

	"github.com/gatewarden/gatewarden/internal/spec"
)

//go:embed policy.rego
var rego string

//go:embed policy.cel
var cel string

// Params are the parameters of K8sSeccompProfile.
type Params struct {
	RequireProfile         bool     `json:"requireProfile" description:"Require every container to run with a seccomp profile of type RuntimeDefault or Localhost: its own securityContext.seccompProfile, else the pod's. As in the Pod Security Standards' restricted level, Windows pods (spec.os.name: windows) are exempt when this is true." default:"false"`
	CheckLegacyAnnotations bool     `json:"checkLegacyAnnotations,omitempty" description:"Also refuse the legacy annotations seccomp.security.alpha.kubernetes.io/pod and container.seccomp.security.alpha.kubernetes.io/<container> unless they are runtime/default, docker/default or localhost/<profile>. Kubernetes ignores them since 1.27 and Pod Security Admission stopped checking them in 1.19, so no bundle sets this: it only catches manifests written for old clusters." default:"false"`
	ExemptImages           []string `json:"exemptImages,omitempty" description:"Images whose containers are not checked: an exact reference, or a prefix ending in '*'. Pod-level settings are checked whatever the images."`
}

// Policy is the catalog entry.
var Policy = spec.Policy{
	Key:   "seccomp-profile",
	Kind:  "K8sSeccompProfile",
	Title: "Seccomp profile",
	Description: `No pod or container may set a seccomp profile type other than RuntimeDefault
or Localhost (securityContext.seccompProfile.type: Unconfined turns the syscall filter
off). With requireProfile, every container must also end up with one: its own
seccompProfile, else the pod's. A container's own setting overrides the pod's, so a
container that sets Unconfined is refused even when the pod sets RuntimeDefault; every
setting is judged, so a pod that sets Unconfined is refused even when each container
overrides it. Applies to containers, initContainers and ephemeralContainers. This is
Pod Security Admission's seccompProfile check: baseline forbids the bad types, restricted
(requireProfile) also requires a profile and exempts Windows pods.`,
	Version:    "1.0.4",
	Practice:   "Run containers with the RuntimeDefault seccomp profile",
	Bundles:    []string{"baseline", "restricted", "hardened"},
	Compliance: []string{"PSS baseline: Seccomp", "PSS restricted: Seccomp", "CIS 5.7.2"},
	Scope:      spec.ScopeContainer,
	Params:     Params{},
	Defaults:   Params{RequireProfile: true},
	BundleParams: map[string]any{
		"baseline":   Params{RequireProfile: false},
		"restricted": Params{RequireProfile: true},
	},
	Match:       spec.Match{Kinds: spec.Workloads},
	Enforcement: spec.Deny,
	Rego:        rego,
	CEL:         cel,
}
