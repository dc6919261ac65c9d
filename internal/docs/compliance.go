package docs

import (
	"bytes"
	"fmt"
	"strings"

	"github.com/gatewarden/gatewarden/internal/spec"
)

// CompliancePath is the compliance matrix.
const CompliancePath = "docs/compliance.md"

// Compliance renders the compliance matrix: every control of spec.Frameworks
// and the policies that enforce it, with the gaps marked.
func Compliance(policies []*spec.Policy) []byte {
	by := map[string][]*spec.Policy{}
	for _, p := range policies {
		for _, ref := range p.Compliance {
			id := spec.ControlID(ref)
			by[id] = append(by[id], p)
		}
	}
	var b bytes.Buffer
	b.WriteString(header)
	b.WriteString(`# Compliance matrix

Which policies enforce each control of the Pod Security Standards and of section 5
of the CIS Kubernetes Benchmark. Generated from the ` + "`Compliance`" + ` list of every policy
in ` + "`internal/policies`" + `; the controls are listed in ` + "`internal/spec/controls.go`" + `.

- **gap**: the control can be checked at admission, but no policy of the library does yet.
- **not admission**: no admission policy can enforce the control; the reason is given.

`)
	for _, f := range spec.Frameworks {
		covered, gaps := 0, 0
		for _, c := range f.Controls {
			if len(by[c.ID]) > 0 {
				covered++
			} else if c.NotAdmission == "" {
				gaps++
			}
		}
		fmt.Fprintf(&b, "## %s\n\n", f.Name)
		fmt.Fprintf(&b, "Source: <%s>. %d of %d controls enforced, %d gaps.\n\n", f.Source, covered, len(f.Controls), gaps)
		b.WriteString("| Control | What it asks | Enforced by |\n|---|---|---|\n")
		for _, c := range f.Controls {
			var cell string
			switch {
			case len(by[c.ID]) > 0:
				var links []string
				for _, p := range by[c.ID] {
					links = append(links, fmt.Sprintf("[`%s`](policies/%s.md)", p.Kind, p.Key))
				}
				cell = strings.Join(links, ", ")
			case c.NotAdmission != "":
				cell = "not admission: " + c.NotAdmission
			default:
				cell = "**gap**"
			}
			fmt.Fprintf(&b, "| %s | %s | %s |\n", c.ID, c.Title, cell)
		}
		b.WriteString("\n")
	}
	return bytes.TrimSuffix(b.Bytes(), []byte("\n"))
}
