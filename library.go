// Package gatewarden holds what the gatewarden binary carries of the repository
// itself: the generated policy reference, for `gatewarden explain`.
package gatewarden

import "embed"

// PolicyDocs is docs/policies: one generated Markdown page per policy.
//
//go:embed docs/policies/*.md
var PolicyDocs embed.FS
