package report

import (
	"fmt"
	"io"
	"strings"
)

// Text writes violations grouped by file and object, then input problems and a
// summary line. Objects without violations are not listed.
type Text struct {
	// Color adds ANSI colours (set when writing to a terminal).
	Color bool
}

// Output implements Outputter.
func (t Text) Output(w io.Writer, r *Report) error {
	paint := func(code, s string) string {
		if !t.Color {
			return s
		}
		return "\x1b[" + code + "m" + s + "\x1b[0m"
	}
	var b strings.Builder
	lastFile := ""
	for _, o := range r.Objects {
		if len(o.Violations) == 0 {
			continue
		}
		if o.File != lastFile {
			if lastFile != "" {
				b.WriteString("\n")
			}
			b.WriteString(paint("1", o.File) + "\n")
			lastFile = o.File
		}
		id := o.Kind + "/" + o.Name
		if o.Namespace != "" {
			id = o.Namespace + "/" + id
		}
		fmt.Fprintf(&b, "  %s (line %d)\n", paint("1", id), o.Line)
		for _, v := range o.Violations {
			action := v.EnforcementAction
			code := "31"
			if action != "deny" {
				code = "33"
			}
			fmt.Fprintf(&b, "    %s %s: %s\n", paint(code, "["+action+"]"), v.ConstraintKind, v.Message)
		}
	}
	if len(r.Problems) > 0 {
		if b.Len() > 0 {
			b.WriteString("\n")
		}
		for _, p := range r.Problems {
			level := paint("31", "error")
			if p.Warning {
				level = paint("33", "warning")
			}
			fmt.Fprintf(&b, "%s: %s\n", level, p.Error())
		}
	}
	if b.Len() > 0 {
		b.WriteString("\n")
	}
	s := r.Summary
	fmt.Fprintf(&b, "%d objects checked, %d violations (%d deny, %d warn, %d dryrun), %d input errors, %d warnings\n",
		s.Objects, s.Violations, s.ByAction["deny"], s.ByAction["warn"], s.ByAction["dryrun"], s.Errors, s.Warnings)
	_, err := io.WriteString(w, b.String())
	return err
}
