package k8sruntimeclass

import data.lib.exempt
import data.lib.update
import data.lib.workload

violation contains v if {
	some v in (findings(input.review.object) - findings(update.previous_object))
}

allowed := object.get(input, ["parameters", "allowedRuntimeClasses"], ["gvisor", "runsc", "kata*"])

# An allowed entry matches a name exactly, or as a prefix when it ends in '*'.
class_allowed(name) if {
	some pattern in allowed
	exempt.pattern_matches(pattern, name)
}

fix := "allowedRuntimeClasses allows none" if {
	count(allowed) == 0
} else := sprintf("set it to one of %s", [concat(", ", allowed)])

runtime_class(spec) := c if {
	c := spec.runtimeClassName
	c != null
} else := ""

findings(obj) := {finding |
	spec := workload.pod_spec(obj)
	runtime_class(spec) == ""
	field := sprintf("%s.runtimeClassName", [workload.pod_spec_path(obj)])
	finding := {
		"msg": sprintf("%s: the pod runs in the node's default runtime, without a sandbox (%s is unset), %s", [workload.display_name(obj), field, fix]),
		"details": {"field": field},
	}
} | {finding |
	spec := workload.pod_spec(obj)
	class := runtime_class(spec)
	class != ""
	not class_allowed(class)
	field := sprintf("%s.runtimeClassName", [workload.pod_spec_path(obj)])
	finding := {
		"msg": sprintf("%s: the pod uses runtime class \"%s\", which is not an allowed sandbox (%s=%v), %s", [workload.display_name(obj), class, field, class, fix]),
		"details": {"field": field, "value": class},
	}
}
