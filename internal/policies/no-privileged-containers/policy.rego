package k8snoprivilegedcontainers

import data.lib.exempt
import data.lib.update
import data.lib.workload

violation contains v if {
	some v in (findings(input.review.object) - findings(update.previous_object))
}

findings(obj) := {finding |
	some entry in workload.containers(obj)
	container_is_privileged(entry.container)
	not exempt.container_is_exempt(entry)
	finding := {
		"msg": sprintf("%s: container %q is privileged (%s.securityContext.privileged=true), set it to false or remove it", [workload.display_name(obj), entry.name, entry.path]),
		"details": {"container": entry.name, "field": sprintf("%s.securityContext.privileged", [entry.path]), "value": true},
	}
}

container_is_privileged(container) if container.securityContext.privileged == true
