package check

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	templatesv1 "github.com/open-policy-agent/frameworks/constraint/pkg/apis/templates/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	k8sruntime "k8s.io/apimachinery/pkg/runtime"

	"github.com/gatewarden/gatewarden/internal/manifest"
)

// LoadLibrary reads a team's own rendered templates and constraints (files,
// folders, or a kustomize directory such as their overlay). Every object must be
// a ConstraintTemplate or a constraint; anything else is a problem, reported
// with its location.
func LoadLibrary(paths []string) (*Library, []manifest.Problem) {
	in := &manifest.Result{}
	for _, p := range paths {
		if isKustomization(p) {
			r := manifest.Kustomize(p)
			in.Objects = append(in.Objects, r.Objects...)
			in.Problems = append(in.Problems, r.Problems...)
			continue
		}
		r := manifest.Read([]string{p}, io.Reader(nil))
		in.Objects = append(in.Objects, r.Objects...)
		in.Problems = append(in.Problems, r.Problems...)
	}
	lib := &Library{}
	problems := in.Errors()
	for _, o := range in.Objects {
		gvk := o.Object.GroupVersionKind()
		switch {
		case gvk.Group == templatesv1.SchemeGroupVersion.Group && gvk.Kind == "ConstraintTemplate":
			ct := &templatesv1.ConstraintTemplate{}
			if err := k8sruntime.DefaultUnstructuredConverter.FromUnstructuredWithValidation(o.Object.Object, ct, true); err != nil {
				problems = append(problems, manifest.Problem{File: o.File, Line: o.Line, Message: "invalid ConstraintTemplate: " + err.Error()})
				continue
			}
			lib.Templates = append(lib.Templates, ct)
		case gvk.Group == "constraints.gatekeeper.sh":
			lib.Constraints = append(lib.Constraints, o.Object)
			lib.locations = append(lib.locations, location{o.File, o.Line})
		case gvk.Kind == "SyncSet" || (gvk.Kind == "Config" && gvk.Group == "config.gatekeeper.sh"):
			// Sync configuration has no bearing on offline evaluation: every input
			// object is inventory.
		default:
			problems = append(problems, manifest.Problem{File: o.File, Line: o.Line,
				Message: fmt.Sprintf("%s %s is not a ConstraintTemplate or a constraint (constraints.gatekeeper.sh)", gvk.Kind, o.Object.GetName())})
		}
	}
	if len(lib.Templates) == 0 && len(problems) == 0 {
		problems = append(problems, manifest.Problem{File: strings.Join(paths, ", "), Message: "no ConstraintTemplate found"})
	}
	return lib, problems
}

type location struct {
	file string
	line int
}

// locate names where a constraint was read, for errors.
func (l *Library) locate(c *unstructured.Unstructured) string {
	for i, con := range l.Constraints {
		if con == c && i < len(l.locations) {
			return fmt.Sprintf("%s:%d: ", l.locations[i].file, l.locations[i].line)
		}
	}
	return ""
}

func isKustomization(dir string) bool {
	for _, name := range []string{"kustomization.yaml", "kustomization.yml", "Kustomization"} {
		if _, err := os.Stat(filepath.Join(dir, name)); err == nil {
			return true
		}
	}
	return false
}
