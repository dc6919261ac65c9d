// Package spec holds the typed description of a gatewarden policy: everything the
// generator renders (ConstraintTemplate, default Constraint, sync config, docs) is
// derived from a Policy value, so nothing about a policy is written twice by hand.
package spec

import (
	"regexp"
	"sort"
	"strings"
)

// Scope says what a policy inspects, which decides the conventions it must follow.
type Scope string

const (
	// ScopeContainer policies inspect each container (all container kinds) and take exemptImages.
	ScopeContainer Scope = "container"
	// ScopePod policies inspect pod-level fields; they are never exempt by image.
	ScopePod Scope = "pod"
	// ScopeObject policies inspect a non-pod object (Ingress, Role, ...).
	ScopeObject Scope = "object"
)

// Enforcement actions a default constraint may use.
const (
	Deny   = "deny"
	Warn   = "warn"
	DryRun = "dryrun"
)

// SystemNamespaces are excluded by every default constraint so that applying the
// library to a live cluster never blocks the control plane or Gatekeeper itself.
var SystemNamespaces = []string{"gatekeeper-system", "kube-node-lease", "kube-public", "kube-system"}

// GroupKinds is one entry of a constraint's match.kinds.
type GroupKinds struct {
	APIGroups []string `json:"apiGroups"`
	Kinds     []string `json:"kinds"`
}

// GVK names a kind that a referential policy reads from data.inventory.
type GVK struct {
	Group   string `json:"group"`
	Version string `json:"version"`
	Kind    string `json:"kind"`
}

// Workloads is the match of every pod-spec policy: the pod and every controller
// that embeds a pod template, so a bad Deployment is refused when it is applied.
var Workloads = []GroupKinds{
	{APIGroups: []string{""}, Kinds: []string{"Pod", "ReplicationController"}},
	{APIGroups: []string{"apps"}, Kinds: []string{"DaemonSet", "Deployment", "ReplicaSet", "StatefulSet"}},
	{APIGroups: []string{"batch"}, Kinds: []string{"CronJob", "Job"}},
}

// WorkloadKinds lists the kinds in Workloads.
func WorkloadKinds() []string {
	var out []string
	for _, gk := range Workloads {
		out = append(out, gk.Kinds...)
	}
	sort.Strings(out)
	return out
}

// Match is the match block of a policy's default constraint.
type Match struct {
	Kinds []GroupKinds
	// ExcludedNamespaces defaults to SystemNamespaces when nil.
	ExcludedNamespaces []string
	// NamespaceSelector, when set, limits the constraint to namespaces with
	// these labels (match.namespaceSelector.matchLabels).
	NamespaceSelector map[string]string
}

// Policy is one entry of the catalog.
type Policy struct {
	// Key names the policy in files and docs: lower-case words joined by '-'.
	Key string
	// Kind is the constraint kind; the template name is its lower-case form.
	Kind string
	// Title is a short human name; Description says what is enforced and why.
	Title       string
	Description string
	// Version is the template's semver, bumped whenever its rendered form changes.
	Version string
	// Practice is the practice of the security notes that the policy enforces.
	Practice string
	// Bundles lists the bundles (baseline, restricted, hardened) that include it.
	Bundles []string
	// Compliance lists references such as "PSS baseline: Privileged Containers" or "CIS 5.2.1".
	Compliance []string
	Scope      Scope

	// Params is the zero value of the parameter struct (nil for none): its type is
	// reflected into the template's openAPIV3Schema.
	Params any
	// Defaults is the parameter value of the default constraint: a value of the
	// same type as Params, so a shipped constraint cannot disagree with the schema.
	Defaults any
	// BundleParams overrides Defaults for the constraint of a bundle: a bundle
	// that reproduces a Pod Security Standards level uses that level's values
	// (the baseline allow-list of capabilities, say), while the default constraint
	// (the hardened bundle) uses the strictest. Values are of the Params type.
	BundleParams map[string]any

	Match Match
	// Enforcement is the default constraint's enforcementAction.
	Enforcement string

	// Rego is the policy's Rego v1 source (package = template name).
	Rego string
	// CEL is the policy's K8sNativeValidation source (see internal/policies/README);
	// empty only for referential policies.
	CEL string
	// Sync lists the kinds a referential policy reads from data.inventory.
	Sync []GVK
}

// TemplateName is the ConstraintTemplate's metadata.name: the lower-cased Kind.
func (p *Policy) TemplateName() string { return strings.ToLower(p.Kind) }

// Referential reports whether the policy reads data.inventory.
func (p *Policy) Referential() bool { return len(p.Sync) > 0 }

// Native reports whether Gatekeeper can hand the policy to the API server as a
// ValidatingAdmissionPolicy: it has CEL. A referential policy has none, and the
// API server could not serve it data.inventory anyway.
func (p *Policy) Native() bool { return p.CEL != "" }

// ExcludedNamespaces returns the default constraint's excluded namespaces.
func (p *Policy) ExcludedNamespaces() []string {
	if p.Match.ExcludedNamespaces == nil {
		return SystemNamespaces
	}
	return p.Match.ExcludedNamespaces
}

// ParamsFor returns the parameter value of the policy's constraint in a bundle.
func (p *Policy) ParamsFor(bundle string) any {
	if v, ok := p.BundleParams[bundle]; ok {
		return v
	}
	return p.Defaults
}

// InBundle reports whether the policy belongs to a bundle.
func (p *Policy) InBundle(bundle string) bool {
	for _, b := range p.Bundles {
		if b == bundle {
			return true
		}
	}
	return false
}

// ConstraintName is the name of the default constraint.
func (p *Policy) ConstraintName() string { return p.Key }

var (
	keyRE     = regexp.MustCompile(`^[a-z][a-z0-9]*(-[a-z0-9]+)*$`)
	kindRE    = regexp.MustCompile(`^K8s[A-Z][A-Za-z0-9]*$`)
	semverRE  = regexp.MustCompile(`^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)$`)
	bundleSet = map[string]bool{"baseline": true, "restricted": true, "hardened": true}
)

// Bundles are the names of the bundles a policy may belong to, in order of strictness.
var Bundles = []string{"baseline", "restricted", "hardened"}

// ValidKey reports whether key is a well-formed policy key (lower-case words
// joined by '-').
func ValidKey(key string) bool { return keyRE.MatchString(key) }

// ValidKind reports whether kind is a well-formed constraint Kind (K8s followed
// by UpperCamelCase).
func ValidKind(kind string) bool { return kindRE.MatchString(kind) }
