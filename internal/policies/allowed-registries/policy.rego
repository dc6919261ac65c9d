package k8sallowedregistries

import data.lib.exempt
import data.lib.images
import data.lib.update
import data.lib.workload

violation contains v if {
	some v in (findings(input.review.object) - findings(update.previous_object))
}

allowed_registries := object.get(input, ["parameters", "allowedRegistries"], [])

findings(obj) := {finding |
	some entry in workload.containers(obj)
	not exempt.container_is_exempt(entry)
	problem := image_problem(entry.image)
	finding := {
		"msg": sprintf("%s: container \"%s\" %s (%s.image), %s", [workload.display_name(obj), entry.name, problem.what, entry.path, problem.fix]),
		"details": {"container": entry.name, "field": sprintf("%s.image", [entry.path]), "value": entry.image, "allowedRegistries": allowed_registries},
	}
}

# image_problem(image) is what is wrong with an image; the bodies exclude each other.
# The image is quoted as is, not with %q: the CEL rules cannot escape it, and both
# engines must write the same message for an image holding a quote or a tab.
image_problem(image) := {
	"what": sprintf("has image \"%s\", which is not a valid image reference", [image]),
	"fix": sprintf("use a lower-case repository name from allowedRegistries (%s)", [allowed_list]),
} if {
	not images.valid(image)
}

image_problem(image) := {
	"what": sprintf("has image \"%s\", which resolves to %s, outside the allowed registries", [image, ref.name]),
	"fix": sprintf("use an image from allowedRegistries (%s)", [allowed_list]),
} if {
	ref := images.parse(image)
	not registry_is_allowed(ref)
}

allowed_list := concat(", ", allowed_registries) if {
	count(allowed_registries) > 0
} else := "none"

registry_is_allowed(ref) if {
	some allowed in allowed_registries
	entry_admits(parse_entry(allowed), ref)
}

# parse_entry splits an allowedRegistries entry into its host (lower case, with
# index.docker.io folded into docker.io as images are), its path prefix ("" for
# a whole registry) and whether a trailing /* admits only what is below the prefix.
parse_entry(allowed) := {"host": fold_host(lower(parts[0])), "path": concat("/", array.slice(parts, 1, count(parts))), "below": below} if {
	below := endswith(allowed, "/*")
	parts := split(trim_entry(allowed, below), "/")
}

trim_entry(allowed, true) := substring(allowed, 0, count(allowed) - 2)

trim_entry(allowed, false) := allowed

fold_host("index.docker.io") := "docker.io"

fold_host(host) := host if host != "index.docker.io"

# Hosts are case-insensitive; repositories are compared exactly, on whole path
# segments: the prefix team admits team and team/app, never teamevil.
entry_admits(entry, ref) if {
	lower(ref.registry) == entry.host
	path_admits(entry, ref.repository)
}

path_admits(entry, _) if entry.path == ""

path_admits(entry, repository) if {
	not entry.below
	repository == entry.path
}

path_admits(entry, repository) if {
	entry.path != ""
	startswith(repository, concat("", [entry.path, "/"]))
}
