// Package cli implements the gatewarden command line: flags are parsed into a
// configuration, the work is done by the internal packages, and Main returns the
// exit code so tests can check it.
package cli

import (
	"errors"
	"fmt"
	"io"

	"github.com/spf13/cobra"
)

// Exit codes, documented in README and in `gatewarden check --help`.
const (
	ExitOK         = 0 // nothing to report
	ExitViolations = 1 // violations at or above --fail-on (check), drift (generate --check)
	ExitUsage      = 2 // bad flags or arguments, unreadable or malformed input
)

// exitError carries an exit code out of a command.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string {
	if e.err == nil {
		return fmt.Sprintf("exit %d", e.code)
	}
	return e.err.Error()
}

func (e *exitError) Unwrap() error { return e.err }

// Main runs the CLI with args and returns the exit code.
func Main(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	root := newRoot(stdin, stdout, stderr)
	root.SetArgs(args)
	err := root.Execute()
	if err == nil {
		return ExitOK
	}
	var ee *exitError
	if errors.As(err, &ee) {
		if ee.err != nil {
			fmt.Fprintf(stderr, "gatewarden: %v\n", ee.err)
		}
		return ee.code
	}
	// Anything cobra itself rejects (unknown flag or command, bad arguments).
	fmt.Fprintf(stderr, "gatewarden: %v\nRun 'gatewarden --help' for usage.\n", err)
	return ExitUsage
}

func newRoot(stdin io.Reader, stdout, stderr io.Writer) *cobra.Command {
	root := &cobra.Command{
		Use:   "gatewarden",
		Short: "Gatekeeper policies for securing Kubernetes microservices",
		Long: `gatewarden is a library of OPA Gatekeeper policies (ConstraintTemplates and
Constraints), the generator that renders them from a typed Go spec, and an offline
checker that evaluates manifests against them with the real constraint framework.`,
		Example: `  gatewarden check examples/          # check manifests against the library
  gatewarden generate                  # render templates/, constraints/, sync/
  gatewarden generate --check          # fail when committed files are out of date
  gatewarden explain K8sRunAsNonRoot   # a policy's reference page in the terminal`,
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.SetIn(stdin)
	root.SetOut(stdout)
	root.SetErr(stderr)
	root.AddCommand(newGenerate(), newCheck(), newExplain(), newNew())
	return root
}
