package k8snoprivilegeescalation

import data.lib.exempt
import data.lib.securitycontext
import data.lib.update
import data.lib.workload

violation contains v if {
	some v in (findings(input.review.object) - findings(update.previous_object))
}

# Windows pods cannot set allowPrivilegeEscalation; PSA restricted exempts them.
findings(obj) := {finding |
	not securitycontext.is_windows(obj)
	some entry in workload.containers(obj)
	not exempt.container_is_exempt(entry)
	problem := problem_of(entry)
	finding := {
		"msg": sprintf("%s: container \"%s\" %s (%s.securityContext.allowPrivilegeEscalation%s), set it to false", [workload.display_name(obj), entry.name, problem.what, entry.path, problem.value]),
		"details": {"container": entry.name, "field": sprintf("%s.securityContext.allowPrivilegeEscalation", [entry.path]), "value": problem.detail},
	}
}

problem_of(entry) := {"what": "does not set allowPrivilegeEscalation, so privilege escalation is allowed", "value": " is unset", "detail": null} if {
	not is_set(entry)
}

problem_of(entry) := {"what": "allows privilege escalation", "value": sprintf("=%v", [v]), "detail": v} if {
	v := securitycontext.container_own_value(entry, "allowPrivilegeEscalation")
	v != false
}

# is_set(entry) tells an unset (or null) field from one set to false, which
# "not container_own_value(...)" alone cannot.
is_set(entry) if {
	_ := securitycontext.container_own_value(entry, "allowPrivilegeEscalation")
}
