// Package runasnonroot requires containers to run as non-root users.
package runasnonroot

import (
	_ "embed"

	"github.com/gatewarden/gatewarden/internal/spec"
)

//go:embed policy.rego
var rego string

//go:embed policy.cel
var cel string

// Params are the parameters of K8sRunAsNonRoot.
type Params struct {
	AllowRootWithUserNamespaces bool     `json:"allowRootWithUserNamespaces,omitempty" description:"Skip the runAsNonRoot and runAsUser=0 rules for pods with hostUsers: false, whose root is an unprivileged user of the node, as the PSS restricted level does since Kubernetes 1.35. minUID and minGID still apply."`
	MinUID                      *int64   `json:"minUID,omitempty" description:"When set, the effective runAsUser of every container (its own, else the pod's) must be set and at least this UID: an unset runAsUser lets the image choose. Windows pods, which cannot set it, are not checked."`
	MinGID                      *int64   `json:"minGID,omitempty" description:"When set, the effective runAsGroup of every container must be set and at least this GID (an unset runAsGroup lets the image choose, often group 0), and the pod's fsGroup (when set) and every supplementalGroups entry must be at least this GID. Windows pods, which cannot set them, are not checked."`
	ExemptImages                []string `json:"exemptImages,omitempty" description:"Images whose containers may run as root: an exact reference, or a prefix ending in '*'. Pod-level fields (the pod's runAsNonRoot: false or runAsUser: 0, fsGroup, supplementalGroups) are never exempt."`
}

// Policy is the catalog entry.
var Policy = spec.Policy{
	Key:   "run-as-non-root",
	Kind:  "K8sRunAsNonRoot",
	Title: "Run as non-root",
	Description: `Every container must run with runAsNonRoot: true, set on the container or
inherited from the pod (a container setting false fails even when the pod sets true,
and the pod setting false fails whatever its containers set), and neither the pod nor
a container may set runAsUser: 0, as in the PSS restricted level. The restricted
bundle, like PSA since Kubernetes 1.35, exempts pods with hostUsers: false from
these two rules (allowRootWithUserNamespaces); the hardened bundle does not. Optional
minUID and minGID require the effective runAsUser and runAsGroup to be set and at
least that value (and fsGroup and supplementalGroups at least minGID). Applies to
containers, initContainers and ephemeralContainers.`,
	Version:    "1.0.5",
	Practice:   "Run containers as a non-root user",
	Bundles:    []string{"restricted", "hardened"},
	Compliance: []string{"PSS restricted: Running as Non-root", "PSS restricted: Running as Non-root user", "CIS 5.2.7", "CIS 5.7.3"},
	Scope:      spec.ScopeContainer,
	Params:     Params{},
	Defaults:   Params{},
	BundleParams: map[string]any{
		"restricted": Params{AllowRootWithUserNamespaces: true},
	},
	Match:       spec.Match{Kinds: spec.Workloads},
	Enforcement: spec.Deny,
	Rego:        rego,
	CEL:         cel,
}
