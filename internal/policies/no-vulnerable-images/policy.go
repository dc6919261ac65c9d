// Package novulnerableimages refuses images that trivy-operator found vulnerable.
package novulnerableimages

import (
	_ "embed"

	"github.com/gatewarden/gatewarden/internal/spec"
)

//go:embed policy.rego
var rego string

// Params are the parameters of K8sNoVulnerableImages.
type Params struct {
	SeverityThreshold string   `json:"severityThreshold,omitempty" enum:"CRITICAL,HIGH,MEDIUM,LOW" default:"\"CRITICAL\"" description:"The lowest severity that refuses an image: an image is refused when its VulnerabilityReport counts at least one vulnerability of this severity or a higher one (UNKNOWN is never counted)."`
	RequireReport     bool     `json:"requireReport" default:"false" description:"Whether an image without a matching VulnerabilityReport in the namespace is refused. trivy-operator scans workloads once they exist, so an image deployed for the first time has no report yet: with true, new images are refused until a report exists (use it with warn, or where images are scanned before they are promoted)."`
	ExemptImages      []string `json:"exemptImages,omitempty" description:"Images exempt from this check: an exact reference, or a prefix ending in '*'."`
}

// Policy is the catalog entry.
var Policy = spec.Policy{
	Key:   "no-vulnerable-images",
	Kind:  "K8sNoVulnerableImages",
	Title: "No images with known vulnerabilities",
	Description: `Refuses containers whose image has a trivy-operator VulnerabilityReport
(aquasecurity.github.io/v1alpha1) in the workload's namespace with vulnerabilities
at or above severityThreshold (default CRITICAL); the message gives the report and
its counts. A report belongs to an image when its registry.server and
artifact.repository name the same normalised image (index.docker.io is docker.io,
nginx is docker.io/library/nginx, hosts compare case-insensitively) and, for an
image pinned by digest, artifact.digest is that digest, otherwise artifact.tag is
the image's tag (latest when it has none). Images without a report pass unless
requireReport is true. A reference that does not parse is refused. Reads the
VulnerabilityReports Gatekeeper syncs. The default constraint warns: reports appear
after a workload runs and new CVEs are published every day, so deny could block a
rollback or a scale-out of an image that was admitted yesterday; switch to deny
once the namespace's reports are clean.`,
	Version:     "1.0.0",
	Practice:    "Scan images for known vulnerabilities (Trivy)",
	Bundles:     []string{"hardened"},
	Scope:       spec.ScopeContainer,
	Params:      Params{},
	Defaults:    Params{SeverityThreshold: "CRITICAL", RequireReport: false},
	Match:       spec.Match{Kinds: spec.Workloads},
	Enforcement: spec.Warn,
	Rego:        rego,
	Sync:        []spec.GVK{{Group: "aquasecurity.github.io", Version: "v1alpha1", Kind: "VulnerabilityReport"}},
}
