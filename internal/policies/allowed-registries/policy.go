// Package allowedregistries admits images only from allowed registries and repositories.
package allowedregistries

import (
	_ "embed"

	"github.com/gatewarden/gatewarden/internal/spec"
)

//go:embed policy.rego
var rego string

//go:embed policy.cel
var cel string

// Params are the parameters of K8sAllowedRegistries.
type Params struct {
	AllowedRegistries []string `json:"allowedRegistries,omitempty" required:"true" pattern:"^[A-Za-z0-9.:\\[\\]-]+(/[a-z0-9._-]+)*(/\\*)?$" description:"Where images may come from: entries host[:port][/path], compared on whole path segments with the image's normalised name (registry/repository). registry.example.com admits every repository of that host, but not registry.example.com.evil.io nor registry.example.com:5000. ghcr.io/example-org admits that repository and everything below it, but not ghcr.io/example-org-evil. A trailing /* admits only what is below the prefix (ghcr.io/example-org/* does not admit ghcr.io/example-org itself); no other wildcard exists. Docker Hub is docker.io (index.docker.io is the same host): docker.io/library admits the official images (nginx, docker.io/nginx), docker.io/bitnami the bitnami ones. Hosts compare case-insensitively, paths exactly. An empty list admits nothing."`
	ExemptImages      []string `json:"exemptImages,omitempty" description:"Images exempt from this check: an exact reference, or a prefix ending in '*' (compared with the image as written, not normalised)."`
}

// Policy is the catalog entry.
var Policy = spec.Policy{
	Key:   "allowed-registries",
	Kind:  "K8sAllowedRegistries",
	Title: "Allowed image registries",
	Description: `Every container image must come from a registry or repository prefix listed in
allowedRegistries. The image is normalised as the container runtime resolves it
before it is compared: nginx is docker.io/library/nginx, index.docker.io is
docker.io, and registry.example.com:5000/app names the host registry.example.com:5000.
Entries match on whole path segments, so registry.example.com never admits
registry.example.com.evil.io/app or registry.example.com/teamevil when the entry is
registry.example.com/team. A reference that does not parse is refused rather than
passed. The registries are each organisation's own: the default constraint lists
examples (registry.example.com, ghcr.io/example-org) and runs in dryrun; set your own
list and switch it to deny.`,
	Version:    "1.0.5",
	Practice:   "Whitelist allowed registries",
	Bundles:    []string{"hardened"},
	Compliance: []string{"CIS 5.5.1 (image provenance)"},
	Scope:      spec.ScopeContainer,
	Params:     Params{},
	Defaults: Params{
		AllowedRegistries: []string{"registry.example.com", "ghcr.io/example-org"},
	},
	Match:       spec.Match{Kinds: spec.Workloads},
	Enforcement: spec.DryRun,
	Rego:        rego,
	CEL:         cel,
}
