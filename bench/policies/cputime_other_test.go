//go:build !unix

package policies_test

// cpuTime is not measured on this platform: the benchmarks report wall time only.
func cpuTime() (int64, bool) { return 0, false }
