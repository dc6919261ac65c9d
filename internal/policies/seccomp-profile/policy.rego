package k8sseccompprofile

import data.lib.exempt
import data.lib.securitycontext
import data.lib.update
import data.lib.workload

violation contains v if {
	some v in (findings(input.review.object) - findings(update.previous_object))
}

findings(obj) := ((pod_findings(obj) | container_findings(obj)) | missing_findings(obj)) | annotation_findings(obj)

require_profile := object.get(input, ["parameters", "requireProfile"], false)

check_annotations := object.get(input, ["parameters", "checkLegacyAnnotations"], false)

allowed_types := {"RuntimeDefault", "Localhost"}

# Pod Security Admission's restricted check (requireProfile) admits Windows pods
# whatever they set; its baseline check has no such exemption.
in_scope(_) if require_profile != true

in_scope(obj) if {
	require_profile == true
	not securitycontext.is_windows(obj)
}

# type_of(profile) is the profile's type; "" when unset (an invalid type too).
type_of(profile) := t if {
	t := profile.type
	t != null
} else := ""

pod_findings(obj) := {finding |
	in_scope(obj)
	profile := securitycontext.pod_value(obj, "seccompProfile")
	t := type_of(profile)
	not t in allowed_types
	field := sprintf("%s.securityContext.seccompProfile.type", [workload.pod_spec_path(obj)])
	finding := {
		"msg": sprintf("%s: the pod sets a forbidden seccomp profile type (%s=%v), set it to RuntimeDefault or Localhost", [workload.display_name(obj), field, t]),
		"details": {"field": field, "value": t},
	}
}

container_findings(obj) := {finding |
	in_scope(obj)
	some entry in workload.containers(obj)
	not exempt.container_is_exempt(entry)
	profile := securitycontext.container_own_value(entry, "seccompProfile")
	t := type_of(profile)
	not t in allowed_types
	field := sprintf("%s.securityContext.seccompProfile.type", [entry.path])
	finding := {
		"msg": sprintf("%s: container \"%s\" sets a forbidden seccomp profile type (%s=%v), set it to RuntimeDefault or Localhost", [workload.display_name(obj), entry.name, field, t]),
		"details": {"container": entry.name, "field": field, "value": t},
	}
}

# A container whose own seccompProfile is unset runs with the pod's; with neither
# set it runs Unconfined (unless the kubelet defaults to RuntimeDefault).
missing_findings(obj) := {finding |
	require_profile == true
	not securitycontext.is_windows(obj)
	not securitycontext.pod_value(obj, "seccompProfile")
	some entry in workload.containers(obj)
	not exempt.container_is_exempt(entry)
	not securitycontext.container_own_value(entry, "seccompProfile")
	finding := {
		"msg": sprintf("%s: container \"%s\" has no seccomp profile (%s.securityContext.seccompProfile and %s.securityContext.seccompProfile are unset), set seccompProfile.type to RuntimeDefault or Localhost on the pod or the container", [workload.display_name(obj), entry.name, entry.path, workload.pod_spec_path(obj)]),
		"details": {"container": entry.name, "field": sprintf("%s.securityContext.seccompProfile", [entry.path])},
	}
}

pod_annotation := "seccomp.security.alpha.kubernetes.io/pod"

container_annotation_prefix := "container.seccomp.security.alpha.kubernetes.io/"

annotations(obj) := object.get(workload.pod_metadata(obj), "annotations", {})

# metadata_path(obj) is the field path of the metadata of the pods obj creates.
metadata_path(obj) := "metadata" if {
	workload.pod_spec_path(obj) == "spec"
} else := concat("", [trim_suffix(workload.pod_spec_path(obj), ".spec"), ".metadata"])

# The values Pod Security Admission allowed before 1.19, when it still read the annotations.
valid_annotation(value) if value in {"runtime/default", "docker/default"}

valid_annotation(value) if startswith(value, "localhost/")

annotation_findings(obj) := pod_annotation_findings(obj) | container_annotation_findings(obj)

pod_annotation_findings(obj) := {finding |
	check_annotations == true
	in_scope(obj)
	value := annotations(obj)[pod_annotation]
	not valid_annotation(value)
	field := sprintf("%s.annotations[%s]", [metadata_path(obj), pod_annotation])
	finding := {
		"msg": sprintf("%s: the pod has a forbidden legacy seccomp annotation (%s=%v), remove it and set %s.securityContext.seccompProfile.type to RuntimeDefault or Localhost", [workload.display_name(obj), field, value, workload.pod_spec_path(obj)]),
		"details": {"field": field, "value": value},
	}
}

container_annotation_findings(obj) := {finding |
	check_annotations == true
	in_scope(obj)
	some entry in workload.containers(obj)
	not exempt.container_is_exempt(entry)
	key := concat("", [container_annotation_prefix, entry.name])
	value := annotations(obj)[key]
	not valid_annotation(value)
	field := sprintf("%s.annotations[%s]", [metadata_path(obj), key])
	finding := {
		"msg": sprintf("%s: container \"%s\" has a forbidden legacy seccomp annotation (%s=%v), remove it and set %s.securityContext.seccompProfile.type to RuntimeDefault or Localhost", [workload.display_name(obj), entry.name, field, value, entry.path]),
		"details": {"container": entry.name, "field": field, "value": value},
	}
}
