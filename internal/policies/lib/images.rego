# Package lib.images parses container image references the way the container
# runtime resolves them, so that no spelling of a reference slips past a check:
# "nginx" is docker.io/library/nginx with no tag (the runtime pulls "latest"),
# "registry:5000/app" names registry "registry:5000" and has no tag, and
# "app:1.0@sha256:..." is pinned by its digest.
package lib.images

# The grammar of a reference (distribution/reference), anchored. Repository path
# components are lower case; a first component with '.', ':' or upper case, or
# "localhost", is a registry host. The digest is what the runtime validates, not
# just what the grammar allows: sha256, sha384 or sha512 with exactly that many
# lower-case hex digits.
reference_pattern := `^((?:(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])(?:\.(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9]))*|\[[a-fA-F0-9:]+\])(?::[0-9]+)?/)?[a-z0-9]+(?:(?:[._]|__|[-]+)[a-z0-9]+)*(?:/[a-z0-9]+(?:(?:[._]|__|[-]+)[a-z0-9]+)*)*(?::[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})?(?:@(?:sha256:[a-f0-9]{64}|sha384:[a-f0-9]{96}|sha512:[a-f0-9]{128}))?$`

# valid(ref) is true when the runtime parses ref: it matches the grammar, is not a
# bare 64-hex identifier (refused as ambiguous with an image ID), and its name,
# once normalized (docker.io/library/ filled in), is at most 255 characters.
valid(ref) if {
	is_string(ref)
	count(ref) <= 4096
	regex.match(reference_pattern, ref)
	not regex.match(`^[a-f0-9]{64}$`, ref)
	count(split_reference(ref).name) <= 255
}

# parse(ref) is {"registry", "repository", "tag", "digest", "name"} for a valid
# reference, with the implicit docker.io registry and library/ namespace filled in
# and index.docker.io folded into docker.io. tag and digest are "" when absent.
# Undefined for an invalid reference: callers treat that as a violation.
parse(ref) := split_reference(ref) if valid(ref)

# split_reference(ref) is parse(ref) for a ref that matches reference_pattern,
# before the checks of valid that need the parts.
split_reference(ref) := result if {
	name_tag := split(ref, "@")[0]
	digest := digest_of(ref)
	tag := tag_of(name_tag)
	name := strip_tag(name_tag, tag)
	registry := registry_of(name)
	path := remainder_of(name, registry)
	normal_registry := normalize_registry(registry)
	repository := library_repository(normal_registry, path)
	result := {
		"registry": normal_registry,
		"repository": repository,
		"tag": tag,
		"digest": digest,
		"name": concat("/", [normal_registry, repository]),
	}
}

digest_of(ref) := substring(ref, indexof(ref, "@") + 1, -1) if {
	contains(ref, "@")
} else := ""

strip_tag(name_tag, "") := name_tag

strip_tag(name_tag, tag) := substring(name_tag, 0, (count(name_tag) - count(tag)) - 1) if tag != ""

# The tag follows the ':' of the last path component (the grammar allows only one
# there); a ':' in the first component of a multi-component name is a registry port.
tag_of(name_tag) := tag if {
	components := split(name_tag, "/")
	last := components[count(components) - 1]
	contains(last, ":")
	tag := substring(last, indexof(last, ":") + 1, -1)
} else := ""

registry_of(name) := first if {
	contains(name, "/")
	first := split(name, "/")[0]
	host_like(first)
} else := ""

host_like(component) if contains(component, ".")

host_like(component) if contains(component, ":")

host_like("localhost")

host_like(component) if lower(component) != component

remainder_of(name, "") := name

remainder_of(name, registry) := substring(name, count(registry) + 1, -1) if registry != ""

normalize_registry("") := "docker.io"

normalize_registry("index.docker.io") := "docker.io"

normalize_registry(registry) := registry if not registry in {"", "index.docker.io"}

library_repository("docker.io", path) := concat("/", ["library", path]) if not contains(path, "/")

library_repository(registry, path) := path if {
	registry != "docker.io"
} else := path if contains(path, "/")
