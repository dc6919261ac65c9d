//go:build unix

package policies_test

import "syscall"

// cpuTime is the CPU time (user and system) the process has used, in ns, and
// whether the platform reports it.
func cpuTime() (int64, bool) {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0, false
	}
	return ru.Utime.Nano() + ru.Stime.Nano(), true
}
