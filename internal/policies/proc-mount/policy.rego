package k8sprocmount

import data.lib.exempt
import data.lib.securitycontext
import data.lib.update
import data.lib.workload

violation contains v if {
	some v in (findings(input.review.object) - findings(update.previous_object))
}

findings(obj) := {finding |
	checked(obj)
	some entry in workload.containers(obj)
	not exempt.container_is_exempt(entry)
	value := securitycontext.container_own_value(entry, "procMount")
	value != "Default"
	finding := {
		"msg": sprintf("%s: container \"%s\" sets procMount to \"%v\", which unmasks /proc (%s.securityContext.procMount=%v), remove it or set it to Default", [workload.display_name(obj), entry.name, value, entry.path, value]),
		"details": {"container": entry.name, "field": sprintf("%s.securityContext.procMount", [entry.path]), "value": value},
	}
}

# Every pod is checked unless allowUnmaskedWithUserNamespaces is set and the pod
# runs in a user namespace (hostUsers: false), as PSA baseline 1.35+.
checked(_) if object.get(input, ["parameters", "allowUnmaskedWithUserNamespaces"], false) != true

checked(obj) if not user_namespace(obj)

user_namespace(obj) if workload.pod_spec(obj).hostUsers == false
