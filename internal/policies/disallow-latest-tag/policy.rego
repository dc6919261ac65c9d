package k8sdisallowlatesttag

import data.lib.exempt
import data.lib.images
import data.lib.update
import data.lib.workload

violation contains v if {
	some v in (findings(input.review.object) - findings(update.previous_object))
}

disallowed_tags := object.get(input, ["parameters", "disallowedTags"], ["latest"])

findings(obj) := {finding |
	some entry in workload.containers(obj)
	not exempt.container_is_exempt(entry)
	problem := image_problem(entry.image)
	finding := {
		"msg": sprintf("%s: container %q %s (%s.image), %s", [workload.display_name(obj), entry.name, problem.what, entry.path, problem.fix]),
		"details": {"container": entry.name, "field": sprintf("%s.image", [entry.path]), "value": entry.image},
	}
}

# image_problem(image) is what is wrong with an image; the bodies exclude each other.
# The image is quoted as is, not with %q: the CEL rules cannot escape it, and both
# engines must write the same message for an image holding a quote or a tab.
image_problem(image) := {
	"what": sprintf("has image \"%s\", which is not a valid image reference", [image]),
	"fix": "use a lower-case repository name with a tag or a sha256 digest",
} if {
	not images.valid(image)
}

image_problem(image) := {
	"what": sprintf("has image \"%s\" with no tag, which the runtime pulls as latest", [image]),
	"fix": "pin a version tag or a digest",
} if {
	ref := images.parse(image)
	ref.digest == ""
	ref.tag == ""
}

image_problem(image) := {
	"what": sprintf("has image \"%s\" with disallowed tag \"%s\"", [image, ref.tag]),
	"fix": "pin a version tag or a digest",
} if {
	ref := images.parse(image)
	ref.digest == ""
	ref.tag != ""
	ref.tag in disallowed_tags
}
