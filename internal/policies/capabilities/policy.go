// Package capabilities limits the Linux capabilities containers add and requires
// them to drop the rest.
package capabilities

import (
	_ "embed"

	"github.com/gatewarden/gatewarden/internal/spec"
)

//go:embed policy.rego
var rego string

//go:embed policy.cel
var cel string

// Params are the parameters of K8sCapabilities.
type Params struct {
	AllowedCapabilities []string `json:"allowedCapabilities" description:"Capabilities a container may add, compared as exact strings as the Pod Security Standards compare them: write them as the API shows them (NET_BIND_SERVICE, not CAP_NET_BIND_SERVICE or net_bind_service). An empty list allows none." default:"[\"NET_BIND_SERVICE\"]"`
	// The default list holds none of the PSS baseline's allowed capabilities, so
	// that the baseline bundle flags exactly what the baseline level flags.
	ForbiddenCapabilities    []string `json:"forbiddenCapabilities" description:"Capabilities never allowed, even when allowedCapabilities lists them. Compared case-insensitively and with or without the CAP_ prefix (cap_sys_admin, Sys_Admin and CAP_SYS_ADMIN all name SYS_ADMIN), so no spelling slips past. ALL stands for every capability." default:"[\"ALL\",\"BPF\",\"CHECKPOINT_RESTORE\",\"DAC_READ_SEARCH\",\"LINUX_IMMUTABLE\",\"MAC_ADMIN\",\"MAC_OVERRIDE\",\"NET_ADMIN\",\"NET_RAW\",\"PERFMON\",\"SYS_ADMIN\",\"SYS_BOOT\",\"SYS_MODULE\",\"SYS_PTRACE\",\"SYS_RAWIO\",\"SYS_RESOURCE\",\"SYS_TIME\",\"SYSLOG\"]"`
	RequiredDropCapabilities []string `json:"requiredDropCapabilities" description:"Capabilities every container must list in securityContext.capabilities.drop, compared as exact strings as the PSS restricted level compares ALL. Dropping ALL satisfies every entry. Windows pods (spec.os.name: windows), which cannot set capabilities, are not checked. An empty list requires nothing." default:"[\"ALL\"]"`
	ExemptWindowsPods        bool     `json:"exemptWindowsPods,omitempty" description:"Skip the checks of added capabilities for Windows pods (spec.os.name: windows), as the PSS restricted level does. The API server refuses capabilities on Windows pods anyway."`
	ExemptImages             []string `json:"exemptImages,omitempty" description:"Images whose containers are not checked: an exact reference, or a prefix ending in '*'. Use only for node agents that need extra capabilities (e.g. CNI plugins)."`
}

// baselineCapabilities is the PSS baseline's default set of capabilities.
var baselineCapabilities = []string{
	"AUDIT_WRITE", "CHOWN", "DAC_OVERRIDE", "FOWNER", "FSETID", "KILL", "MKNOD",
	"NET_BIND_SERVICE", "SETFCAP", "SETGID", "SETPCAP", "SETUID", "SYS_CHROOT",
}

// forbiddenCapabilities are the capabilities that give a container a way onto
// the node or its network (kept in step with the default tag above).
var forbiddenCapabilities = []string{
	"ALL", "BPF", "CHECKPOINT_RESTORE", "DAC_READ_SEARCH", "LINUX_IMMUTABLE",
	"MAC_ADMIN", "MAC_OVERRIDE", "NET_ADMIN", "NET_RAW", "PERFMON", "SYS_ADMIN",
	"SYS_BOOT", "SYS_MODULE", "SYS_PTRACE", "SYS_RAWIO", "SYS_RESOURCE", "SYS_TIME", "SYSLOG",
}

// Policy is the catalog entry.
var Policy = spec.Policy{
	Key:   "capabilities",
	Kind:  "K8sCapabilities",
	Title: "Restrict Linux capabilities",
	Description: `Containers may add only the capabilities in allowedCapabilities (default
NET_BIND_SERVICE), compared as exact strings as the Pod Security Standards do, and never
one of forbiddenCapabilities (SYS_ADMIN, NET_RAW, ALL, ...), which is recognised however
it is written (cap_sys_admin, Sys_Admin, CAP_SYS_ADMIN). Every container must also drop
requiredDropCapabilities (default ALL) in securityContext.capabilities.drop. The
baseline bundle allows the PSS baseline's default set and requires no drop; the
restricted bundle reproduces PSS restricted (add only NET_BIND_SERVICE, drop ALL,
Windows pods exempt). Applies to containers, initContainers and ephemeralContainers.`,
	Version:    "1.0.4",
	Practice:   "Drop all capabilities and add back only the ones the container needs",
	Bundles:    []string{"baseline", "restricted", "hardened"},
	Compliance: []string{"PSS baseline: Capabilities", "PSS restricted: Capabilities", "CIS 5.2.8", "CIS 5.2.9", "CIS 5.2.10"},
	Scope:      spec.ScopeContainer,
	Params:     Params{},
	Defaults: Params{
		AllowedCapabilities:      []string{"NET_BIND_SERVICE"},
		ForbiddenCapabilities:    forbiddenCapabilities,
		RequiredDropCapabilities: []string{"ALL"},
	},
	BundleParams: map[string]any{
		"baseline": Params{
			AllowedCapabilities:      baselineCapabilities,
			ForbiddenCapabilities:    forbiddenCapabilities,
			RequiredDropCapabilities: []string{},
		},
		"restricted": Params{
			AllowedCapabilities:      []string{"NET_BIND_SERVICE"},
			ForbiddenCapabilities:    forbiddenCapabilities,
			RequiredDropCapabilities: []string{"ALL"},
			ExemptWindowsPods:        true,
		},
	},
	Match:       spec.Match{Kinds: spec.Workloads},
	Enforcement: spec.Deny,
	Rego:        rego,
	CEL:         cel,
}
