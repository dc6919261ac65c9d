package k8snohostnamespaces

import data.lib.update
import data.lib.workload

violation contains v if {
	some v in (findings(input.review.object) - findings(update.previous_object))
}

# What sharing each host namespace means, for the message.
namespaces := {
	"hostNetwork": "shares the host's network namespace",
	"hostPID": "shares the host's process ID namespace",
	"hostIPC": "shares the host's IPC namespace",
}

# Only true is refused: unset, null and false are the allowed values.
findings(obj) := {finding |
	spec := workload.pod_spec(obj)
	some field, what in namespaces
	spec[field] == true
	path := sprintf("%s.%s", [workload.pod_spec_path(obj), field])
	finding := {
		"msg": sprintf("%s: %s (%s=true), remove %s or set it to false", [workload.display_name(obj), what, path, field]),
		"details": {"field": path, "value": true},
	}
}
