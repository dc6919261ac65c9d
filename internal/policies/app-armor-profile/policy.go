// Package apparmorprofile forbids unconfined or unlisted AppArmor profiles and can require one.
package apparmorprofile

import (
	_ "embed"

	"github.com/gatewarden/gatewarden/internal/spec"
)

//go:embed policy.rego
var rego string

//go:embed policy.cel
var cel string

// Params are the parameters of K8sAppArmorProfile.
type Params struct {
	AllowedProfiles          []string `json:"allowedProfiles,omitempty" enum:"RuntimeDefault,Localhost" default:"[\"RuntimeDefault\",\"Localhost\"]" description:"The AppArmor profile types a pod or container may set (securityContext.appArmorProfile.type, or the legacy annotation's runtime/default and localhost/<profile>). Unconfined is never allowed."`
	AllowedLocalhostProfiles []string `json:"allowedLocalhostProfiles,omitempty" description:"When not empty, the only Localhost profiles allowed (localhostProfile, or the <profile> of a localhost/<profile> annotation): an exact name, or a prefix ending in '*'. Empty allows any profile loaded on the node."`
	RequireProfile           bool     `json:"requireProfile,omitempty" default:"false" description:"Require every container to name an AppArmor profile: its own appArmorProfile, else its legacy annotation, else the pod's appArmorProfile (the kubelet's order). Windows pods are exempt. Leave false where nodes may lack AppArmor: the kubelet refuses pods that request a profile there."`
	ExemptImages             []string `json:"exemptImages,omitempty" description:"Images whose containers are not checked (nor their annotations): an exact reference, or a prefix ending in '*'. Pod-level settings are checked whatever the images."`
}

// Policy is the catalog entry.
var Policy = spec.Policy{
	Key:   "app-armor-profile",
	Kind:  "K8sAppArmorProfile",
	Title: "AppArmor profile",
	Description: `No pod or container may set an AppArmor profile other than RuntimeDefault or
Localhost (allowedProfiles, optionally narrowed to named Localhost profiles with
allowedLocalhostProfiles): Unconfined turns AppArmor off. Both the
securityContext.appArmorProfile fields (pod and every container, init and ephemeral
ones included) and the legacy annotations container.apparmor.security.beta.kubernetes.io/<container>
are checked, and every value that is set is judged, as Pod Security Admission does:
an annotation may be empty, runtime/default or localhost/<profile>, nothing else.
With requireProfile, every container must also name a profile, resolved as the kubelet
does: its own field, else its annotation, else the pod's field.`,
	Version:     "1.0.4",
	Practice:    "Confine containers with AppArmor",
	Bundles:     []string{"baseline", "restricted", "hardened"},
	Compliance:  []string{"PSS baseline: AppArmor"},
	Scope:       spec.ScopeContainer,
	Params:      Params{},
	Defaults:    Params{AllowedProfiles: []string{"RuntimeDefault", "Localhost"}},
	Match:       spec.Match{Kinds: spec.Workloads},
	Enforcement: spec.Deny,
	Rego:        rego,
	CEL:         cel,
}
