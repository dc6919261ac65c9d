package k8sselinuxoptions

import data.lib.exempt
import data.lib.securitycontext
import data.lib.update
import data.lib.workload

violation contains v if {
	some v in (findings(input.review.object) - findings(update.previous_object))
}

allowed := {
	"type": object.get(input, ["parameters", "allowedTypes"], ["container_t", "container_init_t", "container_kvm_t", "container_engine_t"]),
	"user": object.get(input, ["parameters", "allowedUsers"], []),
	"role": object.get(input, ["parameters", "allowedRoles"], []),
}

fix(key) := "remove it" if {
	count(allowed[key]) == 0
} else := sprintf("remove it or use one of %s", [concat(", ", allowed[key])])

# string_field(o, key) is o[key], "" when absent or null.
string_field(o, key) := v if {
	v := o[key]
	v != null
} else := ""

# setters(obj) are the seLinuxOptions that are set: the pod's and each checked container's.
setters(obj) := {{"who": "the pod", "container": null, "path": sprintf("%s.securityContext.seLinuxOptions", [workload.pod_spec_path(obj)]), "opts": opts} |
	opts := securitycontext.pod_value(obj, "seLinuxOptions")
} | {{"who": sprintf("container \"%s\"", [entry.name]), "container": entry.name, "path": sprintf("%s.securityContext.seLinuxOptions", [entry.path]), "opts": opts} |
	some entry in workload.containers(obj)
	not exempt.container_is_exempt(entry)
	opts := securitycontext.container_own_value(entry, "seLinuxOptions")
}

# An empty value is unset; any other must be listed (level is free).
findings(obj) := {finding |
	some setter in setters(obj)
	some key in ["type", "user", "role"]
	value := string_field(setter.opts, key)
	value != ""
	not value in allowed[key]
	field := sprintf("%s.%s", [setter.path, key])
	finding := {
		"msg": sprintf("%s: %s sets a forbidden SELinux %s (%s=%v), %s", [workload.display_name(obj), setter.who, key, field, value, fix(key)]),
		"details": {"container": setter.container, "field": field, "value": value},
	}
}
