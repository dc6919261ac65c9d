// Package report holds the result of `gatewarden check` and writes it in the
// formats CI systems read. Each format is one Outputter.
package report

import (
	"errors"
	"fmt"
	"io"
	"sort"

	"github.com/gatewarden/gatewarden/internal/engine"
	"github.com/gatewarden/gatewarden/internal/manifest"
)

// Report is the outcome of checking a set of manifests.
type Report struct {
	Objects  []Object           `json:"objects"`
	Problems []manifest.Problem `json:"problems"`
	Summary  Summary            `json:"summary"`
	// Rules describe the templates evaluated, for formats with rule metadata.
	Rules []Rule `json:"-"`
}

// Rule describes one template (a constraint kind).
type Rule struct {
	ID          string
	Title       string
	Description string
	HelpURI     string
}

// Object is one checked object and its violations.
type Object struct {
	File       string          `json:"file"`
	Line       int             `json:"line"`
	APIVersion string          `json:"apiVersion"`
	Kind       string          `json:"kind"`
	Namespace  string          `json:"namespace,omitempty"`
	Name       string          `json:"name"`
	Violations []engine.Result `json:"violations"`
	// Matched lists the constraints (Kind/name) that select the object.
	Matched []string `json:"-"`
}

// Summary counts what the report holds.
type Summary struct {
	Objects    int            `json:"objects"`
	Violations int            `json:"violations"`
	ByAction   map[string]int `json:"byAction"`
	Errors     int            `json:"errors"`
	Warnings   int            `json:"warnings"`
}

// Summarize fills in Summary from the objects and problems.
func (r *Report) Summarize() {
	s := Summary{Objects: len(r.Objects), ByAction: map[string]int{"deny": 0, "warn": 0, "dryrun": 0}}
	for _, o := range r.Objects {
		for _, v := range o.Violations {
			s.Violations++
			s.ByAction[v.EnforcementAction]++
		}
	}
	for _, p := range r.Problems {
		if p.Warning {
			s.Warnings++
		} else {
			s.Errors++
		}
	}
	r.Summary = s
}

// Sort orders objects by file and line, for output that is stable across runs.
func (r *Report) Sort() {
	sort.SliceStable(r.Objects, func(i, j int) bool {
		a, b := r.Objects[i], r.Objects[j]
		if a.File != b.File {
			return a.File < b.File
		}
		return a.Line < b.Line
	})
}

// Outputter writes a report in one format.
type Outputter interface {
	Output(w io.Writer, r *Report) error
}

// Formats lists the output formats by name.
var Formats = map[string]Outputter{
	"text":  Text{},
	"json":  JSON{},
	"junit": JUnit{},
	"sarif": SARIF{},
}

// FormatNames lists the format names, sorted.
func FormatNames() []string {
	var out []string
	for k := range Formats {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// ErrUnknownFormat is returned for a format that is not in Formats.
var ErrUnknownFormat = errors.New("unknown output format")

// ForFormat returns the Outputter for a format name.
func ForFormat(name string) (Outputter, error) {
	o, ok := Formats[name]
	if !ok {
		return nil, fmt.Errorf("%w %q: use one of %v", ErrUnknownFormat, name, FormatNames())
	}
	return o, nil
}

// --fail-on levels, from the strictest gate to none.
const (
	FailOnDeny   = "deny"
	FailOnWarn   = "warn"
	FailOnDryRun = "dryrun"
	FailOnNever  = "never"
)

// FailOnLevels lists the valid --fail-on values.
var FailOnLevels = []string{FailOnDeny, FailOnWarn, FailOnDryRun, FailOnNever}

// Fails reports whether a violation at or above the given level exists: deny
// counts for every level but never, warn for warn and dryrun, dryrun for dryrun.
func (r *Report) Fails(level string) bool {
	counts := r.Summary.ByAction
	switch level {
	case FailOnDeny:
		return counts["deny"] > 0
	case FailOnWarn:
		return counts["deny"]+counts["warn"] > 0
	case FailOnDryRun:
		return r.Summary.Violations > 0
	default:
		return false
	}
}
