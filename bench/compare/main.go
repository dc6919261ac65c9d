// Command compare compares two `go test -bench` outputs, a baseline and a
// latest run, benchmark by benchmark, and exits 1 when any benchmark is slower
// than the baseline by more than the threshold (or the latest run failed).
//
//	go run ./bench/compare [-threshold 20] [-unit ns/op] bench/baseline.txt bench/latest.txt
//
// `make bench-compare` runs it on the committed baseline, comparing CPU time
// (cpu-ns/op, which bench/policies reports besides the wall time).
package main

import (
	"flag"
	"fmt"
	"io"
	"math"
	"os"

	"github.com/gatewarden/gatewarden/bench/internal/benchfmt"
)

func main() {
	threshold := flag.Float64("threshold", 20, "percentage by which a benchmark may be slower than the baseline")
	unit := flag.String("unit", "ns/op", "the unit compared")
	quiet := flag.Bool("q", false, "print only the benchmarks that changed beyond the threshold, and the summary")
	flag.Usage = func() {
		fmt.Fprintln(flag.CommandLine.Output(), "usage: compare [flags] baseline.txt latest.txt")
		flag.PrintDefaults()
	}
	flag.Parse()
	if flag.NArg() != 2 {
		flag.Usage()
		os.Exit(2)
	}
	sets := make([]*benchfmt.Set, 2)
	for i, path := range flag.Args() {
		s, err := read(path)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(2)
		}
		sets[i] = s
	}
	if !run(os.Stdout, sets[0], sets[1], *unit, *threshold/100, *quiet) {
		os.Exit(1)
	}
}

func read(path string) (*benchfmt.Set, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	s, err := benchfmt.Parse(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if len(s.Results) == 0 {
		return nil, fmt.Errorf("%s: no benchmark results", path)
	}
	return s, nil
}

// run prints the comparison and reports whether it passed.
func run(w io.Writer, base, latest *benchfmt.Set, unit string, threshold float64, quiet bool) bool {
	deltas := benchfmt.Compare(base, latest, unit, threshold)
	if len(deltas) == 0 {
		fmt.Fprintf(w, "FAIL: no benchmark of the baseline reports %s\n", unit)
		return false
	}
	fmt.Fprintf(w, "baseline: %s, GOMAXPROCS %d\nlatest:   %s, GOMAXPROCS %d\n", orUnknown(base.Config["cpu"]), base.Procs(), orUnknown(latest.Config["cpu"]), latest.Procs())
	if base.Config["cpu"] != latest.Config["cpu"] || base.Procs() != latest.Procs() {
		fmt.Fprintln(w, "note: the runs were taken on different machines; deltas compare the machines too")
	}
	fmt.Fprintln(w)
	width := len("benchmark")
	for _, d := range deltas {
		width = max(width, len(d.Name))
	}
	line := func(name, old, latest, delta, status string) {
		fmt.Fprintf(w, "%-*s  %14s  %14s  %8s  %s\n", width, name, old, latest, delta, status)
	}
	line("benchmark", "baseline "+unit, "latest "+unit, "delta", "")
	counts := map[benchfmt.Status]int{}
	for _, d := range deltas {
		counts[d.Status]++
		if quiet && (d.Status == benchfmt.Same || d.Status == benchfmt.Faster) {
			continue
		}
		line(d.Name, num(d.Old, d.Status != benchfmt.New), num(d.New, d.Status != benchfmt.Missing), pct(d.Change), status(d.Status))
	}
	fmt.Fprintf(w, "\n%d benchmarks: %d within ±%.0f%%, %d faster, %d slower, %d missing from the latest run, %d new; geometric mean of latest/baseline %.3f\n",
		len(deltas), counts[benchfmt.Same], threshold*100, counts[benchfmt.Faster], counts[benchfmt.Slower], counts[benchfmt.Missing], counts[benchfmt.New], benchfmt.GeoMean(deltas))
	ok := true
	if reg := benchfmt.Regressions(deltas); len(reg) > 0 {
		ok = false
		fmt.Fprintf(w, "\nFAIL: %d benchmarks are more than %.0f%% slower than the baseline:\n", len(reg), threshold*100)
		for _, d := range reg {
			fmt.Fprintf(w, "  %s %s\n", d.Name, pct(d.Change))
		}
	}
	if len(latest.Failures) > 0 {
		ok = false
		fmt.Fprintf(w, "\nFAIL: the latest run failed:\n")
		for _, f := range latest.Failures {
			fmt.Fprintf(w, "  %s\n", f)
		}
	}
	if ok {
		fmt.Fprintln(w, "\nPASS: no benchmark is slower than the baseline beyond the threshold")
	}
	return ok
}

func orUnknown(s string) string {
	if s == "" {
		return "unknown cpu"
	}
	return s
}

func num(v float64, present bool) string {
	if !present {
		return "-"
	}
	return fmt.Sprintf("%.0f", v)
}

func pct(c float64) string {
	if math.IsNaN(c) {
		return "-"
	}
	return fmt.Sprintf("%+.1f%%", c*100)
}

func status(s benchfmt.Status) string {
	if s == benchfmt.Same {
		return ""
	}
	return string(s)
}
