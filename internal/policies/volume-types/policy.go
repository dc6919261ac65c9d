// Package volumetypes limits pod volumes to the types the restricted Pod Security Standard allows.
package volumetypes

import (
	_ "embed"

	"github.com/gatewarden/gatewarden/internal/spec"
)

//go:embed policy.rego
var rego string

//go:embed policy.cel
var cel string

// Params are the parameters of K8sVolumeTypes.
type Params struct {
	AllowedTypes []string `json:"allowedTypes,omitempty" description:"Volume source fields a volume may use (e.g. configMap, persistentVolumeClaim); '*' allows every type. Defaults to the types the restricted Pod Security Standard allows." default:"[\"configMap\",\"csi\",\"downwardAPI\",\"emptyDir\",\"ephemeral\",\"image\",\"persistentVolumeClaim\",\"projected\",\"secret\"]"`
}

// restrictedTypes are the volume types the restricted Pod Security Standard
// allows (Pod Security Admission's restrictedVolumes check, latest version).
var restrictedTypes = []string{"configMap", "csi", "downwardAPI", "emptyDir", "ephemeral", "image", "persistentVolumeClaim", "projected", "secret"}

// Policy is the catalog entry.
var Policy = spec.Policy{
	Key:   "volume-types",
	Kind:  "K8sVolumeTypes",
	Title: "Allowed volume types",
	Description: `Pod volumes must use an allowed volume source: by default the types of the
restricted Pod Security Standard, configMap, csi, downwardAPI, emptyDir, ephemeral,
image, persistentVolumeClaim, projected and secret. Everything else (hostPath, nfs,
iscsi, rbd, gitRepo, flexVolume, in-tree cloud disks, ...) mounts storage straight
from the node or the network, outside the PersistentVolume machinery that lets
administrators control it. As Pod Security Admission does, a volume is allowed when
any of its source fields is an allowed type, a source set to null counts as unset, a
volume that sets no source is refused, and each disallowed type of a refused volume
is reported. allowedTypes replaces the list; '*' allows every type.`,
	Version:     "1.0.5",
	Practice:    "Use only the volume types the restricted Pod Security Standard allows",
	Bundles:     []string{"restricted", "hardened"},
	Compliance:  []string{"PSS restricted: Volume Types"},
	Scope:       spec.ScopePod,
	Params:      Params{},
	Defaults:    Params{AllowedTypes: restrictedTypes},
	Match:       spec.Match{Kinds: spec.Workloads},
	Enforcement: spec.Deny,
	Rego:        rego,
	CEL:         cel,
}
