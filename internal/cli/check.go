package cli

import (
	"errors"
	"fmt"
	"os"
	"runtime/debug"
	"slices"
	"strings"

	"github.com/spf13/cobra"
	"k8s.io/apimachinery/pkg/api/resource"

	"github.com/gatewarden/gatewarden/internal/check"
	"github.com/gatewarden/gatewarden/internal/engine"
	"github.com/gatewarden/gatewarden/internal/manifest"
	"github.com/gatewarden/gatewarden/internal/policies"
	"github.com/gatewarden/gatewarden/internal/report"
	"github.com/gatewarden/gatewarden/internal/spec"
)

type checkFlags struct {
	format, engine, bundle, failOn string
	kustomize, policies, inventory []string
	jobs                           int
	maxFileSize                    string
}

func newCheck() *cobra.Command {
	f := &checkFlags{}
	cmd := &cobra.Command{
		Use:   "check [PATH...]",
		Short: "Evaluate manifests offline against the policy library",
		Long: `check reads Kubernetes manifests (files, folders searched recursively for
.yaml/.yml/.json, - for standard input, or kustomize directories with -k) and
evaluates every object against the library's templates and constraints with the
constraint framework, exactly as Gatekeeper would at admission. List objects are
unwrapped. The input objects (and --inventory) also serve as the inventory of
referential policies, as Gatekeeper's sync would provide it: the kinds their
templates declare in metadata.gatekeeper.sh/requires-sync-data (every object
for a template that reads data without declaring them).

With --policies, the templates and constraints come from your own files or
overlay instead of the built-in library; their match (kinds, namespaces,
excludedNamespaces, labelSelector, namespaceSelector using Namespace objects of
the input) applies as in the cluster.

Exit codes:
  0  no violation at or above --fail-on
  1  at least one violation at or above --fail-on (default: deny)
  2  usage error, or input or policies that cannot be read or parsed (reported as
     file:line; every valid input is still evaluated and reported)

Environment:
  GOGC  the garbage collector's target; check uses 200 unless it is set (faster,
        for more memory: GOGC=100 trades the speed back)`,
		Example: `  gatewarden check examples/
  gatewarden check -o json deploy/app.yaml
  gatewarden check --bundle restricted deploy/
  gatewarden check -k overlays/prod
  helm template my-chart | gatewarden check -
  gatewarden check --policies my-policy-overlay/ --inventory cluster-state.yaml deploy/
  gatewarden check -o sarif deploy/ > gatewarden.sarif`,
		PreRunE: func(cmd *cobra.Command, args []string) error {
			return f.validate(args)
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			return f.run(cmd, args)
		},
	}
	fl := cmd.Flags()
	fl.StringVarP(&f.format, "output", "o", "text", "output format: "+strings.Join(report.FormatNames(), ", "))
	fl.StringVar(&f.engine, "engine", string(engine.Auto), "policy engine: auto (CEL where a template has it, else Rego, as Gatekeeper), rego, cel")
	fl.StringVar(&f.bundle, "bundle", "", "evaluate one bundle of the built-in library: "+strings.Join(spec.Bundles, ", ")+" (default: the whole library)")
	fl.StringVar(&f.failOn, "fail-on", report.FailOnDeny, "lowest enforcement action that fails the check: "+strings.Join(report.FailOnLevels, ", "))
	fl.StringArrayVarP(&f.kustomize, "kustomize", "k", nil, "build this kustomization directory and check its output (repeatable)")
	fl.StringArrayVar(&f.policies, "policies", nil, "use these rendered templates and constraints (files, folders or a kustomization) instead of the built-in library (repeatable)")
	fl.StringArrayVar(&f.inventory, "inventory", nil, "extra objects for referential policies, e.g. `kubectl get -o yaml` output; not checked themselves (repeatable)")
	fl.IntVarP(&f.jobs, "jobs", "j", 0, "objects reviewed in parallel (default: the number of CPUs)")
	fl.StringVar(&f.maxFileSize, "max-file-size", "32Mi", "largest input file (or stdin) read, as a Kubernetes quantity (e.g. 64Mi)")
	return cmd
}

