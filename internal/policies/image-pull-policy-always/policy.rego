package k8simagepullpolicyalways

import data.lib.exempt
import data.lib.images
import data.lib.update
import data.lib.workload

violation contains v if {
	some v in (findings(input.review.object) - findings(update.previous_object))
}

exempt_digest_pinned := object.get(input, ["parameters", "exemptDigestPinned"], true)

fix := "set imagePullPolicy: Always, or pin the image by digest" if {
	exempt_digest_pinned == true
} else := "set imagePullPolicy: Always"

findings(obj) := {finding |
	some entry in workload.containers(obj)
	not exempt.container_is_exempt(entry)
	problem := pull_problem(entry)
	finding := {
		"msg": sprintf("%s: container \"%s\" %s (%s), %s", [workload.display_name(obj), entry.name, problem.what, problem.where, problem.fix]),
		"details": {"container": entry.name, "field": problem.field, "value": problem.value},
	}
}

# pull_problem(entry) is what is wrong with a container; the bodies exclude each other.
# The image is quoted as is, not with %q: the CEL rules cannot escape it, and both
# engines must write the same message for an image holding a quote or a tab.
pull_problem(entry) := {
	"what": sprintf("has image \"%s\", which is not a valid image reference", [entry.image]),
	"where": sprintf("%s.image", [entry.path]),
	"fix": "use a lower-case repository name with a tag or a sha256 digest",
	"field": sprintf("%s.image", [entry.path]),
	"value": entry.image,
} if {
	not images.valid(entry.image)
}

pull_problem(entry) := {
	"what": sprintf("has imagePullPolicy \"%s\" for image \"%s\"", [policy, entry.image]),
	"where": sprintf("%s.imagePullPolicy=%s", [entry.path, policy]),
	"fix": fix,
	"field": sprintf("%s.imagePullPolicy", [entry.path]),
	"value": policy,
} if {
	ref := images.parse(entry.image)
	not digest_is_exempt(ref)
	policy := pull_policy(entry.container)
	policy != "Always"
}

# Admission sees the value the API server defaulted; manifests checked offline
# may leave it unset, and are judged as they will be admitted.
pull_problem(entry) := {
	"what": sprintf("leaves imagePullPolicy unset, which the API server defaults to IfNotPresent for image \"%s\"", [entry.image]),
	"where": sprintf("%s.imagePullPolicy", [entry.path]),
	"fix": fix,
	"field": sprintf("%s.imagePullPolicy", [entry.path]),
	"value": "",
} if {
	ref := images.parse(entry.image)
	not digest_is_exempt(ref)
	not pull_policy(entry.container)
	not defaults_to_always(ref)
}

pull_policy(container) := container.imagePullPolicy if {
	is_string(container.imagePullPolicy)
	container.imagePullPolicy != ""
}

digest_is_exempt(ref) if {
	exempt_digest_pinned == true
	ref.digest != ""
}

# The API server's default (k8s.io/kubernetes pkg/apis/core/v1 SetDefaults_Container):
# Always when the tag is latest, or when there is neither tag nor digest (the
# runtime pulls latest); IfNotPresent otherwise.
defaults_to_always(ref) if ref.tag == "latest"

defaults_to_always(ref) if {
	ref.tag == ""
	ref.digest == ""
}
