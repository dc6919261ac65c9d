package k8svolumetypes

import data.lib.update
import data.lib.workload

violation contains v if {
	some v in (findings(input.review.object) - findings(update.previous_object))
}

# The types Pod Security Admission's restrictedVolumes check allows.
restricted_types := ["configMap", "csi", "downwardAPI", "emptyDir", "ephemeral", "image", "persistentVolumeClaim", "projected", "secret"]

allowed_types := object.get(input, ["parameters", "allowedTypes"], restricted_types)

findings(obj) := {finding |
	some volume in object.get(workload.pod_spec(obj), "volumes", [])
	is_object(volume)
	not volume_allowed(volume)
	name := object.get(volume, "name", "")
	some problem in problems(volume)
	field := sprintf("%s.volumes[%s]%s", [workload.pod_spec_path(obj), name, problem.field])
	finding := {
		"msg": sprintf("%s: volume \"%s\" %s (%s), %s", [workload.display_name(obj), name, problem.what, field, fix]),
		"details": {"volume": name, "field": field, "value": problem.type},
	}
}

# sources(volume) are the volume source fields it sets (null counts as unset).
sources(volume) := {k | some k, v in volume; k != "name"; v != null}

volume_allowed(_) if "*" in allowed_types

volume_allowed(volume) if {
	some k in sources(volume)
	k in allowed_types
}

problems(volume) := {{"what": "sets no volume source", "field": "", "type": ""}} if {
	count(sources(volume)) == 0
} else := {{"what": sprintf("uses volume type %s, which is not allowed", [k]), "field": sprintf(".%s", [k]), "type": k} |
	some k in sources(volume)
}

fix := "no volume type is allowed (allowedTypes is empty)" if {
	count(allowed_types) == 0
} else := sprintf("use one of the allowed types instead: %s", [concat(", ", allowed_types)])
