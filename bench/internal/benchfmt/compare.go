package benchfmt

import "math"

// Status classifies one benchmark of a comparison.
type Status string

const (
	Same    Status = "ok"
	Slower  Status = "REGRESSION"
	Faster  Status = "faster"
	Missing Status = "missing" // in the baseline only
	New     Status = "new"     // in the latest run only
)

// Delta is one benchmark compared between two runs.
type Delta struct {
	Name     string
	Old, New float64
	// Change is New/Old - 1 (0.25 is 25% slower); NaN when either is missing.
	Change float64
	Status Status
}

// Compare compares every benchmark of base and latest in a unit (ns/op, say).
// A benchmark whose value grew by more than threshold (0.2 for 20%) is Slower;
// one that shrank by more than threshold is Faster. Baseline order first, then
// benchmarks new in latest.
func Compare(base, latest *Set, unit string, threshold float64) []Delta {
	var out []Delta
	inBase := map[string]bool{}
	for _, name := range base.Names() {
		inBase[name] = true
		old, okOld := base.Value(name, unit)
		if !okOld {
			continue
		}
		d := Delta{Name: name, Old: old, Change: math.NaN(), Status: Missing}
		if v, ok := latest.Value(name, unit); ok {
			d.New = v
			d.Change = v/old - 1
			switch {
			case old == 0:
				d.Change, d.Status = 0, Same
			case d.Change > threshold:
				d.Status = Slower
			case d.Change < -threshold:
				d.Status = Faster
			default:
				d.Status = Same
			}
		}
		out = append(out, d)
	}
	for _, name := range latest.Names() {
		if inBase[name] {
			continue
		}
		if v, ok := latest.Value(name, unit); ok {
			out = append(out, Delta{Name: name, New: v, Change: math.NaN(), Status: New})
		}
	}
	return out
}

// Regressions returns the deltas that are Slower.
func Regressions(ds []Delta) []Delta {
	var out []Delta
	for _, d := range ds {
		if d.Status == Slower {
			out = append(out, d)
		}
	}
	return out
}

// GeoMean is the geometric mean of New/Old over the benchmarks in both runs
// (1 when there are none): the overall trend, less sensitive to one outlier.
func GeoMean(ds []Delta) float64 {
	sum, n := 0.0, 0
	for _, d := range ds {
		if d.Status == Missing || d.Status == New || d.Old <= 0 || d.New <= 0 {
			continue
		}
		sum += math.Log(d.New / d.Old)
		n++
	}
	if n == 0 {
		return 1
	}
	return math.Exp(sum / float64(n))
}
