package k8snohostprocess

import data.lib.update
import data.lib.workload

violation contains v if {
	some v in (findings(input.review.object) - findings(update.previous_object))
}

findings(obj) := pod_findings(obj) | container_findings(obj)

# Only true is refused: unset, null and false are the allowed values.
pod_findings(obj) := {finding |
	workload.pod_spec(obj).securityContext.windowsOptions.hostProcess == true
	field := sprintf("%s.securityContext.windowsOptions.hostProcess", [workload.pod_spec_path(obj)])
	finding := {
		"msg": sprintf("%s: runs as a Windows HostProcess pod (%s=true), remove it or set it to false", [workload.display_name(obj), field]),
		"details": {"field": field, "value": true},
	}
}

# Every container kind, none exempt by image: Pod Security Admission visits them all.
container_findings(obj) := {finding |
	some entry in workload.containers(obj)
	entry.container.securityContext.windowsOptions.hostProcess == true
	field := sprintf("%s.securityContext.windowsOptions.hostProcess", [entry.path])
	finding := {
		"msg": sprintf("%s: container \"%s\" runs as a Windows HostProcess container (%s=true), remove it or set it to false", [workload.display_name(obj), entry.name, field]),
		"details": {"container": entry.name, "field": field, "value": true},
	}
}
