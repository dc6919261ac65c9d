package k8snoautomountserviceaccounttoken

import data.lib.update
import data.lib.workload

violation contains v if {
	some v in (findings(input.review.object) - findings(update.previous_object))
}

findings(obj) := (pod_findings(obj) | projected_token_findings(obj)) | service_account_findings(obj)

pod_findings(obj) := {finding |
	spec := workload.pod_spec(obj)
	sa_name := service_account_name(spec)
	problem := token_problem(obj, spec, sa_name)
	finding := {
		"msg": sprintf("%s: %s (%s.automountServiceAccountToken), set automountServiceAccountToken: false on the pod, or on ServiceAccount %q", [workload.display_name(obj), problem, workload.pod_spec_path(obj), sa_name]),
		"details": {"field": sprintf("%s.automountServiceAccountToken", [workload.pod_spec_path(obj)]), "serviceAccount": sa_name},
	}
}

# A projected volume mounts a ServiceAccount token whatever
# automountServiceAccountToken says. Without an audience the token is issued for
# the API server, as the automounted one is; a token for an audience of its own
# (a Vault role, a cloud's token exchange) is refused by the API server.
projected_token_findings(obj) := {finding |
	spec := workload.pod_spec(obj)
	some volume in object.get(spec, "volumes", [])
	is_object(volume)
	sources := object.get(volume, ["projected", "sources"], [])
	is_array(sources)
	some i, source in sources
	is_object(source)
	is_object(source.serviceAccountToken)
	not has_audience(source.serviceAccountToken)
	name := object.get(volume, "name", "")
	field := sprintf("%s.volumes[%s].projected.sources[%d].serviceAccountToken", [workload.pod_spec_path(obj), name, i])
	finding := {
		"msg": sprintf("%s: volume \"%s\" mounts a ServiceAccount token for the API server (%s.audience is unset), a token automountServiceAccountToken: false does not keep out, remove it or set audience to the service that reads the token", [workload.display_name(obj), name, field]),
		"details": {"field": field, "volume": name, "serviceAccount": service_account_name(spec)},
	}
}

has_audience(token) if {
	is_string(token.audience)
	token.audience != ""
}

# serviceAccount is the deprecated spelling the API server copies into
# serviceAccountName; raw manifests checked offline may still use it.
service_account_name(spec) := spec.serviceAccountName if {
	is_string(spec.serviceAccountName)
	spec.serviceAccountName != ""
} else := spec.serviceAccount if {
	is_string(spec.serviceAccount)
	spec.serviceAccount != ""
} else := "default"

# The pod's own field overrides its ServiceAccount's.
token_problem(_, spec, _) := "the pod sets automountServiceAccountToken: true" if {
	spec.automountServiceAccountToken == true
}

token_problem(obj, spec, sa_name) := sprintf("the pod leaves automountServiceAccountToken unset and ServiceAccount %q does not disable it", [sa_name]) if {
	not has_field(spec, "automountServiceAccountToken")
	sa := service_account(obj, sa_name)
	object.get(sa, "automountServiceAccountToken", true) != false
}

token_problem(obj, spec, sa_name) := sprintf("the pod leaves automountServiceAccountToken unset and ServiceAccount %q is not known", [sa_name]) if {
	not has_field(spec, "automountServiceAccountToken")
	not service_account(obj, sa_name)
}

has_field(o, f) if o[f] != null

namespace_of(obj) := obj.metadata.namespace if {
	is_string(obj.metadata.namespace)
	obj.metadata.namespace != ""
} else := input.review.namespace

service_account(obj, name) := data.inventory.namespace[namespace_of(obj)].v1.ServiceAccount[name]

# A ServiceAccount must disable automounting itself, so that a pod that forgets
# to is safe. The ServiceAccounts of exemptServiceAccounts ("default", which the
# controller manager creates in every namespace without the field and would
# recreate forever if refused) may leave it unset, but never set it to true;
# the pods that run as them are still checked by pod_findings.
service_account_findings(obj) := {finding |
	obj.kind == "ServiceAccount"
	name := object.get(obj, ["metadata", "name"], "")
	problem := service_account_problem(obj, name)
	finding := {
		"msg": sprintf("%s: %s, so every pod that runs as it gets an API token unless its pod spec opts out (automountServiceAccountToken%s), set automountServiceAccountToken: false on the ServiceAccount and let the pods that need the API opt in", [workload.display_name(obj), problem.what, problem.value]),
		"details": {"field": "automountServiceAccountToken", "serviceAccount": name},
	}
}

service_account_problem(obj, _) := {"what": "sets automountServiceAccountToken: true", "value": "=true"} if {
	obj.automountServiceAccountToken == true
}

service_account_problem(obj, name) := {"what": "does not set automountServiceAccountToken: false", "value": field_value(obj)} if {
	not object.get(obj, "automountServiceAccountToken", null) in {true, false}
	not name in exempt_service_accounts
}

field_value(obj) := sprintf("=%v", [obj.automountServiceAccountToken]) if {
	has_field(obj, "automountServiceAccountToken")
} else := " unset"

exempt_service_accounts := object.get(input, ["parameters", "exemptServiceAccounts"], ["default"])
