package k8sdisallowdefaultnamespace

import data.lib.update
import data.lib.workload

violation contains v if {
	some v in (findings(input.review.object) - findings(update.previous_object))
}

exempt_objects := object.get(input, ["parameters", "exemptObjects"], ["ConfigMap/kube-root-ca.crt", "Service/kubernetes", "ServiceAccount/default"])

findings(obj) := {finding |
	is_string(obj.kind)
	namespace_of(obj) == "default"
	not sprintf("%s/%s", [obj.kind, name_of(obj)]) in exempt_objects
	finding := {
		"msg": sprintf("%s: is in the default namespace (metadata.namespace=default), create it in a namespace of its own", [workload.display_name(obj)]),
		"details": {"field": "metadata.namespace", "value": "default"},
	}
}

# A manifest may leave metadata.namespace unset: at admission the request's
# namespace is where it goes (the API server fills it in); offline there is none.
namespace_of(obj) := obj.metadata.namespace if {
	is_string(obj.metadata.namespace)
	obj.metadata.namespace != ""
} else := ns if {
	ns := input.review.namespace
	is_string(ns)
} else := ""

name_of(obj) := obj.metadata.name if {
	is_string(obj.metadata.name)
} else := ""
