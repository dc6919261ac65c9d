package k8snoprobehosts

import data.lib.exempt
import data.lib.update
import data.lib.workload

violation contains v if {
	some v in (findings(input.review.object) - findings(update.previous_object))
}

# The handlers that take a host, by field path in a container, with what the
# message calls them: the kubelet's probes, and the lifecycle hooks (tcpSocket
# is deprecated there, but still accepted and checked by Pod Security Admission).
handlers := [
	{"path": ["livenessProbe", "httpGet"], "kind": "probe"},
	{"path": ["livenessProbe", "tcpSocket"], "kind": "probe"},
	{"path": ["readinessProbe", "httpGet"], "kind": "probe"},
	{"path": ["readinessProbe", "tcpSocket"], "kind": "probe"},
	{"path": ["startupProbe", "httpGet"], "kind": "probe"},
	{"path": ["startupProbe", "tcpSocket"], "kind": "probe"},
	{"path": ["lifecycle", "postStart", "httpGet"], "kind": "lifecycle hook"},
	{"path": ["lifecycle", "postStart", "tcpSocket"], "kind": "lifecycle hook"},
	{"path": ["lifecycle", "preStop", "httpGet"], "kind": "lifecycle hook"},
	{"path": ["lifecycle", "preStop", "tcpSocket"], "kind": "lifecycle hook"},
]

# Unset, null and "" are allowed; any other host is refused as written.
findings(obj) := {finding |
	some entry in workload.containers(obj)
	not exempt.container_is_exempt(entry)
	some handler in handlers
	host := object.get(entry.container, array.concat(handler.path, ["host"]), "")
	is_string(host)
	host != ""
	field := sprintf("%s.%s.host", [entry.path, concat(".", handler.path)])
	finding := {
		"msg": sprintf("%s: container \"%s\" aims a %s at another host (%s=%s), remove host so the kubelet targets the pod's own IP", [workload.display_name(obj), entry.name, handler.kind, field, shown(host)]),
		"details": {"container": entry.name, "field": field, "value": host},
	}
}

# shown(s) is s as messages may hold it: no line break, no finding separator.
shown(s) := replace(replace(replace(s, "\n", "\\n"), "\r", "\\r"), "; ", ";\\x20")
