package k8snodefaultserviceaccount

import data.lib.update
import data.lib.workload

violation contains v if {
	some v in (findings(input.review.object) - findings(update.previous_object))
}

findings(obj) := {finding |
	spec := workload.pod_spec(obj)
	path := workload.pod_spec_path(obj)
	problem := runs_as_default(spec, path)
	finding := {
		"msg": sprintf("%s: runs as the namespace's \"default\" ServiceAccount (%s), create a ServiceAccount for this workload and set %s.serviceAccountName to it", [workload.display_name(obj), problem.shown, path]),
		"details": {"field": problem.field, "value": "default"},
	}
}

# serviceAccount is the deprecated spelling the API server copies into an unset
# serviceAccountName; raw manifests checked offline may still use it.
runs_as_default(spec, path) := {"field": field, "shown": sprintf("%s=default", [field])} if {
	spec.serviceAccountName == "default"
	field := sprintf("%s.serviceAccountName", [path])
}

runs_as_default(spec, path) := {"field": field, "shown": sprintf("%s=default", [field])} if {
	not named(spec, "serviceAccountName")
	spec.serviceAccount == "default"
	field := sprintf("%s.serviceAccount", [path])
}

runs_as_default(spec, path) := {"field": field, "shown": sprintf("%s unset", [field])} if {
	not named(spec, "serviceAccountName")
	not named(spec, "serviceAccount")
	field := sprintf("%s.serviceAccountName", [path])
}

named(spec, field) if {
	is_string(spec[field])
	spec[field] != ""
}
