package k8scapabilities

import data.lib.exempt
import data.lib.securitycontext
import data.lib.update
import data.lib.workload

violation contains v if {
	some v in (findings(input.review.object) - findings(update.previous_object))
}

# The defaults of the template's schema, for a constraint that leaves a parameter out.
allowed := object.get(input, ["parameters", "allowedCapabilities"], ["NET_BIND_SERVICE"])

forbidden := object.get(input, ["parameters", "forbiddenCapabilities"], [
	"ALL", "BPF", "CHECKPOINT_RESTORE", "DAC_READ_SEARCH", "LINUX_IMMUTABLE",
	"MAC_ADMIN", "MAC_OVERRIDE", "NET_ADMIN", "NET_RAW", "PERFMON", "SYS_ADMIN",
	"SYS_BOOT", "SYS_MODULE", "SYS_PTRACE", "SYS_RAWIO", "SYS_RESOURCE", "SYS_TIME", "SYSLOG",
])

required_drop := object.get(input, ["parameters", "requiredDropCapabilities"], ["ALL"])

forbidden_names := {normalize(c) | some c in forbidden}

# normalize(c) is the name of a capability however it is written: upper case,
# without the CAP_ prefix (cap_sys_admin, Sys_Admin and CAP_SYS_ADMIN are SYS_ADMIN).
normalize(c) := trim_prefix(upper(c), "CAP_")

findings(obj) := (forbidden_findings(obj) | not_allowed_findings(obj)) | drop_findings(obj)

# checked(obj) is the set of containers whose capabilities are checked.
checked(obj) := {entry |
	some entry in workload.containers(obj)
	not exempt.container_is_exempt(entry)
}

# Added capabilities are checked on every pod unless exemptWindowsPods exempts Windows pods.
checks_added(obj) if not securitycontext.is_windows(obj)

checks_added(_) if object.get(input, ["parameters", "exemptWindowsPods"], false) != true

forbidden_findings(obj) := {finding |
	checks_added(obj)
	some entry in checked(obj)
	bad := [c | some c in capability_list(entry, "add"); normalize(c) in forbidden_names]
	count(bad) > 0
	finding := {
		"msg": sprintf("%s: container \"%s\" adds forbidden capabilities %s (%s.securityContext.capabilities.add), remove them", [workload.display_name(obj), entry.name, concat(", ", [describe(c) | some c in bad]), entry.path]),
		"details": {"container": entry.name, "field": sprintf("%s.securityContext.capabilities.add", [entry.path]), "value": bad},
	}
}

not_allowed_findings(obj) := {finding |
	checks_added(obj)
	some entry in checked(obj)
	bad := [c | some c in capability_list(entry, "add"); not c in allowed; not normalize(c) in forbidden_names]
	count(bad) > 0
	finding := {
		"msg": sprintf("%s: container \"%s\" adds capabilities %s not in allowedCapabilities (%s.securityContext.capabilities.add), %s", [workload.display_name(obj), entry.name, concat(", ", [sprintf("\"%s\"", [c]) | some c in bad]), entry.path, allowed_fix]),
		"details": {"container": entry.name, "field": sprintf("%s.securityContext.capabilities.add", [entry.path]), "value": bad},
	}
}

# Windows pods cannot set capabilities, so they are never required to drop any.
drop_findings(obj) := {finding |
	not securitycontext.is_windows(obj)
	some entry in checked(obj)
	dropped := capability_list(entry, "drop")
	missing := [r | some r in required_drop; not r in dropped; not "ALL" in dropped]
	count(missing) > 0
	names := concat(", ", [sprintf("\"%s\"", [r]) | some r in missing])
	finding := {
		"msg": sprintf("%s: container \"%s\" does not drop %s (%s.securityContext.capabilities.drop), add %s to it, spelled exactly", [workload.display_name(obj), entry.name, names, entry.path, names]),
		"details": {"container": entry.name, "field": sprintf("%s.securityContext.capabilities.drop", [entry.path]), "value": missing},
	}
}

# capability_list(entry, field) is securityContext.capabilities.<field> of a container; [] when unset or null.
capability_list(entry, field) := l if {
	l := entry.container.securityContext.capabilities[field]
	is_array(l)
} else := []

describe(c) := sprintf("\"%s\"", [c]) if normalize(c) == c

describe(c) := sprintf("\"%s\" (%s)", [c, normalize(c)]) if normalize(c) != c

allowed_fix := "remove them: no capability may be added" if {
	count(allowed) == 0
} else := sprintf("remove them or add only %s, spelled exactly", [concat(", ", allowed)])
