package k8singresstls

import data.lib.update
import data.lib.workload

violation contains v if {
	some v in (findings(input.review.object) - findings(update.previous_object))
}

findings(obj) := (no_tls(obj) | uncovered_hosts(obj)) | http_not_disabled(obj)

tls_entries(obj) := [t | some t in object.get(obj, ["spec", "tls"], []); is_object(t)]

no_tls(obj) := {finding |
	obj.kind == "Ingress"
	count(tls_entries(obj)) == 0
	finding := {
		"msg": sprintf("%s: has no spec.tls, so it serves plain HTTP, add a spec.tls entry with a secretName covering its hosts", [workload.display_name(obj)]),
		"details": {"field": "spec.tls"},
	}
}

uncovered_hosts(obj) := {finding |
	count(tls_entries(obj)) > 0
	some rule in object.get(obj, ["spec", "rules"], [])
	host := object.get(rule, "host", "")
	is_string(host)
	host != ""
	not host_is_covered(obj, host)
	finding := {
		"msg": sprintf("%s: host %q is not covered by spec.tls (spec.rules[host=%s]), add it to the hosts of a spec.tls entry", [workload.display_name(obj), host, host]),
		"details": {"field": "spec.tls", "value": host},
	}
}

host_is_covered(obj, host) if {
	some t in tls_entries(obj)
	some tls_host in object.get(t, "hosts", [])
	host_matches(tls_host, host)
}

host_matches(tls_host, host) if tls_host == host

# A wildcard covers exactly one label: *.example.com covers a.example.com only.
host_matches(tls_host, host) if {
	startswith(tls_host, "*.")
	suffix := substring(tls_host, 1, -1)
	endswith(host, suffix)
	label := trim_suffix(host, suffix)
	label != ""
	not contains(label, ".")
}

# http_disabled_annotations are the annotations of which an Ingress must carry one
# (with its value) when the parameter is not empty.
http_disabled_annotations := [a |
	some a in object.get(input, ["parameters", "httpDisabledAnnotations"], [])
	is_object(a)
	is_string(a.key)
	is_string(a.value)
]

http_not_disabled(obj) := {finding |
	obj.kind == "Ingress"
	count(http_disabled_annotations) > 0
	not http_is_disabled(obj)
	wanted := concat(", ", [sprintf("%s=\"%s\"", [a.key, a.value]) | some a in http_disabled_annotations])
	finding := {
		"msg": sprintf("%s: does not disable plain HTTP (metadata.annotations has none of %s), add one of them so that the controller redirects or refuses HTTP", [workload.display_name(obj), wanted]),
		"details": {"field": "metadata.annotations", "httpDisabledAnnotations": http_disabled_annotations},
	}
}

http_is_disabled(obj) if {
	some a in http_disabled_annotations
	obj.metadata.annotations[a.key] == a.value
}
