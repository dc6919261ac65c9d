package k8srbacnoclusteradminbinding

import data.lib.exempt
import data.lib.update
import data.lib.workload

violation contains v if {
	some v in (findings(input.review.object) - findings(update.previous_object))
}

exempt_bindings := object.get(input, ["parameters", "exemptBindings"], ["cluster-admin", "system:*", "kubeadm:cluster-admins", "kube-public/kubeadm:bootstrap-signer-clusterinfo"])

allowed_subjects := object.get(input, ["parameters", "allowedSubjects"], [])

findings(obj) := cluster_admin_findings(obj) | forbidden_subject_findings(obj)

binding_is_checked(obj) if {
	obj.kind in {"RoleBinding", "ClusterRoleBinding"}
	not binding_is_exempt(obj)
}

binding_is_exempt(obj) if {
	some pattern in exempt_bindings
	exempt.pattern_matches(pattern, binding_key(obj))
}

# exemptBindings names a ClusterRoleBinding by its name and a RoleBinding by
# <namespace>/<name>: a namespace admin who may create RoleBindings cannot
# exempt one by calling it system:something.
binding_key(obj) := string_field(obj.metadata, "name") if obj.kind == "ClusterRoleBinding"

binding_key(obj) := sprintf("%s/%s", [string_field(obj.metadata, "namespace"), string_field(obj.metadata, "name")]) if obj.kind == "RoleBinding"

string_field(x, key) := x[key] if {
	is_string(x[key])
} else := ""

list_field(x, key) := x[key] if {
	is_array(x[key])
} else := []

role_ref(obj) := obj.roleRef if {
	is_object(obj.roleRef)
} else := {}

first_index(list, x) := min({i | some i, y in list; y == x})

# checked_subjects(obj) is the set of the subjects of a checked binding that are
# not allowed, each as {"index", "kind", "name", "namespace", "label"}. A
# ServiceAccount without a namespace is in the RoleBinding's namespace. Identical
# subjects share the position of the first (as CEL's indexOf gives it).
checked_subjects(obj) := {entry |
	binding_is_checked(obj)
	subjects := list_field(obj, "subjects")
	some subject in subjects
	is_object(subject)
	kind := string_field(subject, "kind")
	name := string_field(subject, "name")
	namespace := subject_namespace(obj, subject, kind)
	not subject_is_allowed(kind, name, namespace)
	entry := {
		"index": first_index(subjects, subject),
		"kind": kind,
		"name": name,
		"namespace": namespace,
		"label": subject_label(kind, name, namespace),
	}
}

subject_namespace(obj, subject, "ServiceAccount") := string_field(subject, "namespace") if {
	string_field(subject, "namespace") != ""
} else := string_field(obj.metadata, "namespace")

subject_namespace(_, _, kind) := "" if kind != "ServiceAccount"

subject_label("ServiceAccount", name, namespace) := sprintf("ServiceAccount \"%s/%s\"", [namespace, name])

subject_label(kind, name, _) := sprintf("%s \"%s\"", [kind, name]) if kind != "ServiceAccount"

subject_is_allowed(kind, name, namespace) if {
	some allowed in allowed_subjects
	object.get(allowed, "kind", "") == kind
	object.get(allowed, "name", "") == name
	allowed_namespace_matches(object.get(allowed, "namespace", ""), namespace)
}

allowed_namespace_matches("", _)

allowed_namespace_matches(namespace, namespace) if namespace != ""

cluster_admin_findings(obj) := {finding |
	string_field(role_ref(obj), "kind") == "ClusterRole"
	string_field(role_ref(obj), "name") == "cluster-admin"
	some s in checked_subjects(obj)
	finding := {
		"msg": sprintf("%s: grants the cluster-admin ClusterRole to %s (roleRef.name=cluster-admin, subjects[%v]), bind a role with only the permissions it needs or list the subject in allowedSubjects", [workload.display_name(obj), s.label, s.index]),
		"details": {"field": "roleRef.name", "value": "cluster-admin", "subject": {"kind": s.kind, "name": s.name, "namespace": s.namespace}},
	}
}

# The subjects no binding may name, keyed <kind>/<name>, with who they stand
# for and the fix.
forbidden_subjects := {
	"Group/system:masters": ["the group system:masters, whose members pass every authorization check whatever RBAC says", "bind a group of named administrators instead"],
	"Group/system:anonymous": ["anonymous requests", "remove the subject"],
	"User/system:anonymous": ["anonymous requests", "remove the subject"],
	"Group/system:unauthenticated": ["every request without credentials", "remove the subject"],
}

forbidden_subject_findings(obj) := {finding |
	some s in checked_subjects(obj)
	reason := forbidden_subjects[sprintf("%s/%s", [s.kind, s.name])]
	field := sprintf("subjects[%v].name", [s.index])
	finding := {
		"msg": sprintf("%s: grants %s \"%s\" to %s (%s=%s), %s", [workload.display_name(obj), string_field(role_ref(obj), "kind"), string_field(role_ref(obj), "name"), reason[0], field, s.name, reason[1]]),
		"details": {"field": field, "value": s.name, "subject": {"kind": s.kind, "name": s.name}},
	}
}
