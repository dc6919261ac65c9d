// Package policies is the catalog: every policy of the library, one folder each.
package policies

import (
	"errors"
	"fmt"
	"sort"

	"github.com/gatewarden/gatewarden/internal/spec"
)

// ErrDuplicate is returned when two policies share a key or a Kind.
var ErrDuplicate = errors.New("duplicate policy")

// All returns every registered policy, sorted by key. It fails when two share a
// key or a Kind.
func All() ([]*spec.Policy, error) {
	return Sorted(registered)
}

// Sorted returns the policies sorted by key, failing when two share a key or a Kind.
func Sorted(in []*spec.Policy) ([]*spec.Policy, error) {
	out := append([]*spec.Policy(nil), in...)
	sort.Slice(out, func(i, j int) bool { return out[i].Key < out[j].Key })
	keys, kinds := map[string]bool{}, map[string]bool{}
	var errs []error
	for _, p := range out {
		if keys[p.Key] {
			errs = append(errs, fmt.Errorf("%w: key %q is registered twice", ErrDuplicate, p.Key))
		}
		if kinds[p.Kind] {
			errs = append(errs, fmt.Errorf("%w: kind %q is registered twice", ErrDuplicate, p.Kind))
		}
		keys[p.Key], kinds[p.Kind] = true, true
	}
	return out, errors.Join(errs...)
}

// MustAll is All for callers that cannot recover (the registry is compiled in).
func MustAll() []*spec.Policy {
	all, err := All()
	if err != nil {
		panic(err)
	}
	return all
}

// ByKey returns the policy with the given key or Kind.
func ByKey(keyOrKind string) (*spec.Policy, bool) {
	for _, p := range registered {
		if p.Key == keyOrKind || p.Kind == keyOrKind {
			return p, true
		}
	}
	return nil, false
}
