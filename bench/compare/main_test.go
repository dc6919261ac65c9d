package main

import (
	"bytes"
	"strings"
	"testing"

	"github.com/gatewarden/gatewarden/bench/internal/benchfmt"
)

func set(t *testing.T, s string) *benchfmt.Set {
	t.Helper()
	out, err := benchfmt.Parse(strings.NewReader(s))
	if err != nil {
		t.Fatal(err)
	}
	return out
}

const baseline = "cpu: A\nBenchmarkA-2 10 1000 ns/op\nBenchmarkB-2 10 1000 ns/op\n"

func TestCompareWithinBudget(t *testing.T) {
	var out bytes.Buffer
	if !run(&out, set(t, baseline), set(t, "cpu: A\nBenchmarkA-2 10 1150 ns/op\nBenchmarkB-2 10 700 ns/op\n"), "ns/op", 0.2, false) {
		t.Errorf("failed:\n%s", out.String())
	}
	for _, want := range []string{
		"BenchmarkA            1000            1150    +15.0%  \n",
		"BenchmarkB            1000             700    -30.0%  faster\n",
		"PASS",
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}
}

func TestCompareRegression(t *testing.T) {
	var out bytes.Buffer
	if run(&out, set(t, baseline), set(t, "cpu: B\nBenchmarkA-2 10 1300 ns/op\nBenchmarkB-2 10 1000 ns/op\n"), "ns/op", 0.2, true) {
		t.Errorf("a 30%% regression passed:\n%s", out.String())
	}
	for _, want := range []string{"FAIL: 1 benchmarks are more than 20% slower", "BenchmarkA +30.0%", "different machines"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}
	if strings.Contains(out.String(), "BenchmarkB  ") {
		t.Errorf("-q printed an unchanged benchmark:\n%s", out.String())
	}
}

func TestCompareFailedRun(t *testing.T) {
	var out bytes.Buffer
	if run(&out, set(t, baseline), set(t, "cpu: A\nBenchmarkA-2 10 1000 ns/op\n--- FAIL: BenchmarkB\n"), "ns/op", 0.2, false) {
		t.Errorf("a failed run passed:\n%s", out.String())
	}
	if !strings.Contains(out.String(), "missing") {
		t.Errorf("the missing benchmark is not listed:\n%s", out.String())
	}
}

func TestCompareUnitAbsent(t *testing.T) {
	var out bytes.Buffer
	if run(&out, set(t, baseline), set(t, baseline), "cpu-ns/op", 0.2, false) {
		t.Errorf("a comparison of nothing passed:\n%s", out.String())
	}
}
