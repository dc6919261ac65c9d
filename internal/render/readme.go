package render

import (
	"bytes"
	"errors"
	"fmt"
	"strings"

	"github.com/gatewarden/gatewarden/internal/spec"
)

// Markers delimit the generated catalog table in README.md.
const (
	CatalogBegin = "<!-- BEGIN GENERATED CATALOG: edit internal/policies, then run `make generate` -->"
	CatalogEnd   = "<!-- END GENERATED CATALOG -->"
)

// ErrNoMarkers is returned when README.md lacks the catalog markers.
var ErrNoMarkers = errors.New("README.md has no catalog markers")

// CatalogTable renders the catalog as a Markdown table, one row per policy.
func CatalogTable(policies []*spec.Policy) string {
	var b strings.Builder
	b.WriteString("| Kind | Title | Practice | Bundles | Engines | Default action |\n|---|---|---|---|---|---|\n")
	for _, p := range policies {
		engines := "Rego, CEL"
		if p.Referential() {
			engines = "Rego (referential)"
		}
		fmt.Fprintf(&b, "| `%s` | %s | %s | %s | %s | %s |\n", p.Kind, p.Title, p.Practice, strings.Join(p.Bundles, ", "), engines, p.Enforcement)
	}
	return b.String()
}

// README returns readme with the catalog table between the markers replaced.
func README(readme []byte, policies []*spec.Policy) ([]byte, error) {
	begin := bytes.Index(readme, []byte(CatalogBegin))
	end := bytes.Index(readme, []byte(CatalogEnd))
	if begin < 0 || end < begin {
		return nil, fmt.Errorf("%w: add a line %q and a line %q where the table goes", ErrNoMarkers, CatalogBegin, CatalogEnd)
	}
	var out bytes.Buffer
	out.Write(readme[:begin+len(CatalogBegin)])
	out.WriteString("\n")
	out.WriteString(CatalogTable(policies))
	out.Write(readme[end:])
	return out.Bytes(), nil
}
