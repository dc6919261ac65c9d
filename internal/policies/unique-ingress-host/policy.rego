package k8suniqueingresshost

import data.lib.update
import data.lib.workload

violation contains v if {
	some v in (findings(input.review.object) - findings(update.previous_object))
}

allow_same_namespace := object.get(input, ["parameters", "allowSameNamespace"], false)

# Every review goes through every synced Ingress, so what is done for each must
# be cheap: an Ingress is looked at further only when one of its rules names a
# host the reviewed Ingress claims (a claim's key starts with its host in lower
# case). Without this test, audit of n Ingresses worked out n * n claims.
findings(obj) := {finding |
	obj.kind == "Ingress"
	namespace := namespace_of(obj)
	own := claims(obj)
	hosts := {claim.key[0] | some claim in own}
	some other_namespace, other_name
	other := data.inventory.namespace[other_namespace]["networking.k8s.io/v1"].Ingress[other_name]
	some rule in other.spec.rules
	host_key(rule) in hosts
	not is_same_object(obj, namespace, other_namespace, other_name)
	not same_namespace_allowed(namespace, other_namespace)
	classes_compete(class_of(obj), class_of(other))
	some claim in own
	some other_claim in claims(other)
	other_claim.key == claim.key
	finding := {
		"msg": sprintf("%s: host \"%s\" path \"%s\" (%s) is already served by Ingress %s/%s (spec.rules[host=%s].http.paths[path=%s]), use another host or path, or agree with the owner of %s/%s which Ingress serves it", [workload.display_name(obj), claim.host, claim.path, claim.pathType, other_namespace, other_name, claim.host, claim.path, other_namespace, other_name]),
		"details": {
			"field": sprintf("spec.rules[host=%s].http.paths[path=%s]", [claim.host, claim.path]),
			"host": claim.host,
			"path": claim.path,
			"pathType": claim.pathType,
			"conflictingIngress": {"namespace": other_namespace, "name": other_name},
		},
	}
}

# host_key(rule) is the host a rule claims, in lower case: the first part of the
# key of its claims, and what findings compares before going through a synced
# Ingress's claims. A rule that is not an object claims nothing, so it passing
# here only costs the full comparison.
host_key(rule) := lower(rule.host) if {
	is_string(rule.host)
} else := ""

namespace_of(obj) := obj.metadata.namespace if {
	is_string(obj.metadata.namespace)
	obj.metadata.namespace != ""
} else := input.review.namespace

is_same_object(obj, namespace, other_namespace, other_name) if {
	other_namespace == namespace
	other_name == obj.metadata.name
}

same_namespace_allowed(namespace, other_namespace) if {
	allow_same_namespace == true
	other_namespace == namespace
}

# class_of(ing) is the IngressClass an Ingress asks for, "" when it names none
# (it then goes to the cluster's default class).
class_of(ing) := ing.spec.ingressClassName if {
	is_string(ing.spec.ingressClassName)
	ing.spec.ingressClassName != ""
} else := ing.metadata.annotations["kubernetes.io/ingress.class"] if {
	is_string(ing.metadata.annotations["kubernetes.io/ingress.class"])
} else := ""

classes_compete(a, b) if a == b

classes_compete("", _) := true

classes_compete(_, "") := true

# claims(ing) is every host and path an Ingress routes, each with the key two
# claims share when they match the same requests with the same precedence.
claims(ing) := {claim |
	some rule in object.get(ing, ["spec", "rules"], [])
	is_object(rule)
	host := string_or_empty(object.get(rule, "host", ""))
	some p in object.get(rule, ["http", "paths"], [])
	is_object(p)
	path := path_of(p)
	path_type := path_type_of(p)
	claim := {
		"host": host,
		"path": path,
		"pathType": path_type,
		"key": [host_key(rule), match_class(path_type), normalized_path(path_type, path)],
	}
}

string_or_empty(v) := v if {
	is_string(v)
} else := ""

# An ImplementationSpecific path may leave path empty: it then matches "/".
path_of(p) := p.path if {
	is_string(p.path)
	p.path != ""
} else := "/"

path_type_of(p) := p.pathType if {
	is_string(p.pathType)
	p.pathType != ""
} else := "ImplementationSpecific"

# ImplementationSpecific is matched as a prefix by ingress-nginx, Traefik and
# most controllers: compare it as Prefix.
match_class("Exact") := "Exact"

match_class(path_type) := "Prefix" if path_type != "Exact"

# A Prefix path matches element-wise and ignores a trailing slash: /api/ is /api.
normalized_path("Exact", path) := path

normalized_path(path_type, path) := prefix_path(path) if path_type != "Exact"

prefix_path(path) := trimmed if {
	trimmed := trim_right(path, "/")
	trimmed != ""
} else := "/"
