package k8sreadonlyrootfilesystem

import data.lib.exempt
import data.lib.securitycontext
import data.lib.update
import data.lib.workload

violation contains v if {
	some v in (findings(input.review.object) - findings(update.previous_object))
}

# Windows pods cannot set readOnlyRootFilesystem, so they are not checked.
findings(obj) := {finding |
	not securitycontext.is_windows(obj)
	some entry in workload.containers(obj)
	not exempt.container_is_exempt(entry)
	problem := problem_of(entry)
	finding := {
		"msg": sprintf("%s: container \"%s\" %s (%s.securityContext.readOnlyRootFilesystem%s), set it to true and mount an emptyDir where the container writes", [workload.display_name(obj), entry.name, problem.what, entry.path, problem.value]),
		"details": {"container": entry.name, "field": sprintf("%s.securityContext.readOnlyRootFilesystem", [entry.path]), "value": problem.detail},
	}
}

problem_of(entry) := {"what": "does not set readOnlyRootFilesystem, so its root filesystem is writable", "value": " is unset", "detail": null} if {
	not is_set(entry)
}

problem_of(entry) := {"what": "has a writable root filesystem", "value": sprintf("=%v", [v]), "detail": v} if {
	v := securitycontext.container_own_value(entry, "readOnlyRootFilesystem")
	v != true
}

# is_set(entry) tells an unset (or null) field from one set to false, which
# "not container_own_value(...)" alone cannot.
is_set(entry) if {
	_ := securitycontext.container_own_value(entry, "readOnlyRootFilesystem")
}
