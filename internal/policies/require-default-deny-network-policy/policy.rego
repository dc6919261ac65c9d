package k8srequiredefaultdenynetworkpolicy

import data.lib.update
import data.lib.workload

violation contains v if {
	some v in (findings(input.review.object) - findings(update.previous_object))
}

findings(obj) := ((namespace_findings(obj) | workload_findings(obj)) | undone_namespace_findings(obj)) | undone_workload_findings(obj)

require_egress := object.get(input, ["parameters", "requireEgress"], false)

check_workloads := object.get(input, ["parameters", "checkWorkloads"], true)

required_types := ["Ingress", "Egress"] if {
	require_egress == true
} else := ["Ingress"]

# What each policy type lacks, for messages.
consequence := {
	"Ingress": "its pods accept connections from every pod of the cluster",
	"Egress": "its pods can connect to every pod of the cluster and beyond",
}

# Audit and the admission of a Namespace report the Namespace itself.
namespace_findings(obj) := {finding |
	obj.kind == "Namespace"
	namespace := obj.metadata.name
	is_string(namespace)
	not namespace_is_exempt(namespace)
	some policy_type in required_types
	not has_default_deny(namespace, policy_type)
	finding := {
		"msg": sprintf("%s: has no default-deny NetworkPolicy for %s (one with spec.podSelector {}, %s in spec.policyTypes and no spec.%s rules), so %s, add one such as the default-deny-ingress component", [workload.display_name(obj), policy_type, policy_type, lower(policy_type), consequence[policy_type]]),
		"details": {"namespace": namespace, "policyType": policy_type},
	}
}

# At admission, a workload that would run pods in such a namespace is reported
# too. Audit does not report workloads: the Namespace speaks for them.
workload_findings(obj) := {finding |
	check_workloads == true
	input.review.operation in {"CREATE", "UPDATE"}
	runs_pods(obj)
	namespace := namespace_of(obj)
	not namespace_is_exempt(namespace)
	namespace_is_synced(namespace)
	some policy_type in required_types
	not has_default_deny(namespace, policy_type)
	finding := {
		"msg": sprintf("%s: namespace \"%s\" has no default-deny NetworkPolicy for %s (one with spec.podSelector {}, %s in spec.policyTypes and no spec.%s rules), so the pods would run where %s, add one to the namespace first", [workload.display_name(obj), namespace, policy_type, policy_type, lower(policy_type), consequence[policy_type]]),
		"details": {"namespace": namespace, "policyType": policy_type},
	}
}

# NetworkPolicies add up: a policy that selects every pod and allows every pod
# of the cluster on every port undoes the default deny next to it. Reported
# where the namespace has a default deny (without one, the finding above says so).
allows_every_pod := {
	"Ingress": "connections from every pod of the cluster",
	"Egress": "connections to every pod of the cluster",
}

undone_namespace_findings(obj) := {finding |
	obj.kind == "Namespace"
	namespace := obj.metadata.name
	is_string(namespace)
	not namespace_is_exempt(namespace)
	some policy_type in required_types
	has_default_deny(namespace, policy_type)
	some name in undoing_policies(namespace, policy_type)
	finding := {
		"msg": sprintf("%s: NetworkPolicy \"%s\" undoes its default deny for %s: it selects every pod and allows %s on every port (spec.%s), narrow its rules or remove it", [workload.display_name(obj), name, policy_type, allows_every_pod[policy_type], lower(policy_type)]),
		"details": {"namespace": namespace, "policyType": policy_type, "networkPolicy": name},
	}
}

undone_workload_findings(obj) := {finding |
	check_workloads == true
	input.review.operation in {"CREATE", "UPDATE"}
	runs_pods(obj)
	namespace := namespace_of(obj)
	not namespace_is_exempt(namespace)
	namespace_is_synced(namespace)
	some policy_type in required_types
	has_default_deny(namespace, policy_type)
	some name in undoing_policies(namespace, policy_type)
	finding := {
		"msg": sprintf("%s: namespace \"%s\" has its default deny for %s undone by NetworkPolicy \"%s\", which selects every pod and allows %s on every port (spec.%s), narrow its rules or remove it before running pods there", [workload.display_name(obj), namespace, policy_type, name, allows_every_pod[policy_type], lower(policy_type)]),
		"details": {"namespace": namespace, "policyType": policy_type, "networkPolicy": name},
	}
}

