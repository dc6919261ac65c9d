package k8srequireimagedigest

import data.lib.exempt
import data.lib.images
import data.lib.update
import data.lib.workload

violation contains v if {
	some v in (findings(input.review.object) - findings(update.previous_object))
}

findings(obj) := {finding |
	some entry in workload.containers(obj)
	not exempt.container_is_exempt(entry)
	problem := image_problem(entry.image)
	finding := {
		"msg": sprintf("%s: container \"%s\" %s (%s.image), %s", [workload.display_name(obj), entry.name, problem.what, entry.path, problem.fix]),
		"details": {"container": entry.name, "field": sprintf("%s.image", [entry.path]), "value": entry.image},
	}
}

# image_problem(image) is what is wrong with an image; the bodies exclude each other.
# The image is quoted as is, not with %q: the CEL rules cannot escape it, and both
# engines must write the same message for an image holding a quote or a tab.
image_problem(image) := {
	"what": sprintf("has image \"%s\", which is not a valid image reference", [image]),
	"fix": "use a lower-case repository name pinned by a sha256 digest",
} if {
	not images.valid(image)
}

# Only a digest pins the content: a tag, even one spelled like a digest, can move.
image_problem(image) := {
	"what": sprintf("has image \"%s\", which is not pinned by digest", [image]),
	"fix": "pin it by digest (append @sha256:<digest> of the reviewed image)",
} if {
	images.parse(image).digest == ""
}
