package manifest

import (
	"fmt"
	"path/filepath"
	"strings"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/kustomize/api/krusty"
	"sigs.k8s.io/kustomize/kyaml/filesys"
)

// Kustomize builds a kustomization directory with kustomize's Go API, as
// `kubectl kustomize DIR` does, and returns its objects. Objects carry the
// kustomization file as their location and their position in the output as line.
func Kustomize(dir string) *Result {
	res := &Result{}
	file := filepath.Join(dir, "kustomization.yaml")
	opts := krusty.MakeDefaultOptions()
	// As kubectl kustomize: the kustomization's sortOptions decide, legacy otherwise.
	opts.Reorder = krusty.ReorderOptionUnspecified
	resMap, err := krusty.MakeKustomizer(opts).Run(filesys.MakeFsOnDisk(), dir)
	if err != nil {
		res.Problems = append(res.Problems, Problem{File: file, Message: "kustomize build failed: " + strings.TrimSpace(err.Error())})
		return res
	}
	for i, r := range resMap.Resources() {
		// Through JSON, as objects read from files are: a map straight from the
		// YAML holds Go ints, which unstructured objects cannot deep-copy (the
		// constraint framework panics on a constraint with an integer parameter).
		raw, err := r.MarshalJSON()
		obj := &unstructured.Unstructured{}
		if err == nil {
			err = obj.UnmarshalJSON(raw)
		}
		if err != nil {
			res.Problems = append(res.Problems, Problem{File: file, Message: fmt.Sprintf("kustomize output object %d: %v", i+1, err)})
			continue
		}
		res.Objects = append(res.Objects, Object{File: file, Line: i + 1, Object: obj})
	}
	return res
}
