package k8ssecretsasvolumes

import data.lib.exempt
import data.lib.update
import data.lib.workload

violation contains v if {
	some v in (findings(input.review.object) - findings(update.previous_object))
}

findings(obj) := secret_key_refs(obj) | secret_env_froms(obj)

secret_key_refs(obj) := {finding |
	some entry in workload.containers(obj)
	not exempt.container_is_exempt(entry)
	some env in object.get(entry.container, "env", [])
	ref := env.valueFrom.secretKeyRef
	is_object(ref)
	name := string_field(env, "name")
	secret := string_field(ref, "name")
	key := string_field(ref, "key")
	field := sprintf("%s.env[%s].valueFrom.secretKeyRef", [entry.path, name])
	finding := {
		"msg": sprintf("%s: container \"%s\" reads key \"%s\" of Secret \"%s\" into env \"%s\" (%s), mount the Secret as a volume and read the key from a file instead", [workload.display_name(obj), entry.name, key, secret, name, field]),
		"details": {"container": entry.name, "env": name, "field": field, "secret": secret, "key": key},
	}
}

secret_env_froms(obj) := {finding |
	some entry in workload.containers(obj)
	not exempt.container_is_exempt(entry)
	some source in object.get(entry.container, "envFrom", [])
	ref := source.secretRef
	is_object(ref)
	secret := string_field(ref, "name")
	field := sprintf("%s.envFrom[secretRef=%s]", [entry.path, secret])
	finding := {
		"msg": sprintf("%s: container \"%s\" loads every key of Secret \"%s\" into its environment (%s), mount the Secret as a volume and read its keys from files instead", [workload.display_name(obj), entry.name, secret, field]),
		"details": {"container": entry.name, "field": field, "secret": secret},
	}
}

string_field(o, f) := o[f] if {
	is_string(o[f])
} else := ""
