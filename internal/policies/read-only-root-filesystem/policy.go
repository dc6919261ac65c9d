// Package readonlyrootfilesystem requires every container to mount its root filesystem read-only.
package readonlyrootfilesystem

import (
	_ "embed"

	"github.com/gatewarden/gatewarden/internal/spec"
)

//go:embed policy.rego
var rego string

//go:embed policy.cel
var cel string

// Params are the parameters of K8sReadOnlyRootFilesystem.
type Params struct {
	ExemptImages []string `json:"exemptImages,omitempty" description:"Images whose containers may write to their root filesystem: an exact reference, or a prefix ending in '*'. Prefer mounting an emptyDir where the image needs to write."`
}

// Policy is the catalog entry.
var Policy = spec.Policy{
	Key:   "read-only-root-filesystem",
	Kind:  "K8sReadOnlyRootFilesystem",
	Title: "Read-only root filesystem",
	Description: `Every container must set securityContext.readOnlyRootFilesystem to true, so
an intruder cannot alter the image's binaries or drop tools into it; mount an emptyDir
where the application must write. There is no pod-level field, so an unset value is a
violation. This is not a Pod Security Standards control. Windows pods (spec.os.name:
windows), which cannot set the field, are exempt. Applies to containers,
initContainers and ephemeralContainers.`,
	Version:     "1.0.4",
	Practice:    "Mount the container's root filesystem read-only",
	Bundles:     []string{"hardened"},
	Compliance:  []string{"CIS 5.7.3"},
	Scope:       spec.ScopeContainer,
	Params:      Params{},
	Defaults:    Params{},
	Match:       spec.Match{Kinds: spec.Workloads},
	Enforcement: spec.Deny,
	Rego:        rego,
	CEL:         cel,
}
