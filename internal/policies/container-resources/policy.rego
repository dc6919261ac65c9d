package k8scontainerresources

import data.lib.exempt
import data.lib.update
import data.lib.workload

violation contains v if {
	some v in (findings(input.review.object) - findings(update.previous_object))
}

findings(obj) := (((missing_requests(obj) | missing_limits(obj)) | limits_above_maximum(obj)) | ephemeral_resources(obj)) | zero_quantities(obj)

require_requests := object.get(input, ["parameters", "requireRequests"], true)

require_limits := object.get(input, ["parameters", "requireLimits"], true)

resources := [
	{"key": "cpu", "what": "CPU", "max": object.get(input, ["parameters", "maxCPULimit"], "")},
	{"key": "memory", "what": "memory", "max": object.get(input, ["parameters", "maxMemoryLimit"], "")},
]

# Ephemeral containers cannot have resources (the API server refuses them: pod
# resources are immutable, and an ephemeral container shares what the pod has),
# so only containers and initContainers must set them.
checked_containers(obj) := {entry |
	some entry in workload.containers(obj)
	entry.field != "ephemeralContainers"
	not exempt.container_is_exempt(entry)
}

# The API server copies a limit into an unset request of the same resource, so a
# limit alone also sets the request.
missing_requests(obj) := {finding |
	require_requests == true
	some entry in checked_containers(obj)
	some r in resources
	not resource_set(entry.container, "requests", r.key)
	not resource_set(entry.container, "limits", r.key)
	field := sprintf("%s.resources.requests.%s", [entry.path, r.key])
	finding := {
		"msg": sprintf("%s: container \"%s\" has no %s request (%s unset), set one so the scheduler reserves what the container needs", [workload.display_name(obj), entry.name, r.what, field]),
		"details": {"container": entry.name, "field": field},
	}
}

missing_limits(obj) := {finding |
	require_limits == true
	some entry in checked_containers(obj)
	some r in resources
	not resource_set(entry.container, "limits", r.key)
	field := sprintf("%s.resources.limits.%s", [entry.path, r.key])
	finding := {
		"msg": sprintf("%s: container \"%s\" has no %s limit (%s unset), set one so the container cannot take its node's %s from the others", [workload.display_name(obj), entry.name, r.what, field, r.what]),
		"details": {"container": entry.name, "field": field},
	}
}

limits_above_maximum(obj) := {finding |
	some entry in checked_containers(obj)
	some r in resources
	r.max != ""
	limit := quantity_string(entry.container.resources.limits[r.key])
	valid_quantity(limit)
	valid_quantity(r.max)
	quantity_nanos(limit) > quantity_nanos(r.max)
	field := sprintf("%s.resources.limits.%s", [entry.path, r.key])
	finding := {
		"msg": sprintf("%s: container \"%s\" has a %s limit above the maximum of %s (%s=%s), lower it to at most %s", [workload.display_name(obj), entry.name, r.what, r.max, field, limit, r.max]),
		"details": {"container": entry.name, "field": field, "value": limit, "maximum": r.max},
	}
}

# A quantity of 0 is set but sets nothing: Kubernetes treats a limit of 0 as no
# limit at all (the kubelet sets no CFS quota and no memory limit, and the QoS
# class counts only quantities above 0), and a request of 0 reserves nothing.
# Each is reported under the requirement it fails.
zero_quantity_kinds := [kind |
	some kind in [
		{"key": "requests", "required": require_requests, "what": "request", "effect": "which reserves nothing"},
		{"key": "limits", "required": require_limits, "what": "limit", "effect": "which Kubernetes treats as no limit"},
	]
	kind.required == true
]

