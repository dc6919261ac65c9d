// Package benchfmt reads the output of `go test -bench` (the format benchstat
// reads): configuration lines such as "cpu: ..." and one result line per
// benchmark run.
package benchfmt

import (
	"bufio"
	"fmt"
	"io"
	"regexp"
	"sort"
	"strconv"
	"strings"
)

// Result is one result line.
type Result struct {
	// Name is the benchmark's full name without the -GOMAXPROCS suffix.
	Name  string
	Procs int
	Iters int
	// Values maps units ("ns/op", "B/op", "allocs/op", custom ones) to values.
	Values map[string]float64
}

// Set is a parsed benchmark output.
type Set struct {
	// Config holds the "key: value" lines (goos, goarch, pkg, cpu, ...); the
	// last value wins.
	Config  map[string]string
	Results []Result
	// Failures are the lines that report a failed benchmark or package.
	Failures []string
}

var (
	configRE = regexp.MustCompile(`^([a-z][a-zA-Z0-9_-]*): (.*)$`)
	procsRE  = regexp.MustCompile(`^(.*)-(\d+)$`)
)

// Parse reads benchmark output. Lines that are neither configuration nor
// results (logs, PASS, ok) are skipped; malformed result lines are errors.
func Parse(r io.Reader) (*Set, error) {
	s := &Set{Config: map[string]string{}}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 1024*1024), 1024*1024)
	line := 0
	for sc.Scan() {
		line++
		text := strings.TrimRight(sc.Text(), " \t\r")
		switch {
		case strings.HasPrefix(text, "Benchmark"):
			res, ok, err := parseResult(text)
			if err != nil {
				return nil, fmt.Errorf("line %d: %w", line, err)
			}
			if ok {
				s.Results = append(s.Results, res)
			}
		case strings.HasPrefix(text, "--- FAIL") || strings.HasPrefix(text, "FAIL") || strings.HasPrefix(text, "panic:"):
			s.Failures = append(s.Failures, text)
		default:
			if m := configRE.FindStringSubmatch(text); m != nil {
				s.Config[m[1]] = m[2]
			}
		}
	}
	return s, sc.Err()
}

// parseResult reads "BenchmarkName-2  100  1234 ns/op  56 B/op ...". A line
// with the name alone (a benchmark that printed logs before its result, or
// failed) is not a result.
func parseResult(line string) (Result, bool, error) {
	f := strings.Fields(line)
	if len(f) < 2 {
		return Result{}, false, nil
	}
	iters, err := strconv.Atoi(f[1])
	if err != nil {
		return Result{}, false, nil
	}
	if len(f)%2 != 0 {
		return Result{}, false, fmt.Errorf("%s: values and units do not pair up", f[0])
	}
	r := Result{Name: f[0], Procs: 1, Iters: iters, Values: map[string]float64{}}
	if m := procsRE.FindStringSubmatch(f[0]); m != nil {
		r.Name = m[1]
		r.Procs, _ = strconv.Atoi(m[2])
	}
	for i := 2; i < len(f); i += 2 {
		v, err := strconv.ParseFloat(f[i], 64)
		if err != nil {
			return Result{}, false, fmt.Errorf("%s: value %q: %w", r.Name, f[i], err)
		}
		r.Values[f[i+1]] = v
	}
	return r, true, nil
}

// Names lists the distinct benchmark names in order of first appearance.
func (s *Set) Names() []string {
	seen := map[string]bool{}
	var out []string
	for _, r := range s.Results {
		if !seen[r.Name] {
			seen[r.Name] = true
			out = append(out, r.Name)
		}
	}
	return out
}

// Value is the median of a benchmark's values in a unit over its runs
// (-count), and whether there was any.
func (s *Set) Value(name, unit string) (float64, bool) {
	var vs []float64
	for _, r := range s.Results {
		if r.Name != name {
			continue
		}
		if v, ok := r.Values[unit]; ok {
			vs = append(vs, v)
		}
	}
	if len(vs) == 0 {
		return 0, false
	}
	sort.Float64s(vs)
	if len(vs)%2 == 1 {
		return vs[len(vs)/2], true
	}
	return (vs[len(vs)/2-1] + vs[len(vs)/2]) / 2, true
}

// Procs is the GOMAXPROCS of the run (the largest -N suffix seen; 1 without).
func (s *Set) Procs() int {
	p := 1
	for _, r := range s.Results {
		p = max(p, r.Procs)
	}
	return p
}

// Key splits a benchmark name into its top-level function (without the
// Benchmark prefix) and its key=value parts, e.g.
// "BenchmarkPolicy/policy=x/engine=rego" is "Policy" and {policy: x, engine: rego}.
// Parts without '=' are kept under their position ("1", "2", ...).
func Key(name string) (string, map[string]string) {
	parts := strings.Split(name, "/")
	kv := map[string]string{}
	for i, p := range parts[1:] {
		if k, v, ok := strings.Cut(p, "="); ok {
			kv[k] = v
		} else {
			kv[strconv.Itoa(i+1)] = p
		}
	}
	return strings.TrimPrefix(parts[0], "Benchmark"), kv
}

// Name builds a benchmark name from its top-level function and parts, in the
// order given: Name("Policy", "policy", "x", "engine", "rego").
func Name(top string, kv ...string) string {
	var b strings.Builder
	b.WriteString("Benchmark" + top)
	for i := 0; i+1 < len(kv); i += 2 {
		b.WriteString("/" + kv[i] + "=" + kv[i+1])
	}
	return b.String()
}

// Names of the objects bench/policies measures a review on, as they appear in
// its benchmark names (obj=<name>) and as bench/ratios reads them. Names must
// not end in -<digits>: go test appends -GOMAXPROCS to benchmark names.
const (
	PodAllowed          = "pod-allowed"
	PodViolating        = "pod-violating"
	DeploymentAllowed   = "deployment-allowed"
	DeploymentViolating = "deployment-violating"
	SuiteAllowed        = "suite-allowed"
	SuiteViolating      = "suite-violating"
)
