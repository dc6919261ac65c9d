# Package lib.securitycontext resolves securityContext fields the way the kubelet
# does: a container's own value wins, else the pod's. A field set to null counts
# as unset.
package lib.securitycontext

import data.lib.workload

# pod_value(obj, field) is the pod-level securityContext field; undefined when unset.
pod_value(obj, field) := v if {
	v := workload.pod_spec(obj).securityContext[field]
	v != null
}

# container_own_value(entry, field) is the container's own securityContext field; undefined when unset.
container_own_value(entry, field) := v if {
	v := entry.container.securityContext[field]
	v != null
}

# effective_value(obj, entry, field) is the value that applies to a container:
# its own, else the pod's; undefined when neither sets it.
effective_value(obj, entry, field) := v if {
	v := container_own_value(entry, field)
} else := v if {
	v := pod_value(obj, field)
}

# is_windows(obj) is true for pods that declare spec.os.name: windows, which the
# Pod Security Standards exempt from Linux-only controls.
is_windows(obj) if workload.pod_spec(obj).os.name == "windows"
