package k8sistiostrictmtls

import data.lib.update
import data.lib.workload

violation contains v if {
	some v in (findings(input.review.object) - findings(update.previous_object))
}

root_namespace := object.get(input, ["parameters", "rootNamespace"], "istio-system")

findings(obj) := ((mode_findings(obj) | port_mode_findings(obj)) | mesh_wide_findings(obj)) | tls_disabled_findings(obj)

# What a weak PeerAuthentication mode does.
weak_modes := {
	"PERMISSIVE": "accepts plaintext as well as mutual TLS",
	"DISABLE": "turns mutual TLS off",
}

object_field(x, key) := x[key] if {
	is_object(x[key])
} else := {}

string_field(x, key) := x[key] if {
	is_string(x[key])
} else := ""

list_field(x, key) := x[key] if {
	is_array(x[key])
} else := []

first_index(list, x) := min({i | some i, y in list; y == x})

peer_spec(obj) := object_field(obj, "spec") if obj.kind == "PeerAuthentication"

peer_mode(obj) := string_field(object_field(peer_spec(obj), "mtls"), "mode")

mode_findings(obj) := {finding |
	mode := peer_mode(obj)
	what := weak_modes[mode]
	finding := {
		"msg": sprintf("%s: %s (spec.mtls.mode=%s), set it to STRICT", [workload.display_name(obj), what, mode]),
		"details": {"field": "spec.mtls.mode", "value": mode},
	}
}

port_mode_findings(obj) := {finding |
	some port, setting in object_field(peer_spec(obj), "portLevelMtls")
	mode := string_field(setting, "mode")
	what := weak_modes[mode]
	field := sprintf("spec.portLevelMtls[%s].mode", [port])
	finding := {
		"msg": sprintf("%s: port %s %s (%s=%s), set it to STRICT", [workload.display_name(obj), port, what, field, mode]),
		"details": {"field": field, "value": mode},
	}
}

# The mesh-wide policy (the root namespace, no workload selector) has no parent:
# an unset mode there is PERMISSIVE.
mesh_wide_findings(obj) := {finding |
	spec := peer_spec(obj)
	string_field(object_field(obj, "metadata"), "namespace") == root_namespace
	count(object_field(object_field(spec, "selector"), "matchLabels")) == 0
	mode := peer_mode(obj)
	not mode in {"STRICT", "PERMISSIVE", "DISABLE"}
	finding := {
		"msg": sprintf("%s: the mesh-wide policy leaves mutual TLS unset, which Istio treats as PERMISSIVE (%s), set it to STRICT", [workload.display_name(obj), unset_text(mode)]),
		"details": {"field": "spec.mtls.mode", "value": mode},
	}
}

unset_text("") := "spec.mtls.mode is unset"

unset_text(mode) := sprintf("spec.mtls.mode=%s", [mode]) if mode != ""

# traffic_policies(obj) is the set of the trafficPolicy of a DestinationRule and
# of each of its subsets, as [<path>, <policy>] (a set: two subsets of one name
# are not a conflict).
traffic_policies(obj) := {["spec.trafficPolicy", object_field(object_field(obj, "spec"), "trafficPolicy")] | obj.kind == "DestinationRule"} | {[path, policy] |
	obj.kind == "DestinationRule"
	some subset in list_field(object_field(obj, "spec"), "subsets")
	is_object(subset)
	path := sprintf("spec.subsets[%s].trafficPolicy", [string_field(subset, "name")])
	policy := object_field(subset, "trafficPolicy")
}

# disabled_tls(obj) is the set of the tls.mode paths that are DISABLE.
disabled_tls(obj) := {field |
	some [path, policy] in traffic_policies(obj)
	string_field(object_field(policy, "tls"), "mode") == "DISABLE"
	field := sprintf("%s.tls.mode", [path])
} | {field |
	some [path, policy] in traffic_policies(obj)
	settings := list_field(policy, "portLevelSettings")
	some setting in settings
	is_object(setting)
	string_field(object_field(setting, "tls"), "mode") == "DISABLE"
	field := sprintf("%s.portLevelSettings[%v].tls.mode", [path, first_index(settings, setting)])
}

tls_disabled_findings(obj) := {finding |
	some field in disabled_tls(obj)
	finding := {
		"msg": sprintf("%s: sends plaintext, even to workloads with a sidecar (%s=DISABLE), remove the tls setting so that Istio uses mutual TLS, or set ISTIO_MUTUAL", [workload.display_name(obj), field]),
		"details": {"field": field, "value": "DISABLE"},
	}
}
