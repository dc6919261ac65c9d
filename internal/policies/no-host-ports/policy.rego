package k8snohostports

import data.lib.exempt
import data.lib.update
import data.lib.workload

violation contains v if {
	some v in (findings(input.review.object) - findings(update.previous_object))
}

allowed_ranges := object.get(input, ["parameters", "allowedHostPorts"], [])

# A hostPort that is unset, null or 0 binds nothing on the node, unless the pod
# uses the host's network (see defaulted_findings).
findings(obj) := set_findings(obj) | defaulted_findings(obj)

set_findings(obj) := {finding |
	some entry in workload.containers(obj)
	not exempt.container_is_exempt(entry)
	some port in object.get(entry.container, "ports", [])
	is_object(port)
	host_port := object.get(port, "hostPort", 0)
	host_port != null
	host_port != 0
	not port_allowed(host_port)
	path := sprintf("%s.ports[%s].hostPort", [entry.path, port_id(port)])
	finding := {
		"msg": sprintf("%s: container \"%s\" binds host port %v (%s=%v), %s", [workload.display_name(obj), entry.name, host_port, path, host_port, fix]),
		"details": {"container": entry.name, "field": path, "value": host_port},
	}
}

# In a pod with hostNetwork: true the API server sets every unset hostPort of a
# container or init container to its containerPort (SetDefaults_Pod): the port
# is bound on the node all the same. Pods are admitted with the value filled
# in; a workload's pod template, and a manifest checked offline, are judged as
# their pods will be, so the workload is refused rather than its pods.
defaulted_findings(obj) := {finding |
	workload.pod_spec(obj).hostNetwork == true
	some entry in workload.containers(obj)
	entry.field != "ephemeralContainers"
	not exempt.container_is_exempt(entry)
	some port in object.get(entry.container, "ports", [])
	is_object(port)
	object.get(port, "hostPort", 0) in {0, null}
	container_port := object.get(port, "containerPort", 0)
	is_number(container_port)
	container_port != 0
	not port_allowed(container_port)
	path := sprintf("%s.ports[%s].hostPort", [entry.path, port_id(port)])
	finding := {
		"msg": sprintf("%s: container \"%s\" binds host port %v through the host's network (%s is unset, which the API server sets to containerPort %v when %s.hostNetwork=true), %s", [workload.display_name(obj), entry.name, container_port, path, container_port, workload.pod_spec_path(obj), host_network_fix]),
		"details": {"container": entry.name, "field": path, "value": container_port},
	}
}

port_allowed(host_port) if {
	some r in allowed_ranges
	r.min <= host_port
	host_port <= r.max
}

# A port is named in the field path by its name, else by its containerPort.
port_id(port) := port.name if {
	is_string(port.name)
	port.name != ""
} else := sprintf("%v", [object.get(port, "containerPort", "")])

fix := "remove hostPort and expose the pod through a Service" if {
	count(allowed_ranges) == 0
} else := "use a hostPort within allowedHostPorts or remove it"

host_network_fix := "remove hostNetwork and expose the pod through a Service" if {
	count(allowed_ranges) == 0
} else := "use a containerPort within allowedHostPorts or remove hostNetwork"
