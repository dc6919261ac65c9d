package k8srbacnowildcards

import data.lib.exempt
import data.lib.update
import data.lib.workload

violation contains v if {
	some v in (findings(input.review.object) - findings(update.previous_object))
}

exempt_roles := object.get(input, ["parameters", "exemptRoles"], ["system:*", "cluster-admin", "gatekeeper-manager-role"])

findings(obj) := ((verb_findings(obj) | group_findings(obj)) | resource_findings(obj)) | url_findings(obj)

role_is_checked(obj) if {
	obj.kind in {"Role", "ClusterRole"}
	not role_is_exempt(obj)
	not role_is_aggregated(obj)
}

role_is_exempt(obj) if {
	some pattern in exempt_roles
	exempt.pattern_matches(pattern, role_key(obj))
}

# exemptRoles names a ClusterRole by its name and a Role by <namespace>/<name>:
# a namespace admin who may create Roles cannot exempt one by calling it
# system:something.
role_key(obj) := string_field(obj.metadata, "name") if obj.kind == "ClusterRole"

role_key(obj) := sprintf("%s/%s", [string_field(obj.metadata, "namespace"), string_field(obj.metadata, "name")]) if obj.kind == "Role"

string_field(x, key) := x[key] if {
	is_string(x[key])
} else := ""

# The clusterrole-aggregation controller owns the rules of an aggregated
# ClusterRole: it overwrites them with the union of the ClusterRoles its
# selectors pick, and those are checked themselves. The API server refuses an
# aggregationRule without selectors, so one without them does not count.
role_is_aggregated(obj) if {
	obj.kind == "ClusterRole"
	is_object(obj.aggregationRule)
	count(list_field(obj.aggregationRule, "clusterRoleSelectors")) > 0
}

# checked_rules(obj) is the set of the rules of a checked role, each as
# {"index": <its position>, "rule": <the rule>}. Identical rules share the
# position of the first, so they are reported once (as in CEL, which finds
# positions with indexOf).
checked_rules(obj) := {entry |
	role_is_checked(obj)
	rules := list_field(obj, "rules")
	some rule in rules
	is_object(rule)
	entry := {"index": first_index(rules, rule), "rule": rule}
}

first_index(list, x) := min({i | some i, y in list; y == x})

list_field(x, key) := x[key] if {
	is_array(x[key])
} else := []

strings_in(x, key) := [s | some s in list_field(x, key); is_string(s)]

verb_findings(obj) := {finding |
	some entry in checked_rules(obj)
	"*" in strings_in(entry.rule, "verbs")
	field := sprintf("rules[%v].verbs", [entry.index])
	finding := {
		"msg": sprintf("%s: rules[%v] allows every verb, including ones added later (%s=*), list the verbs it needs", [workload.display_name(obj), entry.index, field]),
		"details": {"field": field, "value": "*"},
	}
}

group_findings(obj) := {finding |
	some entry in checked_rules(obj)
	"*" in strings_in(entry.rule, "apiGroups")
	field := sprintf("rules[%v].apiGroups", [entry.index])
	finding := {
		"msg": sprintf("%s: rules[%v] applies to every API group, including those of CRDs installed later (%s=*), list the API groups it needs", [workload.display_name(obj), entry.index, field]),
		"details": {"field": field, "value": "*"},
	}
}

# RBAC knows two resource wildcards: "*" (every resource and subresource) and
# "*/<subresource>" (that subresource of every resource). "pods/*" is not one: it
# matches only a subresource literally named "*".
resource_wildcard(rule) := "*" if {
	"*" in strings_in(rule, "resources")
} else := w if {
	wildcards := [r | some r in strings_in(rule, "resources"); startswith(r, "*/")]
	w := wildcards[0]
}

resource_scope("*") := "every resource and subresource"

resource_scope(w) := sprintf("the %s subresource of every resource", [substring(w, 2, -1)]) if w != "*"

resource_findings(obj) := {finding |
	some entry in checked_rules(obj)
	w := resource_wildcard(entry.rule)
	field := sprintf("rules[%v].resources", [entry.index])
	finding := {
		"msg": sprintf("%s: rules[%v] applies to %s (%s=%s), list the resources it needs", [workload.display_name(obj), entry.index, resource_scope(w), field, w]),
		"details": {"field": field, "value": w},
	}
}

# A nonResourceURLs entry ending in '*' is a prefix: "*" and "/*" (or "/**")
# match every path the API server serves, /debug/pprof and /logs included.
url_wildcard(rule) := w if {
	wildcards := [u | some u in strings_in(rule, "nonResourceURLs"); regex.match(`^/?\*+$`, u)]
	w := wildcards[0]
}

url_findings(obj) := {finding |
	some entry in checked_rules(obj)
	w := url_wildcard(entry.rule)
	field := sprintf("rules[%v].nonResourceURLs", [entry.index])
	finding := {
		"msg": sprintf("%s: rules[%v] allows every non-resource URL of the API server (%s=%s), list the paths it needs", [workload.display_name(obj), entry.index, field, w]),
		"details": {"field": field, "value": w},
	}
}
