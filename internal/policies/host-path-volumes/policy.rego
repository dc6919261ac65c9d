package k8shostpathvolumes

import data.lib.update
import data.lib.workload

violation contains v if {
	some v in (findings(input.review.object) - findings(update.previous_object))
}

allowed_host_paths := object.get(input, ["parameters", "allowedHostPaths"], [])

# The container runtime sockets: whoever reaches one controls every container of
# the node. A volume at one of them, or at a directory that holds one, is refused
# even under an allowed prefix.
runtime_sockets := [
	"/run/containerd/containerd.sock",
	"/run/crio/crio.sock",
	"/run/cri-dockerd.sock",
	"/run/docker.sock",
	"/run/k3s/containerd/containerd.sock",
	"/var/run/containerd/containerd.sock",
	"/var/run/crio/crio.sock",
	"/var/run/cri-dockerd.sock",
	"/var/run/docker.sock",
	"/var/run/k3s/containerd/containerd.sock",
]

findings(obj) := volume_findings(obj) | mount_findings(obj)

# host_path_volumes(obj) are the volumes that set hostPath (null counts as unset),
# with their raw path ("" when unset) and its cleaned form.
host_path_volumes(obj) := [volume |
	some v in object.get(workload.pod_spec(obj), "volumes", [])
	is_object(v)
	v.hostPath != null
	raw := raw_path(v)
	volume := {
		"name": object.get(v, "name", ""),
		"raw": raw,
		"clean": clean(raw),
		"field": sprintf("%s.volumes[%s].hostPath.path", [workload.pod_spec_path(obj), object.get(v, "name", "")]),
	}
]

raw_path(v) := v.hostPath.path if {
	is_string(v.hostPath.path)
} else := ""

volume_findings(obj) := {finding |
	some volume in host_path_volumes(obj)
	problem := volume_problem(volume)
	finding := {
		"msg": sprintf("%s: volume \"%s\" %s (%s=%s), %s", [workload.display_name(obj), volume.name, problem.what, volume.field, shown(volume.raw), problem.fix]),
		"details": {"volume": volume.name, "field": volume.field, "value": volume.raw},
	}
}

# volume_problem(volume) is what is wrong with a hostPath volume; undefined when it is allowed.
volume_problem(volume) := {
	"what": "mounts a host path",
	"fix": "hostPath volumes are not allowed, use a persistentVolumeClaim, configMap, secret or emptyDir volume instead",
} if {
	count(allowed_host_paths) == 0
} else := {
	"what": "has a host path that is not absolute or has a \"..\" segment",
	"fix": "use a clean absolute path under an allowed prefix",
} if {
	not clean_absolute(volume.raw)
} else := {
	"what": "mounts the container runtime socket or a directory that holds it",
	"fix": "it gives control of every container on the node and is never allowed",
} if {
	holds_runtime_socket(volume.clean)
} else := {
	"what": "mounts a host path outside allowedHostPaths",
	"fix": "use a path under an allowed prefix",
} if {
	not allowed(volume.clean)
}

# A volume allowed only through readOnly prefixes must be mounted read-only
# everywhere: each other mount is a finding of the container that makes it.
mount_findings(obj) := {finding |
	read_only := {volume.name |
		count(allowed_host_paths) > 0
		some volume in host_path_volumes(obj)
		clean_absolute(volume.raw)
		not holds_runtime_socket(volume.clean)
		allowed(volume.clean)
		not allowed_writable(volume.clean)
	}
	some entry in workload.containers(obj)
	some mount in object.get(entry.container, "volumeMounts", [])
	is_object(mount)
	name := object.get(mount, "name", "")
	name in read_only
	not mount.readOnly == true
	field := sprintf("%s.volumeMounts[%s].readOnly", [entry.path, name])
	mount_path := object.get(mount, "mountPath", "")
	finding := {
		"msg": sprintf("%s: container \"%s\" mounts hostPath volume \"%s\" writable at %s (%s=false), its host path is allowed read-only only, set readOnly: true", [workload.display_name(obj), entry.name, name, shown(mount_path), field]),
		"details": {"container": entry.name, "volume": name, "field": field, "value": false},
	}
}

# Only absolute paths without a ".." segment are compared; the API server keeps
# such segments as written, so a path holding one is refused rather than guessed at.
clean_absolute(path) if {
	is_string(path)
	startswith(path, "/")
	not ".." in split(path, "/")
}

# clean(path) drops empty and "." segments: "/var//log/./" is "/var/log".
clean(path) := sprintf("/%s", [concat("/", [s | some s in split(path, "/"); s != ""; s != "."])])

# under(path, prefix): path is prefix or below it, comparing whole segments.
under(_, "/")

under(path, prefix) if path == prefix

under(path, prefix) if startswith(path, concat("", [prefix, "/"]))

holds_runtime_socket(path) if {
	some socket in runtime_sockets
	under(socket, path)
}

# allowed_prefixes are the valid allowedHostPaths entries, cleaned; an entry whose
# prefix is not a clean absolute path matches nothing.
allowed_prefixes := [{"clean": clean(e.pathPrefix), "readOnly": read_only_entry(e)} |
	some e in allowed_host_paths
	clean_absolute(e.pathPrefix)
]

read_only_entry(e) if {
	e.readOnly == true
} else := false

allowed(path) if {
	some p in allowed_prefixes
	under(path, p.clean)
}

allowed_writable(path) if {
	some p in allowed_prefixes
	under(path, p.clean)
	not p.readOnly
}

# shown(s) is s as messages may hold it: no line break, no finding separator. A
# value that is not a string (a mountPath of a malformed manifest) is shown as
# sprintf writes it, so that its finding is not lost.
shown(s) := replace(replace(replace(s, "\n", "\\n"), "\r", "\\r"), "; ", ";\\x20") if {
	is_string(s)
} else := sprintf("%v", [s])
