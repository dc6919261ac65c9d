package k8srestrictservicetypes

import data.lib.update
import data.lib.workload

violation contains v if {
	some v in (findings(input.review.object) - findings(update.previous_object))
}

findings(obj) := type_not_allowed(obj) | external_ips(obj)

allowed_types := object.get(input, ["parameters", "allowedTypes"], ["ClusterIP"])

allow_external_ips := object.get(input, ["parameters", "allowExternalIPs"], false)

# The API server defaults an unset or empty type to ClusterIP.
service_type(obj) := obj.spec.type if {
	is_string(obj.spec.type)
	obj.spec.type != ""
} else := "ClusterIP"

type_not_allowed(obj) := {finding |
	obj.kind == "Service"
	svc_type := service_type(obj)
	not type_is_allowed(svc_type)
	finding := {
		"msg": sprintf("%s: has type %s, which is not allowed (spec.type=%s), use an allowed type (%s) and expose it through an Ingress or a Gateway", [workload.display_name(obj), svc_type, svc_type, concat(", ", [t | some t in allowed_types; is_string(t)])]),
		"details": {"field": "spec.type", "value": svc_type, "allowedTypes": allowed_types},
	}
}

type_is_allowed(service_type) if {
	some t in allowed_types
	t == service_type
}

# Each external IP is a finding: every one is an address whose traffic the
# Service would capture (CVE-2020-8554).
external_ips(obj) := {finding |
	obj.kind == "Service"
	allow_external_ips != true
	some ip in object.get(obj, ["spec", "externalIPs"], [])
	is_string(ip)
	finding := {
		"msg": sprintf("%s: sets external IP %s (spec.externalIPs contains %s), which captures the cluster's traffic to that address (CVE-2020-8554), remove it and use a LoadBalancer or an Ingress", [workload.display_name(obj), ip, ip]),
		"details": {"field": "spec.externalIPs", "value": ip},
	}
}
