package k8ssafesysctls

import data.lib.exempt
import data.lib.securitycontext
import data.lib.update
import data.lib.workload

violation contains v if {
	some v in (findings(input.review.object) - findings(update.previous_object))
}

# Pod Security Admission's safe set at its latest version (1.32).
safe_sysctls := [
	"kernel.shm_rmid_forced",
	"net.ipv4.ip_local_port_range",
	"net.ipv4.ip_local_reserved_ports",
	"net.ipv4.ip_unprivileged_port_start",
	"net.ipv4.ping_group_range",
	"net.ipv4.tcp_fin_timeout",
	"net.ipv4.tcp_keepalive_intvl",
	"net.ipv4.tcp_keepalive_probes",
	"net.ipv4.tcp_keepalive_time",
	"net.ipv4.tcp_rmem",
	"net.ipv4.tcp_syncookies",
	"net.ipv4.tcp_wmem",
]

allowed := object.get(input, ["parameters", "allowedSysctls"], safe_sysctls)

# An allowed entry matches a name exactly, or as a prefix when it ends in '*'.
sysctl_allowed(name) if {
	some pattern in allowed
	exempt.pattern_matches(pattern, name)
}

name_of(sysctl) := n if {
	n := sysctl.name
	n != null
} else := ""

findings(obj) := {finding |
	some sysctl in securitycontext.pod_value(obj, "sysctls")
	name := name_of(sysctl)
	not sysctl_allowed(name)
	field := sprintf("%s.securityContext.sysctls[name=%s]", [workload.pod_spec_path(obj), name])
	finding := {
		"msg": sprintf("%s: the pod sets sysctl \"%s\", which is not allowed (%s), remove it", [workload.display_name(obj), name, field]),
		"details": {"field": field, "value": name},
	}
}
