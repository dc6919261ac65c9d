package k8snowildcardingresshost

import data.lib.update
import data.lib.workload

violation contains v if {
	some v in (findings(input.review.object) - findings(update.previous_object))
}

findings(obj) := (hostless_rules(obj) | wildcard_hosts(obj)) | default_backend_only(obj)

allow_wildcard_subdomains := object.get(input, ["parameters", "allowWildcardSubdomains"], false)

# rules(obj) are the rules of an Ingress; a null or malformed list counts as empty.
rules(obj) := [rule | some rule in object.get(obj, ["spec", "rules"], []); is_object(rule)]

host_of(rule) := rule.host if {
	is_string(rule.host)
} else := ""

# A rule without a host matches every host name the controller receives.
hostless_rules(obj) := {finding |
	some rule in rules(obj)
	host_of(rule) == ""
	finding := {
		"msg": sprintf("%s: a rule has no host (spec.rules[].host is unset), so it serves every host name, set the host it serves", [workload.display_name(obj)]),
		"details": {"field": "spec.rules[].host"},
	}
}

wildcard_hosts(obj) := {finding |
	some rule in rules(obj)
	host := host_of(rule)
	contains(host, "*")
	not wildcard_allowed(host)
	finding := {
		"msg": sprintf("%s: host \"%s\" is a wildcard (spec.rules[host=%s].host), so it serves host names nobody reviewed, %s", [workload.display_name(obj), host, host, wildcard_fix]),
		"details": {"field": "spec.rules[].host", "value": host},
	}
}

# With allowWildcardSubdomains, *.example.com passes: a single leading wildcard
# label over a domain of at least two labels (never *, *.com nor a.*.com).
wildcard_allowed(host) if {
	allow_wildcard_subdomains == true
	startswith(host, "*.")
	domain := substring(host, 2, -1)
	not contains(domain, "*")
	contains(domain, ".")
}

wildcard_fix := "name each host, or use a wildcard of a domain with at least two labels such as *.example.com" if {
	allow_wildcard_subdomains == true
} else := "name each host explicitly"

# An Ingress with only a defaultBackend is a catch-all for every host.
default_backend_only(obj) := {finding |
	object.get(obj, ["spec", "defaultBackend"], null) != null
	count(rules(obj)) == 0
	finding := {
		"msg": sprintf("%s: has spec.defaultBackend and no rules, so it serves every host name, replace it with rules that name the hosts it serves", [workload.display_name(obj)]),
		"details": {"field": "spec.defaultBackend"},
	}
}
