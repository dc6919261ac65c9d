package k8snovulnerableimages

import data.lib.exempt
import data.lib.images
import data.lib.update
import data.lib.workload

violation contains v if {
	some v in (findings(input.review.object) - findings(update.previous_object))
}

severity_threshold := object.get(input, ["parameters", "severityThreshold"], "CRITICAL")

require_report := object.get(input, ["parameters", "requireReport"], false)

# The severities of a report's summary, from the most severe down.
severities := [
	{"name": "CRITICAL", "count": "criticalCount", "label": "critical"},
	{"name": "HIGH", "count": "highCount", "label": "high"},
	{"name": "MEDIUM", "count": "mediumCount", "label": "medium"},
	{"name": "LOW", "count": "lowCount", "label": "low"},
]

findings(obj) := {finding |
	some entry in workload.containers(obj)
	not exempt.container_is_exempt(entry)
	problem := image_problem(obj, entry.image)
	finding := {
		"msg": sprintf("%s: container \"%s\" %s (%s.image), %s", [workload.display_name(obj), entry.name, problem.what, entry.path, problem.fix]),
		"details": object.union(problem.details, {"container": entry.name, "field": sprintf("%s.image", [entry.path]), "value": entry.image}),
	}
}

# image_problem(obj, image) is what is wrong with an image; the bodies exclude each other.
image_problem(_, image) := {
	"what": sprintf("has image \"%s\", which is not a valid image reference", [image]),
	"fix": "use a lower-case repository name with a tag or a sha256 digest",
	"details": {},
} if {
	not images.valid(image)
}

# Several workloads of a namespace may share an image, each with its report: the
# first report by name that has findings speaks for them.
image_problem(obj, image) := {
	"what": sprintf("has image \"%s\" with known vulnerabilities at or above %s: %s in VulnerabilityReport \"%s\"", [image, severity_threshold, counts_text(report), name]),
	"fix": "deploy a version of the image with them fixed",
	"details": {"vulnerabilityReport": name, "severityThreshold": severity_threshold, "summary": object.get(report, ["report", "summary"], {})},
} if {
	ref := images.parse(image)
	names := sort([candidate |
		some candidate, r in reports(obj)
		report_is_for(r, ref)
		count_at_threshold(r) > 0
	])
	count(names) > 0
	name := names[0]
	report := reports(obj)[name]
}

image_problem(obj, image) := {
	"what": sprintf("has image \"%s\" with no VulnerabilityReport in namespace \"%s\"", [image, namespace_of(obj)]),
	"fix": "let trivy-operator scan it before it is deployed here, or exempt it",
	"details": {},
} if {
	require_report == true
	ref := images.parse(image)
	not has_report(obj, ref)
}

namespace_of(obj) := obj.metadata.namespace if {
	is_string(obj.metadata.namespace)
	obj.metadata.namespace != ""
} else := input.review.namespace

reports(obj) := data.inventory.namespace[namespace_of(obj)]["aquasecurity.github.io/v1alpha1"].VulnerabilityReport

has_report(obj, ref) if {
	some report in reports(obj)
	report_is_for(report, ref)
}

# A report names its image as go-containerregistry parses it: registry.server
# index.docker.io and repository library/nginx for nginx, tag latest for an
# untagged image, and only the digest for an image pulled by digest. A report for
# a tag says nothing about a digest-pinned image, nor the other way round: the
# tag may have moved.
report_is_for(report, ref) if {
	artifact := object.get(report, ["report", "artifact"], {})
	registry := report_registry(object.get(report, ["report", "registry", "server"], ""))
	registry == lower(ref.registry)
	report_repository(registry, object.get(artifact, "repository", "")) == ref.repository
	identifier_matches(artifact, ref)
}

report_registry(server) := "docker.io" if {
	lower(server) in {"", "docker.io", "index.docker.io"}
} else := lower(server)

report_repository(registry, repository) := concat("/", ["library", repository]) if {
	registry == "docker.io"
	not contains(repository, "/")
} else := repository

identifier_matches(artifact, ref) if {
	ref.digest != ""
	object.get(artifact, "digest", "") == ref.digest
}

identifier_matches(artifact, ref) if {
	ref.digest == ""
	object.get(artifact, "tag", "") == tag_or_latest(ref.tag)
}

tag_or_latest("") := "latest"

tag_or_latest(tag) := tag if tag != ""

# count_at_threshold(report) counts the findings at or above severity_threshold.
count_at_threshold(report) := sum([n |
	some i, severity in severities
	i <= threshold_rank
	n := summary_count(report, severity.count)
])

threshold_rank := i if {
	some i, severity in severities
	severity.name == severity_threshold
}

summary_count(report, field) := n if {
	n := object.get(report, ["report", "summary", field], 0)
	is_number(n)
} else := 0

counts_text(report) := concat(", ", [sprintf("%v %s", [summary_count(report, severity.count), severity.label]) | some severity in severities])
