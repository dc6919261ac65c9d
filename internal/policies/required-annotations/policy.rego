package k8srequiredannotations

import data.lib.update
import data.lib.workload

violation contains v if {
	some v in (findings(input.review.object) - findings(update.previous_object))
}

findings(obj) := missing_annotations(obj) | disallowed_values(obj)

required_annotations := object.get(input, ["parameters", "annotations"], [])

missing_annotations(obj) := {finding |
	not created_by_controller(obj)
	some required in required_annotations
	state := annotation_state(obj, required.key)
	is_missing(state, required)
	finding := {
		"msg": sprintf("%s: has no annotation \"%s\" (metadata.annotations[%s]%s), add it with a value", [workload.display_name(obj), required.key, required.key, state.shown]),
		"details": {"field": sprintf("metadata.annotations[%s]", [required.key]), "annotation": required.key},
	}
}

# The value is not printed: an annotation may hold anything, at any length.
disallowed_values(obj) := {finding |
	not created_by_controller(obj)
	some required in required_annotations
	pattern := allowed_regex(required)
	state := annotation_state(obj, required.key)
	state.present
	not regex.match(sprintf("^(?:%s)$", [pattern]), state.value)
	finding := {
		"msg": sprintf("%s: annotation \"%s\" has a value that does not match its allowedRegex (metadata.annotations[%s]), set a value that does", [workload.display_name(obj), required.key, required.key]),
		"details": {"field": sprintf("metadata.annotations[%s]", [required.key]), "annotation": required.key},
	}
}

# An object a controller created takes its metadata from that controller's
# template (a Deployment's ReplicaSets and Pods, a CronJob's Jobs): its owner is
# the object to check and to fix.
created_by_controller(obj) if {
	some ref in object.get(obj, ["metadata", "ownerReferences"], [])
	ref.controller == true
}

# annotation_state(obj, key) says whether the annotation is set and its value; a
# value that is not a string (the API server refuses one) counts as empty.
annotation_state(obj, key) := {"present": true, "value": value, "shown": shown} if {
	raw := obj.metadata.annotations[key]
	raw != null
	value := string_or_empty(raw)
	shown := empty_shown(value)
} else := {"present": false, "value": "", "shown": " unset"}

string_or_empty(v) := v if {
	is_string(v)
} else := ""

empty_shown("") := "=\"\""

empty_shown(value) := "" if value != ""

allowed_regex(required) := required.allowedRegex if {
	is_string(required.allowedRegex)
	required.allowedRegex != ""
}

is_missing(state, _) if not state.present

is_missing(state, required) if {
	state.value == ""
	not allowed_regex(required)
}