func (f *checkFlags) validate(args []string) error {
	usage := func(err error) error { return &exitError{ExitUsage, err} }
	if len(args) == 0 && len(f.kustomize) == 0 {
		return usage(errors.New("nothing to check: give a PATH, - for stdin, or -k DIR"))
	}
	if _, err := report.ForFormat(f.format); err != nil {
		return usage(err)
	}
	if _, err := engine.ParseEngine(f.engine); err != nil {
		return usage(err)
	}
	if !slices.Contains(report.FailOnLevels, f.failOn) {
		return usage(fmt.Errorf("unknown --fail-on %q: use one of %s", f.failOn, strings.Join(report.FailOnLevels, ", ")))
	}
	if f.bundle != "" && !slices.Contains(spec.Bundles, f.bundle) {
		return usage(fmt.Errorf("unknown bundle %q: use one of %s", f.bundle, strings.Join(spec.Bundles, ", ")))
	}
	if f.bundle != "" && len(f.policies) > 0 {
		return usage(errors.New("--bundle selects from the built-in library: it cannot be combined with --policies"))
	}
	if q, err := resource.ParseQuantity(f.maxFileSize); err != nil || q.Sign() <= 0 {
		return usage(fmt.Errorf("--max-file-size %q: give a positive quantity such as 32Mi or 100M", f.maxFileSize))
	} else {
		manifest.SetMaxFileSize(q.Value())
	}
	if f.jobs < 0 {
		return usage(fmt.Errorf("--jobs must be positive, got %d", f.jobs))
	}
	return nil
}

// checkGCPercent is the garbage collector's target while check runs, unless
// GOGC is set. Reviews allocate much and keep little: on 3,000 objects, three
// runs at 200 took on average 16% less time and CPU than three at Go's default
// (100), for 38% more peak memory (the heap may grow to three times what is
// live instead of two). docs/performance.md has the figures.
const checkGCPercent = 200

func (f *checkFlags) run(cmd *cobra.Command, args []string) error {
	if os.Getenv("GOGC") == "" {
		defer debug.SetGCPercent(debug.SetGCPercent(checkGCPercent))
	}
	out, _ := report.ForFormat(f.format)
	if t, ok := out.(report.Text); ok {
		t.Color = isTerminal(cmd.OutOrStdout())
		out = t
	}
	eng, _ := engine.ParseEngine(f.engine)
	var lib *check.Library
	if len(f.policies) > 0 {
		var problems []error
		l, probs := check.LoadLibrary(f.policies)
		for _, p := range probs {
			problems = append(problems, p)
		}
		if len(problems) > 0 {
			return &exitError{ExitUsage, fmt.Errorf("--policies: %w", errors.Join(problems...))}
		}
		lib = l
	} else {
		all, err := policies.All()
		if err != nil {
			return &exitError{ExitUsage, err}
		}
		if lib, err = check.BuiltIn(all, f.bundle); err != nil {
			return &exitError{ExitUsage, err}
		}
	}
	rep, err := check.Run(cmd.Context(), check.Config{
		Paths: args, Kustomize: f.kustomize, Inventory: f.inventory,
		Stdin: cmd.InOrStdin(), Engine: eng, Library: lib, Workers: f.jobs,
	})
	if err != nil {
		return &exitError{ExitUsage, err}
	}
	if err := out.Output(cmd.OutOrStdout(), rep); err != nil {
		return &exitError{ExitUsage, err}
	}
	switch {
	case rep.Summary.Errors > 0:
		return &exitError{code: ExitUsage}
	case rep.Fails(f.failOn):
		return &exitError{code: ExitViolations}
	}
	return nil
}

func isTerminal(w any) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	info, err := f.Stat()
	return err == nil && info.Mode()&os.ModeCharDevice != 0 && os.Getenv("NO_COLOR") == ""
}
