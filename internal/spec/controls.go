package spec

import (
	"strings"
)

// Control is one item of a compliance framework that policies reference in
// their Compliance list, with the reason when no admission policy can cover it.
type Control struct {
	// ID is what a policy writes in Compliance, e.g. "PSS baseline: Sysctls" or "CIS 5.2.2".
	ID string
	// Title is a short paraphrase of the control.
	Title string
	// NotAdmission explains why the control is out of reach of an admission
	// policy (empty when a policy can enforce it).
	NotAdmission string
}

// Framework is a named list of controls.
type Framework struct {
	Name     string
	Source   string
	Controls []Control
}

// Frameworks are the compliance frameworks of the compliance matrix. The Pod
// Security Standards controls are those of Kubernetes 1.36; the CIS items are
// section 5 (Policies) of the CIS Kubernetes Benchmark, numbered as in v1.9.
var Frameworks = []Framework{
	{
		Name:   "Pod Security Standards",
		Source: "https://kubernetes.io/docs/concepts/security/pod-security-standards/",
		Controls: []Control{
			{ID: "PSS baseline: HostProcess", Title: "Windows HostProcess containers are not allowed"},
			{ID: "PSS baseline: Host Namespaces", Title: "hostNetwork, hostPID and hostIPC are not allowed"},
			{ID: "PSS baseline: Privileged Containers", Title: "privileged containers are not allowed"},
			{ID: "PSS baseline: Capabilities", Title: "only a default-like set of capabilities may be added"},
			{ID: "PSS baseline: HostPath Volumes", Title: "hostPath volumes are not allowed"},
			{ID: "PSS baseline: Host Ports", Title: "hostPort is not allowed (or limited to a known list)"},
			{ID: "PSS baseline: Host Probes / Lifecycle Hooks", Title: "probes and lifecycle handlers may not target another host"},
			{ID: "PSS baseline: AppArmor", Title: "the AppArmor profile may not be unconfined"},
			{ID: "PSS baseline: SELinux", Title: "SELinux type is limited and user or role may not be set"},
			{ID: "PSS baseline: /proc Mount Type", Title: "the default /proc masking is kept"},
			{ID: "PSS baseline: Seccomp", Title: "the seccomp profile may not be Unconfined"},
			{ID: "PSS baseline: Sysctls", Title: "only a safe set of sysctls may be set"},
			{ID: "PSS restricted: Volume Types", Title: "only ephemeral-friendly volume types are allowed"},
			{ID: "PSS restricted: Privilege Escalation", Title: "allowPrivilegeEscalation must be false"},
			{ID: "PSS restricted: Running as Non-root", Title: "runAsNonRoot must be true"},
			{ID: "PSS restricted: Running as Non-root user", Title: "runAsUser may not be 0"},
			{ID: "PSS restricted: Seccomp", Title: "a seccomp profile must be set (RuntimeDefault or Localhost)"},
			{ID: "PSS restricted: Capabilities", Title: "drop ALL; add at most NET_BIND_SERVICE"},
			{ID: "PSS restricted: /proc Mount Type", Title: "the default /proc masking is kept, also in user namespaces"},
		},
	},
	{
		Name:   "CIS Kubernetes Benchmark, section 5",
		Source: "https://www.cisecurity.org/benchmark/kubernetes",
		Controls: []Control{
			{ID: "CIS 5.1.1", Title: "cluster-admin is bound only where required"},
			{ID: "CIS 5.1.2", Title: "access to Secrets is minimised"},
			{ID: "CIS 5.1.3", Title: "wildcards in Roles and ClusterRoles are minimised"},
			{ID: "CIS 5.1.4", Title: "access to create pods is minimised", NotAdmission: "who may create pods is a question of all bindings together; review with an RBAC audit tool"},
			{ID: "CIS 5.1.5", Title: "default service accounts are not actively used"},
			{ID: "CIS 5.1.6", Title: "service account tokens are mounted only where needed"},
			{ID: "CIS 5.1.7", Title: "the system:masters group is not used"},
			{ID: "CIS 5.1.8", Title: "bind, impersonate and escalate permissions are limited"},
			{ID: "CIS 5.1.9", Title: "access to create persistent volumes is minimised"},
			{ID: "CIS 5.1.10", Title: "access to the nodes/proxy subresource is minimised"},
			{ID: "CIS 5.1.11", Title: "access to approve certificate signing requests is minimised"},
			{ID: "CIS 5.1.12", Title: "access to webhook configurations is minimised"},
			{ID: "CIS 5.1.13", Title: "access to create service account tokens is minimised"},
			{ID: "CIS 5.2.1", Title: "at least one active policy control mechanism is in place", NotAdmission: "met by running Gatekeeper with this library (or Pod Security Admission) itself"},
			{ID: "CIS 5.2.2", Title: "privileged containers are minimised"},
			{ID: "CIS 5.2.3", Title: "sharing the host PID namespace is minimised"},
			{ID: "CIS 5.2.4", Title: "sharing the host IPC namespace is minimised"},
			{ID: "CIS 5.2.5", Title: "sharing the host network namespace is minimised"},
			{ID: "CIS 5.2.6", Title: "allowPrivilegeEscalation is minimised"},
			{ID: "CIS 5.2.7", Title: "root containers are minimised"},
			{ID: "CIS 5.2.8", Title: "the NET_RAW capability is minimised"},
			{ID: "CIS 5.2.9", Title: "added capabilities are minimised"},
			{ID: "CIS 5.2.10", Title: "containers with capabilities assigned are minimised"},
			{ID: "CIS 5.2.11", Title: "Windows HostProcess containers are minimised"},
			{ID: "CIS 5.2.12", Title: "hostPath volumes are minimised"},
			{ID: "CIS 5.2.13", Title: "hostPort use is minimised"},
			{ID: "CIS 5.3.1", Title: "the CNI supports NetworkPolicies", NotAdmission: "a property of the cluster's network plugin, not of any object"},
			{ID: "CIS 5.3.2", Title: "every namespace has NetworkPolicies"},
			{ID: "CIS 5.4.1", Title: "Secrets are used as files rather than environment variables"},
			{ID: "CIS 5.4.2", Title: "external secret storage is considered", NotAdmission: "an architecture decision (KMS, an external secret store), not an object field"},
			{ID: "CIS 5.5.1", Title: "image provenance is configured"},
			{ID: "CIS 5.7.1", Title: "namespaces draw administrative boundaries", NotAdmission: "an organisational decision; disallow-default-namespace enforces its visible part"},
			{ID: "CIS 5.7.2", Title: "a seccomp profile is set in pod definitions"},
			{ID: "CIS 5.7.3", Title: "a securityContext is applied to pods and containers"},
			{ID: "CIS 5.7.4", Title: "the default namespace is not used"},
		},
	},
}

// ControlID returns the control a Compliance entry names: the entry itself, or
// its part before " (" for entries with a remark, e.g. "CIS 5.5.1 (image provenance)".
func ControlID(ref string) string {
	if i := strings.Index(ref, " ("); i >= 0 {
		return ref[:i]
	}
	return ref
}

// KnownControl reports whether id is a control of one of the Frameworks.
func KnownControl(id string) bool {
	for _, f := range Frameworks {
		for _, c := range f.Controls {
			if c.ID == id {
				return true
			}
		}
	}
	return false
}
