package k8srequiredlabels

import data.lib.update
import data.lib.workload

violation contains v if {
	some v in (findings(input.review.object) - findings(update.previous_object))
}

findings(obj) := missing_labels(obj) | disallowed_values(obj)

required_labels := object.get(input, ["parameters", "labels"], [])

missing_labels(obj) := {finding |
	not created_by_controller(obj)
	some required in required_labels
	state := label_state(obj, required.key)
	is_missing(state, required)
	finding := {
		"msg": sprintf("%s: has no label \"%s\" (metadata.labels[%s]%s), add it with a value", [workload.display_name(obj), required.key, required.key, state.shown]),
		"details": {"field": sprintf("metadata.labels[%s]", [required.key]), "label": required.key},
	}
}

disallowed_values(obj) := {finding |
	not created_by_controller(obj)
	some required in required_labels
	pattern := allowed_regex(required)
	state := label_state(obj, required.key)
	state.present
	not regex.match(sprintf("^(?:%s)$", [pattern]), state.value)
	finding := {
		"msg": sprintf("%s: label \"%s\" has value \"%s\", which does not match its allowedRegex (metadata.labels[%s]=%s), set a value that does", [workload.display_name(obj), required.key, state.value, required.key, state.value]),
		"details": {"field": sprintf("metadata.labels[%s]", [required.key]), "label": required.key, "value": state.value},
	}
}

# An object a controller created takes its labels from that controller's
# template (a Deployment's ReplicaSets and Pods, a CronJob's Jobs): its owner is
# the object to check and to fix.
created_by_controller(obj) if {
	some ref in object.get(obj, ["metadata", "ownerReferences"], [])
	ref.controller == true
}

# label_state(obj, key) says whether the label is set and its value; a value
# that is not a string (the API server refuses one) counts as empty.
label_state(obj, key) := {"present": true, "value": value, "shown": sprintf("=\"%s\"", [value])} if {
	raw := obj.metadata.labels[key]
	raw != null
	value := string_or_empty(raw)
} else := {"present": false, "value": "", "shown": " unset"}

string_or_empty(v) := v if {
	is_string(v)
} else := ""

allowed_regex(required) := required.allowedRegex if {
	is_string(required.allowedRegex)
	required.allowedRegex != ""
}

is_missing(state, _) if not state.present

is_missing(state, required) if {
	state.value == ""
	not allowed_regex(required)
}
