// Command ratios reads the output of the policy benchmarks (bench/policies,
// `go test -bench`) on standard input and prints what the figures mean: each
// policy's cost as a multiple of the floor (a template that does nothing), CEL
// against Rego, the whole bundle against the sum of its policies, scaling with
// the container count, and what that gives for a cluster. It flags the
// policies beyond the budgets and exits 1 when the input holds failures.
//
//	go test ./bench/policies -run '^$' -bench . -benchmem | tee bench/latest.txt
//	go run ./bench/ratios < bench/latest.txt
package main

import (
	"fmt"
	"io"
	"os"

	"github.com/gatewarden/gatewarden/bench/internal/benchfmt"
)

func main() {
	s, err := benchfmt.Parse(os.Stdin)
	if err != nil {
		fmt.Fprintln(os.Stderr, "ratios:", err)
		os.Exit(2)
	}
	if len(s.Results) == 0 {
		fmt.Fprintln(os.Stderr, "ratios: no benchmark results on standard input")
		os.Exit(2)
	}
	if !write(os.Stdout, s) {
		os.Exit(1)
	}
}

// write prints every table and reports whether the run was free of failures.
func write(w io.Writer, s *benchfmt.Set) bool {
	r := newReport(s)
	r.header(w)
	r.floor(w)
	r.allowed(w)
	r.violating(w)
	r.celVsRego(w)
	r.messages(w)
	r.bundle(w)
	r.cluster(w)
	r.scaling(w)
	r.startup(w)
	r.summary(w)
	if len(s.Failures) > 0 {
		fmt.Fprintf(w, "\nThe run FAILED, figures are incomplete:\n")
		for _, f := range s.Failures {
			fmt.Fprintf(w, "  %s\n", f)
		}
		return false
	}
	return true
}
