package cli

import (
	"fmt"
	"os"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/gatewarden/gatewarden/internal/check"
	"github.com/gatewarden/gatewarden/internal/engine"
	"github.com/gatewarden/gatewarden/internal/policies"
	"github.com/gatewarden/gatewarden/internal/report"
	"github.com/gatewarden/gatewarden/internal/spec"
)

func newCheck() *cobra.Command {
	var format, engineName, bundle string
	cmd := &cobra.Command{
		Use:   "check PATH...",
		Short: "Evaluate manifests offline against the policy library",
		Long: `check reads Kubernetes manifests (files, folders searched recursively for
.yaml/.yml/.json, or - for standard input) and evaluates every object against the
library's templates and constraints with the constraint framework, exactly as
Gatekeeper would at admission. The input objects also serve as the inventory of
referential policies (a Deployment's ServiceAccount from the same files).

Exit codes:
  0  no deny violations
  1  at least one deny violation
  2  usage error, or input that cannot be read or parsed (reported as file:line;
     every valid input is still evaluated and reported)`,
		Example: `  gatewarden check examples/
  gatewarden check -o json deploy/app.yaml
  gatewarden check --bundle restricted deploy/
  helm template my-chart | gatewarden check -`,
		Args: cobra.MinimumNArgs(1),
		PreRunE: func(cmd *cobra.Command, _ []string) error {
			if _, err := report.ForFormat(format); err != nil {
				return &exitError{ExitUsage, err}
			}
			if _, err := engine.ParseEngine(engineName); err != nil {
				return &exitError{ExitUsage, err}
			}
			if bundle != "" && !slices.Contains(spec.Bundles, bundle) {
				return &exitError{ExitUsage, fmt.Errorf("unknown bundle %q: use one of %s", bundle, strings.Join(spec.Bundles, ", "))}
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			out, _ := report.ForFormat(format)
			if t, ok := out.(report.Text); ok {
				t.Color = isTerminal(cmd.OutOrStdout())
				out = t
			}
			eng, _ := engine.ParseEngine(engineName)
			all, err := policies.All()
			if err != nil {
				return &exitError{ExitUsage, err}
			}
			lib, err := check.BuiltIn(all, bundle)
			if err != nil {
				return &exitError{ExitUsage, err}
			}
			rep, err := check.Run(cmd.Context(), check.Config{Paths: args, Stdin: cmd.InOrStdin(), Engine: eng, Library: lib})
			if err != nil {
				return &exitError{ExitUsage, err}
			}
			if err := out.Output(cmd.OutOrStdout(), rep); err != nil {
				return &exitError{ExitUsage, err}
			}
			switch {
			case rep.Summary.Errors > 0:
				return &exitError{code: ExitUsage}
			case rep.Summary.ByAction["deny"] > 0:
				return &exitError{code: ExitViolations}
			}
			return nil
		},
	}
	cmd.Flags().StringVarP(&format, "output", "o", "text", "output format: "+strings.Join(report.FormatNames(), ", "))
	cmd.Flags().StringVar(&bundle, "bundle", "", "evaluate one bundle only: "+strings.Join(spec.Bundles, ", ")+" (default: the whole library)")
	cmd.Flags().StringVar(&engineName, "engine", string(engine.Auto), "policy engine: auto (CEL where a template has it, else Rego, as Gatekeeper), rego, cel")
	return cmd
}

func isTerminal(w any) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	info, err := f.Stat()
	return err == nil && info.Mode()&os.ModeCharDevice != 0 && os.Getenv("NO_COLOR") == ""
}
