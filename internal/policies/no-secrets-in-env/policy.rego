package k8snosecretsinenv

import data.lib.exempt
import data.lib.update
import data.lib.workload

violation contains v if {
	some v in (findings(input.review.object) - findings(update.previous_object))
}

# The defaults mirror the parameters' schema defaults (policy.go), for a
# constraint created without them.
secret_name_pattern := object.get(input, ["parameters", "secretNamePattern"], `passw(or)?d|pwd|pass[_.-]?phrase|(^|[_.-])pass$|secret|token|credential|api[_.-]?key|private[_.-]?key|access[_.-]?key|auth[_.-]?key|session[_.-]?key|signing[_.-]?key|encryption[_.-]?key|master[_.-]?key`)

allowed_name_pattern := object.get(input, ["parameters", "allowedNamePattern"], `(^|[_.-])(ttl|timeout|expiry|expiration|expires|expires[_.-]?in|lifetime|duration|(min|max)?[_.-]?length|name|header|enabled|type|algorithm|url|uri|endpoint|host|port|issuer|audience|scopes?)$|tokenizers?([_.-]|$)`)

# Well-known credential formats, in the order a value is tested against them:
# a value is reported under the first one it matches.
builtin_value_formats := [
	{"what": "an AWS access key id", "pattern": `(^|[^A-Za-z0-9])(AKIA|ASIA)[A-Z0-9]{16}([^A-Za-z0-9]|$)`},
	{"what": "a GitHub token", "pattern": `(^|[^A-Za-z0-9_])(gh[pousr]_[A-Za-z0-9]{36}|github_pat_[A-Za-z0-9_]{22,})`},
	{"what": "a GitLab token", "pattern": `(^|[^A-Za-z0-9_-])glpat-[A-Za-z0-9_-]{20}`},
	{"what": "a Slack token", "pattern": `(^|[^A-Za-z0-9_-])xox[abposr]-[A-Za-z0-9-]{10,}`},
	{"what": "a PEM private key", "pattern": `-----BEGIN ([A-Z0-9]+ )*PRIVATE KEY( BLOCK)?-----`},
	{"what": "a JSON Web Token", "pattern": `(^|[^A-Za-z0-9_-])eyJ[A-Za-z0-9_-]+\.eyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*`},
	# scheme://user:password@, unless the password is a $(VAR) the kubelet expands.
	{"what": "a URL with an embedded password", "pattern": `[A-Za-z][A-Za-z0-9+.-]*://[^/\s:@]*:([^/\s@$]|\$[^(/\s@])[^/\s@]*@`},
]

value_formats := array.concat(builtin_value_formats, [f |
	some p in object.get(input, ["parameters", "additionalValuePatterns"], [])
	f := {"what": "a credential format of additionalValuePatterns", "pattern": p}
])

findings(obj) := {finding |
	some entry in workload.containers(obj)
	not exempt.container_is_exempt(entry)
	some env in object.get(entry.container, "env", [])
	value := literal_value(env)
	name := env_name(env)
	problem := value_problem(name, value)
	field := sprintf("%s.env[%s].value", [entry.path, name])
	finding := {
		"msg": sprintf("%s: container \"%s\" sets env \"%s\" to a literal value%s (%s), move it into a Secret and mount the Secret as a file or read it with valueFrom.secretKeyRef", [workload.display_name(obj), entry.name, name, problem.what, field]),
		"details": {"container": entry.name, "env": name, "field": field, "rule": problem.rule},
	}
}

# literal_value(env) is a non-empty string env[].value; valueFrom has no value.
literal_value(env) := env.value if {
	is_string(env.value)
	env.value != ""
}

env_name(env) := env.name if {
	is_string(env.name)
} else := ""

# A value matching a credential format is reported as such, whatever its name.
value_problem(_, value) := {"what": sprintf(" that looks like %s", [format.what]), "rule": format.what} if {
	matched := [f | some f in value_formats; regex.match(f.pattern, value)]
	format := matched[0]
}

# Otherwise a value under a secret's name is, unless the name or value says it is not the secret.
value_problem(name, value) := {"what": ", and its name matches secretNamePattern", "rule": "secretNamePattern"} if {
	not matches_a_format(value)
	name_looks_secret(name)
	not name_is_allowed(name)
	not value_is_reference(value)
}

matches_a_format(value) if {
	some f in value_formats
	regex.match(f.pattern, value)
}

name_looks_secret(name) if {
	secret_name_pattern != ""
	regex.match(concat("", ["(?i)", secret_name_pattern]), name)
}

name_is_allowed(name) if {
	allowed_name_pattern != ""
	regex.match(concat("", ["(?i)", allowed_name_pattern]), name)
}

# A file path points at the secret (mounted from a Secret volume, as it should
# be); a lone $(VAR) is expanded by the kubelet from another variable, which
# is checked on its own.
value_is_reference(value) if regex.match(`^\.{0,2}/[A-Za-z0-9._/@+=,:-]*$`, value)

value_is_reference(value) if regex.match(`^\$\([A-Za-z_][A-Za-z0-9_.-]*\)$`, value)
