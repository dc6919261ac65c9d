package k8sapparmorprofile

import data.lib.exempt
import data.lib.securitycontext
import data.lib.update
import data.lib.workload

violation contains v if {
	some v in (findings(input.review.object) - findings(update.previous_object))
}

findings(obj) := ((pod_findings(obj) | container_findings(obj)) | missing_findings(obj)) | annotation_findings(obj)

allowed_types := object.get(input, ["parameters", "allowedProfiles"], ["RuntimeDefault", "Localhost"])

allowed_localhost := object.get(input, ["parameters", "allowedLocalhostProfiles"], [])

require_profile := object.get(input, ["parameters", "requireProfile"], false)

annotation_prefix := "container.apparmor.security.beta.kubernetes.io/"

# string_field(o, key) is o[key], "" when absent or null.
string_field(o, key) := v if {
	v := o[key]
	v != null
} else := ""

localhost_allowed(_) if count(allowed_localhost) == 0

localhost_allowed(name) if {
	some pattern in allowed_localhost
	exempt.pattern_matches(pattern, name)
}

types_fix := "remove it" if {
	count(allowed_types) == 0
} else := sprintf("set it to %s", [concat(" or ", allowed_types)])

# profile_problems(profile, path) are the findings' parts for one appArmorProfile
# value at path: a forbidden type, or a Localhost profile that is not listed.
profile_problems(profile, path) := {problem |
	t := string_field(profile, "type")
	not t in allowed_types
	problem := {
		"what": "sets a forbidden AppArmor profile type",
		"field": sprintf("%s.type", [path]),
		"value": t,
		"fix": types_fix,
	}
} | {problem |
	t := string_field(profile, "type")
	t == "Localhost"
	t in allowed_types
	name := string_field(profile, "localhostProfile")
	not localhost_allowed(name)
	problem := {
		"what": "sets a Localhost AppArmor profile that is not allowed",
		"field": sprintf("%s.localhostProfile", [path]),
		"value": name,
		"fix": sprintf("use one of %s", [concat(", ", allowed_localhost)]),
	}
}

pod_findings(obj) := {finding |
	profile := securitycontext.pod_value(obj, "appArmorProfile")
	some problem in profile_problems(profile, sprintf("%s.securityContext.appArmorProfile", [workload.pod_spec_path(obj)]))
	finding := {
		"msg": sprintf("%s: the pod %s (%s=%v), %s", [workload.display_name(obj), problem.what, problem.field, problem.value, problem.fix]),
		"details": {"field": problem.field, "value": problem.value},
	}
}

container_findings(obj) := {finding |
	some entry in workload.containers(obj)
	not exempt.container_is_exempt(entry)
	profile := securitycontext.container_own_value(entry, "appArmorProfile")
	some problem in profile_problems(profile, sprintf("%s.securityContext.appArmorProfile", [entry.path]))
	finding := {
		"msg": sprintf("%s: container \"%s\" %s (%s=%v), %s", [workload.display_name(obj), entry.name, problem.what, problem.field, problem.value, problem.fix]),
		"details": {"container": entry.name, "field": problem.field, "value": problem.value},
	}
}

annotations(obj) := object.get(workload.pod_metadata(obj), "annotations", {})

metadata_path(obj) := "metadata" if {
	workload.pod_spec_path(obj) == "spec"
} else := concat("", [trim_suffix(workload.pod_spec_path(obj), ".spec"), ".metadata"])

# The values Pod Security Admission allows: empty (no profile), runtime/default and
# localhost/<profile>, each only when its type is allowed here.
annotation_allowed("")

annotation_allowed("runtime/default") if "RuntimeDefault" in allowed_types

annotation_allowed(value) if {
	startswith(value, "localhost/")
	"Localhost" in allowed_types
	localhost_allowed(substring(value, count("localhost/"), -1))
}

# An annotation names a container by its key; PSA checks every such annotation,
# so one naming no container is a pod-level finding.
annotation_findings(obj) := {finding |
	some key, value in annotations(obj)
	startswith(key, annotation_prefix)
	not annotation_allowed(value)
	name := substring(key, count(annotation_prefix), -1)
	some entry in workload.containers(obj)
	entry.name == name
	not exempt.container_is_exempt(entry)
	field := sprintf("%s.annotations[%s]", [metadata_path(obj), key])
	finding := {
		"msg": sprintf("%s: container \"%s\" has a forbidden AppArmor annotation (%s=%v), remove it and set an allowed %s.securityContext.appArmorProfile instead", [workload.display_name(obj), name, field, value, entry.path]),
		"details": {"container": name, "field": field, "value": value},
	}
} | {finding |
	some key, value in annotations(obj)
	startswith(key, annotation_prefix)
	not annotation_allowed(value)
	name := substring(key, count(annotation_prefix), -1)
	not container_named(obj, name)
	field := sprintf("%s.annotations[%s]", [metadata_path(obj), key])
	finding := {
		"msg": sprintf("%s: the pod has a forbidden AppArmor annotation (%s=%v), remove it (%s has no container \"%s\")", [workload.display_name(obj), field, value, workload.pod_spec_path(obj), name]),
		"details": {"field": field, "value": value},
	}
}

container_named(obj, name) if {
	some entry in workload.containers(obj)
	entry.name == name
}

# The kubelet reads a container's own field, else its annotation (when it names a
# profile), else the pod's field.
annotation_names_profile(value) if value in {"runtime/default", "unconfined"}

annotation_names_profile(value) if startswith(value, "localhost/")

has_profile(_, entry) if securitycontext.container_own_value(entry, "appArmorProfile")

has_profile(obj, entry) if annotation_names_profile(annotations(obj)[concat("", [annotation_prefix, entry.name])])

has_profile(obj, _) if securitycontext.pod_value(obj, "appArmorProfile")

missing_findings(obj) := {finding |
	require_profile == true
	not securitycontext.is_windows(obj)
	some entry in workload.containers(obj)
	not exempt.container_is_exempt(entry)
	not has_profile(obj, entry)
	finding := {
		"msg": sprintf("%s: container \"%s\" has no AppArmor profile (neither %s.securityContext.appArmorProfile nor %s.securityContext.appArmorProfile is set), set appArmorProfile.type to RuntimeDefault or Localhost on the pod or the container", [workload.display_name(obj), entry.name, entry.path, workload.pod_spec_path(obj)]),
		"details": {"container": entry.name, "field": sprintf("%s.securityContext.appArmorProfile", [entry.path])},
	}
}
