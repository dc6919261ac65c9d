// Package safesysctls allows only the sysctls that are safe to set in a pod.
package safesysctls

import (
	_ "embed"

	"github.com/gatewarden/gatewarden/internal/spec"
)

//go:embed policy.rego
var rego string

//go:embed policy.cel
var cel string

// Params are the parameters of K8sSafeSysctls.
type Params struct {
	AllowedSysctls []string `json:"allowedSysctls,omitempty" description:"The sysctls a pod may set in securityContext.sysctls: an exact name, or a prefix ending in '*'. When absent, the Pod Security Standards' safe set (Kubernetes 1.32+): kernel.shm_rmid_forced, net.ipv4.ip_local_port_range, net.ipv4.ip_local_reserved_ports, net.ipv4.ip_unprivileged_port_start, net.ipv4.ping_group_range, net.ipv4.tcp_fin_timeout, net.ipv4.tcp_keepalive_intvl, net.ipv4.tcp_keepalive_probes, net.ipv4.tcp_keepalive_time, net.ipv4.tcp_rmem, net.ipv4.tcp_syncookies, net.ipv4.tcp_wmem. An empty list allows none."`
}

// Policy is the catalog entry.
var Policy = spec.Policy{
	Key:   "safe-sysctls",
	Kind:  "K8sSafeSysctls",
	Title: "Safe sysctls",
	Description: `A pod may set only safe sysctls in spec.securityContext.sysctls: those that are
namespaced and isolated from other pods on the node. Names are compared exactly (the
slash spelling net/ipv4/... is not in the set). Without allowedSysctls this is Pod
Security Admission's sysctls check at its latest version, which added
net.ipv4.ip_local_reserved_ports in 1.27, the tcp_keepalive and tcp_fin_timeout
sysctls in 1.29 and tcp_rmem and tcp_wmem in 1.32. A sysctl is a pod-level setting:
it is never exempt by image.`,
	Version:     "1.0.4",
	Practice:    "Set only safe sysctls",
	Bundles:     []string{"baseline", "restricted", "hardened"},
	Compliance:  []string{"PSS baseline: Sysctls"},
	Scope:       spec.ScopePod,
	Params:      Params{},
	Defaults:    Params{},
	Match:       spec.Match{Kinds: spec.Workloads},
	Enforcement: spec.Deny,
	Rego:        rego,
	CEL:         cel,
}
