// Package hostpathvolumes forbids hostPath volumes, or limits them to allowed prefixes.
package hostpathvolumes

import (
	_ "embed"

	"github.com/gatewarden/gatewarden/internal/spec"
)

//go:embed policy.rego
var rego string

//go:embed policy.cel
var cel string

// AllowedHostPath is a host directory hostPath volumes may use.
type AllowedHostPath struct {
	// The pattern admits absolute paths with no ".." segment: the only prefixes the
	// policy can compare safely. The policy itself also ignores any other prefix.
	PathPrefix string `json:"pathPrefix" description:"An absolute host path without '..' segments. A hostPath volume is under it when its cleaned path equals it or continues it with '/' (compared segment by segment: /var/logs is not under /var/log)." required:"true" pattern:"^(/([^/.][^/]*|\\.|\\.[^/.][^/]*|\\.\\.[^/]+)?)+$"`
	ReadOnly   bool   `json:"readOnly,omitempty" description:"When true, a volume allowed only through this prefix must be mounted with readOnly: true by every container that mounts it."`
}

// Params are the parameters of K8sHostPathVolumes.
type Params struct {
	AllowedHostPaths []AllowedHostPath `json:"allowedHostPaths,omitempty" description:"Host path prefixes hostPath volumes may use. Empty (the default, and the Pod Security Standards' value) allows no hostPath volume at all. The container runtime sockets and the directories that hold them are never allowed."`
}

// Policy is the catalog entry.
var Policy = spec.Policy{
	Key:   "host-path-volumes",
	Kind:  "K8sHostPathVolumes",
	Title: "No hostPath volumes",
	Description: `Pods must not mount directories of the node through hostPath volumes: a hostPath
volume reads and often writes the node's file system, from its credentials to the
kubelet's configuration. By default (and in the baseline and restricted bundles, as
in the Pod Security Standards) every volume that sets hostPath is refused, whatever
its path. allowedHostPaths may admit volumes under listed prefixes; then:
a path that is not absolute or has a ".." segment is refused outright (the API
server does not resolve it and a runtime may, so it cannot be compared safely);
other paths are cleaned (empty and "." segments dropped, so trailing slashes and
"//" do not matter) and compared segment by segment with the prefixes, cleaned the
same way (/var/logs is not under /var/log); the container runtime sockets (docker,
containerd, CRI-O, cri-dockerd, k3s, under /run and /var/run) and every directory
that holds one (/, /run, /var, /var/run, ...) are refused even under an allowed
prefix; and when every prefix a volume is under is readOnly, each volumeMount of
that volume, in every container, must set readOnly: true. Paths are compared as
written: symbolic links on the node are not resolved. Pod-level: not exempt by image.`,
	Version:     "1.0.4",
	Practice:    "Don't mount host paths",
	Bundles:     []string{"baseline", "restricted", "hardened"},
	Compliance:  []string{"PSS baseline: HostPath Volumes", "CIS 5.2.12"},
	Scope:       spec.ScopePod,
	Params:      Params{},
	Defaults:    Params{},
	Match:       spec.Match{Kinds: spec.Workloads},
	Enforcement: spec.Deny,
	Rego:        rego,
	CEL:         cel,
}
