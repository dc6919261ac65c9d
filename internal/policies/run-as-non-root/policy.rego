package k8srunasnonroot

import data.lib.exempt
import data.lib.securitycontext
import data.lib.update
import data.lib.workload

violation contains v if {
	some v in (findings(input.review.object) - findings(update.previous_object))
}

findings(obj) := ((((pod_non_root_false(obj) | container_non_root_false(obj)) | non_root_unset(obj)) | pod_root(obj)) | container_root(obj)) | ((uid_findings(obj) | gid_findings(obj)) | pod_group_findings(obj))

# The runAsNonRoot and runAsUser=0 rules apply unless allowRootWithUserNamespaces
# is set and the pod runs in a user namespace (hostUsers: false), as PSA 1.35+.
root_checked(_) if object.get(input, ["parameters", "allowRootWithUserNamespaces"], false) != true

root_checked(obj) if not user_namespace(obj)

user_namespace(obj) if workload.pod_spec(obj).hostUsers == false

# pod_non_root(obj) is true when the pod sets runAsNonRoot: true. (A negated
# comparison of a function call, "not f(x) == true", is not true when f(x) is
# undefined, so every negation below goes through a rule like this one.)
pod_non_root(obj) if securitycontext.pod_value(obj, "runAsNonRoot") == true

checked(obj) := {entry |
	some entry in workload.containers(obj)
	not exempt.container_is_exempt(entry)
}

# own_set(entry, field) tells a field set to false or 0 from an unset one.
own_set(entry, field) if {
	_ := securitycontext.container_own_value(entry, field)
}

pod_set(obj, field) if {
	_ := securitycontext.pod_value(obj, field)
}

pod_field(obj, field) := sprintf("%s.securityContext.%s", [workload.pod_spec_path(obj), field])

container_field(entry, field) := sprintf("%s.securityContext.%s", [entry.path, field])

pod_non_root_false(obj) := {finding |
	root_checked(obj)
	securitycontext.pod_value(obj, "runAsNonRoot") == false
	finding := {
		"msg": sprintf("%s: the pod sets runAsNonRoot to false (%s=false), set it to true", [workload.display_name(obj), pod_field(obj, "runAsNonRoot")]),
		"details": {"field": pod_field(obj, "runAsNonRoot"), "value": false},
	}
}

container_non_root_false(obj) := {finding |
	root_checked(obj)
	some entry in checked(obj)
	securitycontext.container_own_value(entry, "runAsNonRoot") == false
	finding := {
		"msg": sprintf("%s: container \"%s\" sets runAsNonRoot to false (%s=false), set it to true", [workload.display_name(obj), entry.name, container_field(entry, "runAsNonRoot")]),
		"details": {"container": entry.name, "field": container_field(entry, "runAsNonRoot"), "value": false},
	}
}

non_root_unset(obj) := {finding |
	root_checked(obj)
	not pod_non_root(obj)
	some entry in checked(obj)
	not own_set(entry, "runAsNonRoot")
	finding := {
		"msg": sprintf("%s: container \"%s\" may run as root: neither it nor the pod sets runAsNonRoot to true (%s is unset), set runAsNonRoot: true on the container or in %s.securityContext", [workload.display_name(obj), entry.name, container_field(entry, "runAsNonRoot"), workload.pod_spec_path(obj)]),
		"details": {"container": entry.name, "field": container_field(entry, "runAsNonRoot"), "value": null},
	}
}

pod_root(obj) := {finding |
	root_checked(obj)
	securitycontext.pod_value(obj, "runAsUser") == 0
	finding := {
		"msg": sprintf("%s: the pod runs as root (%s=0), set runAsUser to a non-zero UID", [workload.display_name(obj), pod_field(obj, "runAsUser")]),
		"details": {"field": pod_field(obj, "runAsUser"), "value": 0},
	}
}

container_root(obj) := {finding |
	root_checked(obj)
	some entry in checked(obj)
	securitycontext.container_own_value(entry, "runAsUser") == 0
	finding := {
		"msg": sprintf("%s: container \"%s\" runs as root (%s=0), set runAsUser to a non-zero UID", [workload.display_name(obj), entry.name, container_field(entry, "runAsUser")]),
		"details": {"container": entry.name, "field": container_field(entry, "runAsUser"), "value": 0},
	}
}

# minUID and minGID: Windows pods cannot set these fields, so they are not checked.
uid_findings(obj) := id_findings(obj, "runAsUser", "minUID", "UID")

gid_findings(obj) := id_findings(obj, "runAsGroup", "minGID", "GID")

id_findings(obj, field, param, what) := {finding |
	not securitycontext.is_windows(obj)
	minimum := input.parameters[param]
	is_number(minimum)
	some entry in checked(obj)
	problem := id_problem(obj, entry, field, minimum, what)
	finding := {
		"msg": sprintf("%s: container \"%s\" %s", [workload.display_name(obj), entry.name, problem.msg]),
		"details": {"container": entry.name, "field": problem.field, "value": problem.value},
	}
}

id_problem(obj, entry, field, minimum, what) := {
	"msg": sprintf("does not set %s, so its image chooses the %s (%s is unset), set %s to %v or more on the container or in %s.securityContext", [field, what, container_field(entry, field), field, minimum, workload.pod_spec_path(obj)]),
	"field": container_field(entry, field),
	"value": null,
} if {
	not own_set(entry, field)
	not pod_set(obj, field)
}

id_problem(obj, entry, field, minimum, what) := {
	"msg": sprintf("runs with %s %v, below the minimum %v (%s=%v), set %s to %v or more", [what, v, minimum, path, v, field, minimum]),
	"field": path,
	"value": v,
} if {
	v := securitycontext.effective_value(obj, entry, field)
	v < minimum
	path := effective_field(obj, entry, field)
}

effective_field(_, entry, field) := container_field(entry, field) if own_set(entry, field)

effective_field(obj, entry, field) := pod_field(obj, field) if not own_set(entry, field)

pod_group_findings(obj) := {finding |
	not securitycontext.is_windows(obj)
	minimum := input.parameters.minGID
	is_number(minimum)
	v := securitycontext.pod_value(obj, "fsGroup")
	v < minimum
	finding := {
		"msg": sprintf("%s: the pod sets fsGroup %v, below the minimum GID %v (%s=%v), set it to %v or more", [workload.display_name(obj), v, minimum, pod_field(obj, "fsGroup"), v, minimum]),
		"details": {"field": pod_field(obj, "fsGroup"), "value": v},
	}
} | {finding |
	not securitycontext.is_windows(obj)
	minimum := input.parameters.minGID
	is_number(minimum)
	groups := securitycontext.pod_value(obj, "supplementalGroups")
	some g in groups
	g < minimum
	finding := {
		"msg": sprintf("%s: the pod adds supplemental group %v, below the minimum GID %v (%s contains %v), remove it or use a GID of %v or more", [workload.display_name(obj), g, minimum, pod_field(obj, "supplementalGroups"), g, minimum]),
		"details": {"field": pod_field(obj, "supplementalGroups"), "value": g},
	}
}
