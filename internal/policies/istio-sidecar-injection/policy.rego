package k8sistiosidecarinjection

import data.lib.update
import data.lib.workload

violation contains v if {
	some v in (findings(input.review.object) - findings(update.previous_object))
}

findings(obj) := (namespace_findings(obj) | inject_opt_out_findings(obj)) | ambient_opt_out_findings(obj)

object_field(x, key) := x[key] if {
	is_object(x[key])
} else := {}

string_field(x, key) := x[key] if {
	is_string(x[key])
} else := ""

# A Namespace is enrolled when Istio's injection webhook selects it
# (istio-injection=enabled, or istio.io/rev without istio-injection) or when it
# is in the ambient mesh.
namespace_is_enrolled(labels) if labels["istio-injection"] == "enabled"

namespace_is_enrolled(labels) if {
	not "istio-injection" in object.keys(labels)
	string_field(labels, "istio.io/rev") != ""
}

namespace_is_enrolled(labels) if labels["istio.io/dataplane-mode"] == "ambient"

namespace_findings(obj) := {finding |
	obj.kind == "Namespace"
	labels := object_field(object_field(obj, "metadata"), "labels")
	not namespace_is_enrolled(labels)
	finding := {
		"msg": sprintf("%s: %s, label it istio-injection=enabled, istio.io/rev=<revision> or istio.io/dataplane-mode=ambient", [workload.display_name(obj), namespace_problem(labels)]),
		"details": {"field": "metadata.labels[istio-injection]", "value": object.get(labels, "istio-injection", null)},
	}
}

namespace_problem(labels) := sprintf("is not selected for Istio sidecar injection (metadata.labels[istio-injection]=%s)", [string_field(labels, "istio-injection")]) if {
	"istio-injection" in object.keys(labels)
} else := "is not enrolled in the Istio mesh (metadata.labels[istio-injection] is unset)"

pod_metadata(obj) := m if {
	m := workload.pod_metadata(obj)
	is_object(m)
} else := {}

pod_metadata_path(obj) := "metadata" if {
	workload.pod_spec_path(obj) == "spec"
} else := concat("", [trim_suffix(workload.pod_spec_path(obj), "spec"), "metadata"])

inject_key := "sidecar.istio.io/inject"

# Istio reads the label, else the annotation; a value other than y, yes, true or
# on (any case) or "" turns injection off (older releases; recent ones fall back
# to the namespace default for values other than true and false).
inject_setting(meta) := ["labels", string_field(object_field(meta, "labels"), inject_key)] if {
	inject_key in object.keys(object_field(meta, "labels"))
} else := ["annotations", string_field(object_field(meta, "annotations"), inject_key)]

inject_opt_out_findings(obj) := {finding |
	meta := pod_metadata(obj)
	[where, value] := inject_setting(meta)
	not lower(value) in {"", "y", "yes", "true", "on"}
	field := sprintf("%s.%s[%s]", [pod_metadata_path(obj), where, inject_key])
	finding := {
		"msg": sprintf("%s: the pod opts out of Istio sidecar injection (%s=%s), remove it so that the pod joins the mesh", [workload.display_name(obj), field, value]),
		"details": {"field": field, "value": value},
	}
}

ambient_opt_out_findings(obj) := {finding |
	meta := pod_metadata(obj)
	string_field(object_field(meta, "labels"), "istio.io/dataplane-mode") == "none"
	field := sprintf("%s.labels[istio.io/dataplane-mode]", [pod_metadata_path(obj)])
	finding := {
		"msg": sprintf("%s: the pod opts out of the Istio ambient mesh (%s=none), remove it so that the pod joins the mesh", [workload.display_name(obj), field]),
		"details": {"field": field, "value": "none"},
	}
}
