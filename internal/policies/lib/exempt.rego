# Package lib.exempt matches container images against the exemptImages parameter.
# An entry matches an image exactly, or as a prefix when it ends in '*'. Only
# container-scoped checks consult it: pod-level fields are never exempt by image.
package lib.exempt

image_is_exempt(image) if {
	some pattern in object.get(input, ["parameters", "exemptImages"], [])
	pattern_matches(pattern, image)
}

pattern_matches(pattern, image) if {
	not endswith(pattern, "*")
	image == pattern
}

pattern_matches(pattern, image) if {
	endswith(pattern, "*")
	startswith(image, trim_suffix(pattern, "*"))
}

# container_is_exempt(entry) is true for an entry of lib.workload.containers whose image is exempt.
container_is_exempt(entry) if image_is_exempt(entry.image)
