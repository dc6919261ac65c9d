package benchfmt

import (
	"math"
	"strings"
	"testing"
)

const sample = `goos: linux
goarch: amd64
pkg: github.com/gatewarden/gatewarden/bench/policies
cpu: AMD EPYC
BenchmarkPolicy/policy=capabilities/engine=rego/object=deployment-allowed-2         	     100	   1000000 ns/op	         0 findings	  164232 B/op	    3017 allocs/op
BenchmarkPolicy/policy=capabilities/engine=rego/object=deployment-allowed-2         	     100	   1200000 ns/op	         0 findings	  164232 B/op	    3017 allocs/op
BenchmarkPolicy/policy=capabilities/engine=rego/object=deployment-allowed-2         	     100	   3000000 ns/op	         0 findings	  164232 B/op	    3017 allocs/op
BenchmarkFloor/engine=cel/containers=100-2	      50	   4000000 ns/op	 1575944 B/op	   30415 allocs/op
BenchmarkLoad/engine=auto
    policies_bench_test.go:42: a log line: not config
BenchmarkLoad/engine=auto-2	       1	3021935070 ns/op
--- FAIL: BenchmarkScaling/policy=x/engine=cel
PASS
ok  	github.com/gatewarden/gatewarden/bench/policies	300.1s
`

func parse(t *testing.T, s string) *Set {
	t.Helper()
	set, err := Parse(strings.NewReader(s))
	if err != nil {
		t.Fatal(err)
	}
	return set
}

func TestParse(t *testing.T) {
	s := parse(t, sample)
	if got := s.Config["cpu"]; got != "AMD EPYC" {
		t.Errorf("cpu = %q", got)
	}
	if _, ok := s.Config["policies_bench_test.go"]; ok {
		t.Errorf("an indented log line was read as configuration")
	}
	if len(s.Results) != 5 {
		t.Fatalf("got %d results, want 5: %+v", len(s.Results), s.Results)
	}
	r := s.Results[3]
	if r.Name != "BenchmarkFloor/engine=cel/containers=100" || r.Procs != 2 || r.Iters != 50 {
		t.Errorf("name, procs, iterations = %q %d %d", r.Name, r.Procs, r.Iters)
	}
	if r.Values["ns/op"] != 4e6 || r.Values["B/op"] != 1575944 || r.Values["allocs/op"] != 30415 {
		t.Errorf("values = %v", r.Values)
	}
	if s.Procs() != 2 {
		t.Errorf("procs = %d", s.Procs())
	}
	// The median of three runs, not the mean.
	if v, ok := s.Value("BenchmarkPolicy/policy=capabilities/engine=rego/object=deployment-allowed", "ns/op"); !ok || v != 1.2e6 {
		t.Errorf("median = %v %v, want 1.2e6", v, ok)
	}
	if v, _ := s.Value("BenchmarkPolicy/policy=capabilities/engine=rego/object=deployment-allowed", "findings"); v != 0 {
		t.Errorf("findings = %v", v)
	}
	if _, ok := s.Value("BenchmarkLoad/engine=auto", "B/op"); ok {
		t.Errorf("a unit that was not reported has a value")
	}
	if got := strings.Join(s.Names(), ","); got != "BenchmarkPolicy/policy=capabilities/engine=rego/object=deployment-allowed,BenchmarkFloor/engine=cel/containers=100,BenchmarkLoad/engine=auto" {
		t.Errorf("names = %s", got)
	}
	if len(s.Failures) != 1 || !strings.Contains(s.Failures[0], "BenchmarkScaling") {
		t.Errorf("failures = %q", s.Failures)
	}
}

func TestParseWithoutProcsSuffix(t *testing.T) {
	s := parse(t, "BenchmarkRender/what=library \t 10\t 107000000 ns/op\n")
	if s.Results[0].Name != "BenchmarkRender/what=library" || s.Results[0].Procs != 1 {
		t.Errorf("got %+v", s.Results[0])
	}
}

func TestParseMedianOfEvenCount(t *testing.T) {
	s := parse(t, "BenchmarkA-2 1 10 ns/op\nBenchmarkA-2 1 30 ns/op\nBenchmarkA-2 1 20 ns/op\nBenchmarkA-2 1 100 ns/op\n")
	if v, _ := s.Value("BenchmarkA", "ns/op"); v != 25 {
		t.Errorf("median = %v, want 25", v)
	}
}

func TestParseRejectsBrokenLines(t *testing.T) {
	for _, line := range []string{
		"BenchmarkA-2 100 12 ns/op 7",
		"BenchmarkA-2 100 twelve ns/op",
	} {
		if _, err := Parse(strings.NewReader(line + "\n")); err == nil {
			t.Errorf("%q: no error", line)
		}
	}
}

func TestKeyAndName(t *testing.T) {
	top, kv := Key("BenchmarkScaling/policy=volume-types/engine=rego/containers=100")
	if top != "Scaling" || kv["policy"] != "volume-types" || kv["engine"] != "rego" || kv["containers"] != "100" {
		t.Errorf("got %q %v", top, kv)
	}
	if _, kv := Key("BenchmarkX/plain"); kv["1"] != "plain" {
		t.Errorf("a part without '=' is kept by position: %v", kv)
	}
	if got := Name("Scaling", "policy", "volume-types", "engine", "rego", "containers", "100"); got != "BenchmarkScaling/policy=volume-types/engine=rego/containers=100" {
		t.Errorf("Name = %q", got)
	}
}

func TestCompare(t *testing.T) {
	base := parse(t, `cpu: A
BenchmarkSame-2 1 1000 ns/op
BenchmarkSlow-2 1 1000 ns/op
BenchmarkEdge-2 1 1000 ns/op
BenchmarkFast-2 1 1000 ns/op
BenchmarkGone-2 1 1000 ns/op
`)
	latest := parse(t, `cpu: A
BenchmarkSame-2 1 1100 ns/op
BenchmarkSlow-2 1 1250 ns/op
BenchmarkEdge-2 1 1200 ns/op
BenchmarkFast-2 1 500 ns/op
BenchmarkNew-2 1 10 ns/op
`)
	ds := Compare(base, latest, "ns/op", 0.2)
	want := map[string]Status{
		"BenchmarkSame": Same,
		"BenchmarkSlow": Slower,
		"BenchmarkEdge": Same, // exactly 20% is within the budget
		"BenchmarkFast": Faster,
		"BenchmarkGone": Missing,
		"BenchmarkNew":  New,
	}
	if len(ds) != len(want) {
		t.Fatalf("got %d deltas: %+v", len(ds), ds)
	}
	for _, d := range ds {
		if d.Status != want[d.Name] {
			t.Errorf("%s: %s (%+.3f), want %s", d.Name, d.Status, d.Change, want[d.Name])
		}
	}
	if reg := Regressions(ds); len(reg) != 1 || reg[0].Name != "BenchmarkSlow" || math.Abs(reg[0].Change-0.25) > 1e-9 {
		t.Errorf("regressions = %+v", reg)
	}
	// (1.1 * 1.25 * 1.2 * 0.5)^(1/4)
	if g, want := GeoMean(ds), math.Pow(1.1*1.25*1.2*0.5, 0.25); math.Abs(g-want) > 1e-9 {
		t.Errorf("geomean = %v, want %v", g, want)
	}
}
