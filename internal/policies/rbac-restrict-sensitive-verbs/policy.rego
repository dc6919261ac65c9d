package k8srbacrestrictsensitiveverbs

import data.lib.exempt
import data.lib.update
import data.lib.workload

violation contains v if {
	some v in (findings(input.review.object) - findings(update.previous_object))
}

allowed_roles := object.get(input, ["parameters", "allowedRoles"], ["system:*", "cluster-admin", "gatekeeper-manager-role", "gatekeeper-system/gatekeeper-manager-role", "kube-system/system:*"])

# The permissions no role may grant, in the order of the CEL rules. A rule grants
# one when a verb of it matches and it covers one of the resources in one of the
# groups:
#   verbs        the verbs that grant it ("*" always counts, see verb_matches)
#   any_verb     every verb grants it (nodes/proxy)
#   any_resource the verb is refused whatever the resources: escalate, bind and
#                impersonate have no other use
#   named_ok     a rule with resourceNames does not grant it (reading named Secrets)
#   resources    resources, "<resource>/<subresource>", or a prefix ending in '/'
permissions := [
	{"verbs": ["escalate"], "any_verb": false, "any_resource": true, "named_ok": false, "groups": ["rbac.authorization.k8s.io"], "resources": ["roles", "clusterroles"], "what": "grants escalate, which lets it write roles with permissions it does not hold"},
	{"verbs": ["bind"], "any_verb": false, "any_resource": true, "named_ok": false, "groups": ["rbac.authorization.k8s.io"], "resources": ["roles", "clusterroles"], "what": "grants bind, which lets it bind roles with permissions it does not hold"},
	{"verbs": ["impersonate"], "any_verb": false, "any_resource": true, "named_ok": false, "groups": ["", "authentication.k8s.io"], "resources": ["users", "groups", "serviceaccounts", "uids", "userextras/"], "what": "grants impersonate, which lets it act as other users, groups or service accounts"},
	{"verbs": ["get", "list", "watch"], "any_verb": false, "any_resource": false, "named_ok": true, "groups": [""], "resources": ["secrets"], "what": "can read every Secret in its scope"},
	{"verbs": ["create", "get"], "any_verb": false, "any_resource": false, "named_ok": false, "groups": [""], "resources": ["pods/exec"], "what": "can exec into pods (pods/exec)"},
	{"verbs": ["create", "get"], "any_verb": false, "any_resource": false, "named_ok": false, "groups": [""], "resources": ["pods/attach"], "what": "can attach to pods (pods/attach)"},
	{"verbs": ["create", "get"], "any_verb": false, "any_resource": false, "named_ok": false, "groups": [""], "resources": ["pods/portforward"], "what": "can port-forward to pods past any NetworkPolicy (pods/portforward)"},
	{"verbs": ["update", "patch"], "any_verb": false, "any_resource": false, "named_ok": false, "groups": [""], "resources": ["pods/ephemeralcontainers"], "what": "can add ephemeral containers, running any image inside a pod (pods/ephemeralcontainers)"},
	{"verbs": [], "any_verb": true, "any_resource": false, "named_ok": false, "groups": [""], "resources": ["nodes/proxy"], "what": "can reach the kubelet API, which runs commands in every pod of a node (nodes/proxy)"},
]

findings(obj) := {finding |
	some entry in checked_rules(obj)
	some permission in permissions
	verbs := matched_verbs(entry.rule, permission)
	count(verbs) > 0
	field := sprintf("rules[%v].verbs", [entry.index])
	value := concat(",", verbs)
	finding := {
		"msg": sprintf("%s: rules[%v] %s (%s=%s), remove the permission or list the role in allowedRoles", [workload.display_name(obj), entry.index, permission.what, field, value]),
		"details": {"field": field, "value": value},
	}
}

role_is_checked(obj) if {
	obj.kind in {"Role", "ClusterRole"}
	not role_is_allowed(obj)
	not role_is_aggregated(obj)
}

role_is_allowed(obj) if {
	some pattern in allowed_roles
	exempt.pattern_matches(pattern, role_key(obj))
}

# allowedRoles names a ClusterRole by its name and a Role by <namespace>/<name>.
role_key(obj) := string_field(obj.metadata, "name") if obj.kind == "ClusterRole"

role_key(obj) := sprintf("%s/%s", [string_field(obj.metadata, "namespace"), string_field(obj.metadata, "name")]) if obj.kind == "Role"

# The clusterrole-aggregation controller owns the rules of a ClusterRole whose
# aggregationRule has selectors (the API server refuses one without).
role_is_aggregated(obj) if {
	obj.kind == "ClusterRole"
	is_object(obj.aggregationRule)
	count(list_field(obj.aggregationRule, "clusterRoleSelectors")) > 0
}

string_field(x, key) := x[key] if {
	is_string(x[key])
} else := ""

list_field(x, key) := x[key] if {
	is_array(x[key])
} else := []

strings_in(x, key) := [s | some s in list_field(x, key); is_string(s)]

first_index(list, x) := min({i | some i, y in list; y == x})

# checked_rules(obj): the rules of a checked role as {"index", "rule"};
# identical rules share the position of the first (CEL's indexOf).
checked_rules(obj) := {entry |
	role_is_checked(obj)
	rules := list_field(obj, "rules")
	some rule in rules
	is_object(rule)
	entry := {"index": first_index(rules, rule), "rule": rule}
}

# matched_verbs(rule, permission) lists, in the rule's order, its verbs that
# grant the permission.
matched_verbs(rule, permission) := [v | some v in strings_in(rule, "verbs"); verb_matches(v, rule, permission)]

verb_matches("*", rule, permission) if covers(rule, permission)

verb_matches(v, _, permission) if {
	v != "*"
	v in permission.verbs
	permission.any_resource
}

verb_matches(v, rule, permission) if {
	v != "*"
	v in permission.verbs
	covers(rule, permission)
}

verb_matches(v, rule, permission) if {
	v != "*"
	permission.any_verb
	covers(rule, permission)
}

covers(rule, permission) if {
	group_covered(rule, permission)
	resource_covered(rule, permission)
	not only_named(rule, permission)
}

group_covered(rule, _) if "*" in strings_in(rule, "apiGroups")

group_covered(rule, permission) if {
	some group in strings_in(rule, "apiGroups")
	group in permission.groups
}

resource_covered(rule, permission) if {
	some resource in strings_in(rule, "resources")
	some wanted in permission.resources
	resource_matches(resource, wanted)
}

# RBAC's resource matching: "*" is every resource, "*/<sub>" that subresource of
# every resource; an entry of the table ending in '/' is a prefix
# (userextras/<key>).
resource_matches("*", _)

resource_matches(resource, resource)

resource_matches(resource, wanted) if {
	startswith(resource, "*/")
	contains(wanted, "/")
	substring(resource, 2, -1) == split(wanted, "/")[1]
}

resource_matches(resource, wanted) if {
	endswith(wanted, "/")
	startswith(resource, wanted)
}

# RBAC compares resourceNames with the request's name, and a list or watch
# (without a metadata.name field selector) has the empty name: a rule whose
# resourceNames holds "" grants them on every object, so it is not named.
only_named(rule, permission) if {
	permission.named_ok
	names := strings_in(rule, "resourceNames")
	count(names) > 0
	not "" in names
}
