package report

import (
	"encoding/json"
	"io"

	"github.com/gatewarden/gatewarden/internal/engine"
	"github.com/gatewarden/gatewarden/internal/manifest"
)

// JSON writes the report as one indented JSON document (schema: docs/check-json.md).
type JSON struct{}

// Output implements Outputter.
func (JSON) Output(w io.Writer, r *Report) error {
	out := *r
	if out.Objects == nil {
		out.Objects = []Object{}
	}
	for i := range out.Objects {
		if out.Objects[i].Violations == nil {
			out.Objects[i].Violations = []engine.Result{}
		}
	}
	if out.Problems == nil {
		out.Problems = []manifest.Problem{}
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(out)
}
