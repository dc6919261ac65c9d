# Package lib.workload finds the pod spec of every kind that runs pods and lists
# every container in it, so no policy can be bypassed by wrapping a pod in a
# controller or by hiding a container among init or ephemeral containers.
package lib.workload

# Kinds whose pod template sits at spec.template.spec.
template_kinds := {"DaemonSet", "Deployment", "Job", "ReplicaSet", "ReplicationController", "StatefulSet"}

# pod_spec(obj) is the pod spec of a Pod, a workload or a CronJob; undefined otherwise.
pod_spec(obj) := obj.spec if obj.kind == "Pod"

pod_spec(obj) := obj.spec.template.spec if obj.kind in template_kinds

pod_spec(obj) := obj.spec.jobTemplate.spec.template.spec if obj.kind == "CronJob"

# pod_spec_path(obj) is the field path of that pod spec, for messages.
pod_spec_path(obj) := "spec" if obj.kind == "Pod"

pod_spec_path(obj) := "spec.template.spec" if obj.kind in template_kinds

pod_spec_path(obj) := "spec.jobTemplate.spec.template.spec" if obj.kind == "CronJob"

# pod_metadata(obj) is the metadata of the pods obj creates (annotations live there).
pod_metadata(obj) := object.get(obj, "metadata", {}) if obj.kind == "Pod"

pod_metadata(obj) := object.get(obj.spec.template, "metadata", {}) if obj.kind in template_kinds

pod_metadata(obj) := object.get(obj.spec.jobTemplate.spec.template, "metadata", {}) if obj.kind == "CronJob"

# container_fields are the three lists a pod spec keeps containers in.
container_fields := ["containers", "initContainers", "ephemeralContainers"]

# containers(obj) is the set of every container of obj, each as
# {"container": <the container>, "field": <list it is in>, "name": <its name>,
#  "image": <its image, "" when unset>,
#  "path": <its field path, e.g. spec.template.spec.initContainers[setup]>}.
containers(obj) := {entry |
	spec := pod_spec(obj)
	some field in container_fields
	some c in object.get(spec, field, [])
	is_object(c)
	name := string_or_empty(object.get(c, "name", ""))
	entry := {
		"container": c,
		"field": field,
		"name": name,
		"image": image_of(c),
		"path": sprintf("%s.%s[%v]", [pod_spec_path(obj), field, name]),
	}
}

string_or_empty(v) := v if {
	is_string(v)
} else := ""

image_of(c) := c.image if {
	is_string(c.image)
} else := ""

# display_name(obj) names obj in messages as Kind/name.
display_name(obj) := sprintf("%v/%v", [object.get(obj, "kind", ""), name_of(obj)])

name_of(obj) := obj.metadata.name if {
	is_string(obj.metadata.name)
	obj.metadata.name != ""
} else := sprintf("%v*", [obj.metadata.generateName]) if {
	is_string(obj.metadata.generateName)
} else := "<unnamed>"