# undoing_policies(namespace, policy_type) names the NetworkPolicies of the
# namespace that select every pod, apply to policy_type and have a rule that
# allows every pod of the cluster on every port.
undoing_policies(namespace, policy_type) := {name |
	some name, policy in data.inventory.namespace[namespace]["networking.k8s.io/v1"].NetworkPolicy
	selects_all_pods(policy)
	policy_type in policy_types(policy)
	rules := object.get(policy, ["spec", lower(policy_type)], [])
	is_array(rules)
	some rule in rules
	rule_allows_every_pod(rule, policy_type)
}

peers_field := {"Ingress": "from", "Egress": "to"}

# A rule without ports allows every port; one without peers every source (or
# destination); a peer whose namespaceSelector is {} (and podSelector unset or
# {}) every pod of every namespace.
rule_allows_every_pod(rule, policy_type) if {
	is_object(rule)
	is_empty(object.get(rule, "ports", []))
	peers_allow_every_pod(object.get(rule, peers_field[policy_type], []))
}

peers_allow_every_pod(peers) if is_empty(peers)

peers_allow_every_pod(peers) if {
	is_array(peers)
	some peer in peers
	is_object(peer)
	is_object(peer.namespaceSelector)
	selector_is_empty(peer.namespaceSelector)
	selector_is_empty(object.get(peer, "podSelector", null))
}

namespace_of(obj) := obj.metadata.namespace if {
	is_string(obj.metadata.namespace)
	obj.metadata.namespace != ""
} else := input.review.namespace

namespace_is_exempt(namespace) if {
	some pattern in object.get(input, ["parameters", "exemptNamespaces"], [])
	pattern_matches(pattern, namespace)
}

pattern_matches(pattern, namespace) if {
	not endswith(pattern, "*")
	namespace == pattern
}

pattern_matches(pattern, namespace) if {
	endswith(pattern, "*")
	startswith(namespace, trim_suffix(pattern, "*"))
}

# Until Gatekeeper has synced the Namespace, its NetworkPolicies may not be
# synced either: judge the namespace's workloads only once it is known.
namespace_is_synced(namespace) if data.inventory.cluster.v1.Namespace[namespace]

# runs_pods(obj): a Pod, or a workload that creates pods now. A workload
# scaled to 0 or suspended runs none; scaling it up is an UPDATE that is
# reported, and the pods a scale subresource makes its controller create are
# reviewed themselves.
runs_pods(obj) if obj.kind == "Pod"

runs_pods(obj) if obj.kind == "DaemonSet"

runs_pods(obj) if {
	obj.kind in {"Deployment", "ReplicaSet", "ReplicationController", "StatefulSet"}
	object.get(obj, ["spec", "replicas"], 1) != 0
}

runs_pods(obj) if {
	obj.kind in {"CronJob", "Job"}
	object.get(obj, ["spec", "suspend"], false) != true
}

# has_default_deny(namespace, policy_type): some NetworkPolicy of the namespace
# selects every pod, applies to policy_type and allows nothing for it.
has_default_deny(namespace, policy_type) if {
	some policy in data.inventory.namespace[namespace]["networking.k8s.io/v1"].NetworkPolicy
	selects_all_pods(policy)
	policy_type in policy_types(policy)
	is_empty(object.get(policy, ["spec", lower(policy_type)], []))
}

selects_all_pods(policy) if {
	selector := object.get(policy, ["spec", "podSelector"], {})
	selector_is_empty(selector)
}

selector_is_empty(selector) if selector == null

selector_is_empty(selector) if {
	is_object(selector)
	is_empty(object.get(selector, "matchLabels", {}))
	is_empty(object.get(selector, "matchExpressions", []))
}

is_empty(x) if x == null

is_empty(x) if {
	is_object(x)
	count(x) == 0
}

is_empty(x) if {
	is_array(x)
	count(x) == 0
}

# policyTypes left unset default as the API server does: Ingress, plus Egress
# when the policy has egress rules.
policy_types(policy) := {t | some t in policy.spec.policyTypes} if {
	is_array(policy.spec.policyTypes)
	count(policy.spec.policyTypes) > 0
} else := {"Ingress", "Egress"} if {
	not is_empty(object.get(policy, ["spec", "egress"], []))
} else := {"Ingress"}
