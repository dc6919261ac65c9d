package main

import (
	"bytes"
	"regexp"
	"strings"
	"testing"

	"github.com/gatewarden/gatewarden/bench/internal/benchfmt"
)

// A run in miniature: two policies, one cheap and one over its budgets.
const run = `goos: linux
goarch: amd64
cpu: Test CPU
BenchmarkPolicy/policy=cheap/engine=rego/object=deployment-allowed-2     100  1500 ns/op  0 findings  10 B/op  3 allocs/op
BenchmarkPolicy/policy=cheap/engine=cel/object=deployment-allowed-2      100   600 ns/op  0 findings  10 B/op  1 allocs/op
BenchmarkPolicy/policy=cheap/engine=rego/object=deployment-violating-2   100  1600 ns/op  2 findings  10 B/op  1 allocs/op
BenchmarkPolicy/policy=cheap/engine=cel/object=deployment-violating-2    100   700 ns/op  2 findings  10 B/op  1 allocs/op
BenchmarkPolicy/policy=dear/engine=rego/object=deployment-allowed-2      100  4000 ns/op  0 findings  10 B/op  1 allocs/op
BenchmarkPolicy/policy=dear/engine=cel/object=deployment-allowed-2       100  5000 ns/op  0 findings  10 B/op  4 allocs/op
BenchmarkPolicy/policy=dear/engine=rego/object=deployment-violating-2    100  4000 ns/op  0 findings  10 B/op  1 allocs/op
BenchmarkPolicy/policy=dear/engine=cel/object=deployment-violating-2     100  5000 ns/op  0 findings  10 B/op  1 allocs/op
BenchmarkPolicy/policy=dear/engine=rego/object=suite-violating-2         100  4100 ns/op  1 findings  10 B/op  1 allocs/op
BenchmarkPolicy/policy=dear/engine=cel/object=suite-violating-2          100  5100 ns/op  1 findings  10 B/op  1 allocs/op
BenchmarkMessages/policy=cheap/engine=cel/object=deployment-allowed-2    100   400 ns/op  0 findings  10 B/op  1 allocs/op
BenchmarkMessages/policy=dear/engine=cel/object=deployment-allowed-2     100  3000 ns/op  0 findings  10 B/op  3 allocs/op
BenchmarkFloor/engine=rego/object=deployment-allowed-2                   100  1000 ns/op  0 findings  10 B/op  1 allocs/op
BenchmarkFloor/engine=cel/object=deployment-allowed-2                    100   500 ns/op  0 findings  10 B/op  1 allocs/op
BenchmarkFloor/engine=rego/object=deployment-violating-2                 100  1000 ns/op  0 findings  10 B/op  1 allocs/op
BenchmarkFloor/engine=cel/object=deployment-violating-2                  100   500 ns/op  0 findings  10 B/op  1 allocs/op
BenchmarkScaling/policy=cheap/engine=rego/containers=1-2                 100  1000 ns/op  1 findings  10 B/op  1 allocs/op
BenchmarkScaling/policy=cheap/engine=rego/containers=10-2                100  5000 ns/op  10 findings  10 B/op  1 allocs/op
BenchmarkScaling/policy=cheap/engine=rego/containers=100-2               100 50000 ns/op  100 findings  10 B/op  9 allocs/op
BenchmarkScaling/policy=dear/engine=cel/containers=1-2                   100  1000 ns/op  1 findings  10 B/op  1 allocs/op
BenchmarkScaling/policy=dear/engine=cel/containers=10-2                  100  5000 ns/op  10 findings  10 B/op  1 allocs/op
BenchmarkScaling/policy=dear/engine=cel/containers=100-2                 100 80000 ns/op  100 findings  10 B/op  1 allocs/op
BenchmarkBundle/engine=auto/op=admission/object=deployment-allowed-2     100  4000 ns/op  0 findings  10 B/op  1 allocs/op
BenchmarkBundle/engine=auto/op=audit/object=pod-allowed-2                100  2000000 ns/op  0 findings  10 B/op  1 allocs/op
BenchmarkLoad/engine=auto-2                                                1  3000000000 ns/op  10 B/op  1 allocs/op
`

func render(t *testing.T, in string) (string, bool) {
	t.Helper()
	s, err := benchfmt.Parse(strings.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	ok := write(&out, s)
	// Column widths depend on every row: compare with single spaces.
	return spaces.ReplaceAllString(out.String(), " "), ok
}

var spaces = regexp.MustCompile(`[ \t]+`)

func TestRatios(t *testing.T) {
	out, ok := render(t, run)
	if !ok {
		t.Errorf("a run without failures was reported as failed:\n%s", out)
	}
	for _, want := range []string{
		"Machine: Test CPU, linux/amd64, GOMAXPROCS 2. Figures: wall time per review (ns/op)",
		// cheap: 1.5x and 1.2x its floors (3x in allocations), CEL 0.4x Rego.
		"cheap deployment-allowed 1.50 µs 1.50x 3.00x 600 ns 1.20x 1.00x 0.40x",
		// dear: 4x and 10x its floors, CEL slower than Rego.
		"dear: rego > 3x floor (4.0x)",
		"dear: cel > 2x floor (10.0x)",
		"dear on deployment-allowed (cel/rego 1.25x)",
		// The violating Deployment does not violate dear: its suite case stands in.
		"Not violated by the insecure Deployment (measured on their suite's first violating case too): 1\n dear\n",
		"dear suite-violating 1 4.10 µs 5.10 µs 1.24x",
		// Without messageExpressions: cheap 400 of 600 ns, dear 3000 of 5000
		// (below Rego's 4000) and 3 of 4 allocations.
		"cheap deployment-allowed 1.50 µs 600 ns 400 ns 33% 0% 0.27x",
		"dear deployment-allowed 4.00 µs 5.00 µs 3.00 µs 40% 25% 0.75x",
		"One pass is faster than Rego for 2 of 2 policies",
		// Bundle against the sum of singles: auto takes CEL (600 + 5000).
		"auto deployment-allowed 0 4.00 µs 2 5.60 µs 0.71x",
		// 10 -> 100 containers: cheap is linear, dear is not.
		"cheap rego 1.00 µs 5.00 µs 50.0 µs 5.00x 10.00x 9.00x",
		"dear (cel): 16.0x",
		// Cluster figures: 1e9/4000 reviews per second per core, audit of 10k pods at 2 ms.
		"auto deployment-allowed 250000 500000",
		"auto pod-allowed - - 20.0 s 10.0 s",
		"load bundle into a fresh auto client 3.00 s",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "cheap:") || strings.Contains(out, "cheap (rego)") {
		t.Errorf("cheap is flagged:\n%s", out)
	}
}

func TestRatiosReportFailures(t *testing.T) {
	out, ok := render(t, run+"--- FAIL: BenchmarkPolicy/policy=dear/engine=cel\nFAIL\n")
	if ok || !strings.Contains(out, "The run FAILED") {
		t.Errorf("a failed run was not reported:\n%s", out)
	}
}

// With CPU time in the input, every figure uses it.
func TestRatiosPreferCPUTime(t *testing.T) {
	out, _ := render(t, `cpu: Test CPU
BenchmarkPolicy/policy=p/engine=rego/object=deployment-allowed-2  100  9000 ns/op  3000 cpu-ns/op  0 findings  10 B/op  1 allocs/op
BenchmarkFloor/engine=rego/object=deployment-allowed-2            100  9000 ns/op  1000 cpu-ns/op  10 B/op  1 allocs/op
`)
	for _, want := range []string{"CPU time per review (cpu-ns/op", "p deployment-allowed 3.00 µs 3.00x"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
}