zero_quantities(obj) := {finding |
	some kind in zero_quantity_kinds
	some entry in checked_containers(obj)
	some r in resources
	q := quantity_string(entry.container.resources[kind.key][r.key])
	valid_quantity(q)
	quantity_nanos(q) == 0
	field := sprintf("%s.resources.%s.%s", [entry.path, kind.key, r.key])
	finding := {
		"msg": sprintf("%s: container \"%s\" has a %s %s of 0, %s (%s=%s), %s", [workload.display_name(obj), entry.name, r.what, kind.what, kind.effect, field, q, zero_fix(kind.key, r.what)]),
		"details": {"container": entry.name, "field": field, "value": q},
	}
}

zero_fix("requests", _) := "set one so the scheduler reserves what the container needs"

zero_fix("limits", what) := sprintf("set one so the container cannot take its node's %s from the others", [what])

ephemeral_resources(obj) := {finding |
	some entry in workload.containers(obj)
	entry.field == "ephemeralContainers"
	not exempt.container_is_exempt(entry)
	is_object(entry.container.resources)
	count(entry.container.resources) > 0
	field := sprintf("%s.resources", [entry.path])
	finding := {
		"msg": sprintf("%s: ephemeral container \"%s\" sets resources, which ephemeral containers cannot have (%s), remove them: the API server refuses them and the container shares the pod's resources", [workload.display_name(obj), entry.name, field]),
		"details": {"container": entry.name, "field": field},
	}
}

resource_set(container, kind, key) if container.resources[kind][key] != null

# A quantity may be written as a YAML number (cpu: 2); compare and show its
# text. Whole numbers are written out in digits (5e9 is 5000000000), as the CEL
# driver, which receives them as integers, writes them.
quantity_string(q) := q if {
	is_string(q)
} else := format_int(q, 10) if {
	is_number(q)
	q == floor(q)
} else := sprintf("%v", [q]) if {
	is_number(q)
}

# The grammar of a Kubernetes quantity (k8s.io/apimachinery resource.ParseQuantity):
# a signed decimal number, then a decimal exponent, an SI suffix or a binary suffix.
quantity_pattern := `^[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+|[numkMGTPE]|[KMGTPE]i)?$`

valid_quantity(q) if regex.match(quantity_pattern, q)

# quantity_nanos(q) is a valid quantity in billionths of its unit, as an integer:
# the digits times a power of ten and a power of 1024, so that "0.3" and "300m",
# "1Gi" and "1024Mi" compare equal, where floating point would not.
quantity_nanos(q) := n if {
	parts := regex.find_all_string_submatch_n(`^([+-]?)([0-9]*)\.?([0-9]*)(.*)$`, q, 1)[0]
	digits := to_number(concat("", ["0", parts[2], parts[3]]))
	exponent := (9 + decimal_exponent(parts[4])) - count(parts[3])
	n := (sign(parts[1]) * scale(digits, exponent)) * binary_factor(parts[4])
}

sign("-") := -1

sign(s) := 1 if s != "-"

decimal_exponent(suffix) := {"": 0, "n": -9, "u": -6, "m": -3, "k": 3, "M": 6, "G": 9, "T": 12, "P": 15, "E": 18}[suffix]

decimal_exponent(suffix) := 0 if endswith(suffix, "i")

decimal_exponent(suffix) := to_number(substring(suffix, 1, -1)) if regex.match(`^[eE][+-]?[0-9]+$`, suffix)

binary_factor(suffix) := {"Ki": 1024, "Mi": 1048576, "Gi": 1073741824, "Ti": 1099511627776, "Pi": 1125899906842624, "Ei": 1152921504606846976}[suffix]

binary_factor(suffix) := 1 if not endswith(suffix, "i")

scale(digits, exponent) := digits * power_of_ten(exponent) if exponent >= 0

# Below a billionth Kubernetes rounds up too.
scale(digits, exponent) := ceil(digits / power_of_ten(0 - exponent)) if exponent < 0

power_of_ten(0) := 1

power_of_ten(e) := to_number(concat("", array.concat(["1"], [zero | some _ in numbers.range(1, e); zero := "0"]))) if e > 0
