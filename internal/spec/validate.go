package spec

import (
	"errors"
	"fmt"
	"io/fs"
	"path"
	"reflect"
	"regexp"
	"sort"
	"strings"

	"github.com/open-policy-agent/opa/v1/ast"
)

// ErrInvalid wraps every problem Validate reports.
var ErrInvalid = errors.New("invalid policy")

var celParamRE = regexp.MustCompile(`variables\.params\.([A-Za-z_][A-Za-z0-9_]*)`)

// Validate checks a policy and reports every problem at once, each naming the
// policy and what to fix. fixtures, when not nil, is the tests/ tree: the policy
// must have tests/<key>/suite.yaml there.
func Validate(p *Policy, fixtures fs.FS) error {
	var errs []error
	add := func(format string, args ...any) {
		errs = append(errs, fmt.Errorf("%w %q: %s", ErrInvalid, p.Key, fmt.Sprintf(format, args...)))
	}

	if !keyRE.MatchString(p.Key) {
		add("key must be lower-case words joined by '-' (e.g. disallow-latest-tag)")
	}
	if !kindRE.MatchString(p.Kind) {
		add("kind %q must be UpperCamelCase starting with K8s (e.g. K8sDisallowLatestTag)", p.Kind)
	}
	if !semverRE.MatchString(p.Version) {
		add("version %q must be semver MAJOR.MINOR.PATCH", p.Version)
	}
	for field, v := range map[string]string{"Title": p.Title, "Description": p.Description, "Practice": p.Practice} {
		if strings.TrimSpace(v) == "" {
			add("%s is empty", field)
		}
	}
	if len(p.Bundles) == 0 {
		add("belongs to no bundle; set Bundles to some of %v", Bundles)
	}
	if !p.InBundle("hardened") {
		add("every policy belongs to the hardened bundle (everything the notes ask for): add \"hardened\" to Bundles")
	}
	for _, b := range p.Bundles {
		if !bundleSet[b] {
			add("unknown bundle %q; use one of %v", b, Bundles)
		}
	}
	switch p.Scope {
	case ScopeContainer, ScopePod, ScopeObject:
	default:
		add("scope %q must be one of container, pod, object", p.Scope)
	}
	switch p.Enforcement {
	case Deny, Warn, DryRun:
	default:
		add("enforcement %q must be one of deny, warn, dryrun", p.Enforcement)
	}
	if len(p.Match.Kinds) == 0 {
		add("match has no kinds")
	}
	for _, ref := range p.Compliance {
		if !KnownControl(ControlID(ref)) {
			add("compliance reference %q names no control of the compliance matrix (internal/spec/controls.go): write it as e.g. \"PSS baseline: Sysctls\" or \"CIS 5.2.2\", optionally followed by \" (remark)\"", ref)
		}
	}

	params := ParamNames(p.Params)
	if p.Params != nil {
		if _, err := Schema(p.Params); err != nil {
			add("parameters: %v", err)
		}
		if p.Defaults == nil || reflect.TypeOf(p.Defaults) != reflect.TypeOf(p.Params) {
			add("Defaults must be a value of the Params type %T", p.Params)
		}
	} else if p.Defaults != nil {
		add("Defaults is set but Params is nil")
	}
	for b, v := range p.BundleParams {
		if !p.InBundle(b) {
			add("BundleParams names bundle %q, which is not in Bundles", b)
		}
		if reflect.TypeOf(v) != reflect.TypeOf(p.Params) {
			add("BundleParams[%q] must be a value of the Params type %T", b, p.Params)
		}
	}
	if p.Scope == ScopeContainer && !params["exemptImages"] {
		add("container-scoped policies take an exemptImages parameter")
	}

	errs = append(errs, validateRego(p, params)...)

	switch {
	case p.Referential() && p.CEL != "":
		add("referential policies are Rego-only: CEL cannot read data.inventory; remove CEL or Sync")
	case !p.Referential() && strings.TrimSpace(p.CEL) == "":
		add("missing CEL (policy.cel): only referential policies may be Rego-only")
	}
	for _, m := range celParamRE.FindAllStringSubmatch(p.CEL, -1) {
		if !params[m[1]] {
			add("CEL reads variables.params.%s, which the Params struct does not declare", m[1])
		}
	}

	if fixtures != nil {
		if _, err := fs.Stat(fixtures, path.Join(p.Key, "suite.yaml")); err != nil {
			add("missing fixtures: tests/%s/suite.yaml", p.Key)
		}
	}
	return errors.Join(errs...)
}

func validateRego(p *Policy, params map[string]bool) []error {
	var errs []error
	add := func(format string, args ...any) {
		errs = append(errs, fmt.Errorf("%w %q: %s", ErrInvalid, p.Key, fmt.Sprintf(format, args...)))
	}
	if strings.TrimSpace(p.Rego) == "" {
		add("missing Rego (policy.rego)")
		return errs
	}
	mod, err := ast.ParseModuleWithOpts(p.Key+"/policy.rego", p.Rego, ast.ParserOptions{RegoVersion: ast.RegoV1})
	if err != nil {
		add("policy.rego does not parse as Rego v1: %v", err)
		return errs
	}
	if got := strings.TrimPrefix(mod.Package.Path.String(), "data."); got != p.TemplateName() {
		add("policy.rego package is %q, must be %q (the lower-cased Kind)", got, p.TemplateName())
	}
	readsInventory := false
	for _, imp := range mod.Imports {
		ref := imp.Path.String()
		switch {
		case strings.HasPrefix(ref, "data.lib."), strings.HasPrefix(ref, "future."), ref == "rego.v1":
		case ref == "data.inventory":
			add("import data.inventory is refused by Gatekeeper: reference data.inventory directly")
		default:
			add("import %s is not allowed: import only data.lib.* (Gatekeeper refuses other imports)", ref)
		}
	}
	undeclared := map[string]bool{}
	badData := map[string]bool{}
	ast.WalkRefs(mod, func(r ast.Ref) bool {
		if r.HasPrefix(ast.MustParseRef("data.inventory")) {
			readsInventory = true
		} else if r[0].Equal(ast.DefaultRootDocument) && len(r) > 1 && !r.HasPrefix(ast.MustParseRef("data.lib")) && !r.HasPrefix(mod.Package.Path) {
			badData[r[:2].String()] = true
		}
		if len(r) >= 3 && r[0].Equal(ast.InputRootDocument) && r[1].Equal(ast.StringTerm("parameters")) {
			if s, ok := r[2].Value.(ast.String); ok && !params[string(s)] {
				undeclared[string(s)] = true
			}
		}
		return false
	})
	for _, ref := range sortedKeys(badData) {
		add("Rego reads %s: only data.lib.* and data.inventory exist in Gatekeeper", ref)
	}
	names := make([]string, 0, len(undeclared))
	for n := range undeclared {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		add("Rego reads input.parameters.%s, which the Params struct does not declare", n)
	}
	if readsInventory && !p.Referential() {
		add("Rego reads data.inventory but Sync declares no kinds: list the kinds it reads")
	}
	if !readsInventory && p.Referential() {
		add("Sync declares kinds but the Rego never reads data.inventory")
	}
	return errs
}

func sortedKeys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
