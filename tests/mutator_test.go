package tests

import (
	"fmt"
	"math/rand/v2"
	"sort"
	"strconv"
	"strings"
)

// The mutator of TestPoliciesNeverError and FuzzPolicies: it breaks a valid
// object in the ways a manifest, a custom resource or a careless controller can
// (a field deleted, null, of another type or shape, empty, huge, deeply nested,
// an odd string), every choice drawn from a chooser so that a seed or the
// fuzzer's bytes reproduce an object exactly.

// collectKeys adds every map key in v to into: the mutator's vocabulary of
// field names, so that it can add a field a seed lacks.
func collectKeys(v any, into map[string]bool) {
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			into[k] = true
			collectKeys(e, into)
		}
	case []any:
		for _, e := range x {
			collectKeys(e, into)
		}
	}
}

// deepCopy copies a JSON-like value.
func deepCopy(v any) any {
	switch x := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[k] = deepCopy(e)
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = deepCopy(e)
		}
		return out
	default:
		return v
	}
}

// chooser makes the mutator's choices: from the fuzzer's bytes while they
// last, then from a seeded generator.
type chooser struct {
	data []byte
	r    *rand.Rand
}

// IntN returns a choice in [0, n).
func (c *chooser) IntN(n int) int {
	if n <= 1 {
		return 0
	}
	if len(c.data) > 0 {
		v := int(c.data[0])
		c.data = c.data[1:]
		if n > 256 && len(c.data) > 0 {
			v = v<<8 | int(c.data[0])
			c.data = c.data[1:]
		}
		return v % n
	}
	return c.r.IntN(n)
}

func (c *chooser) chance(percent int) bool { return c.IntN(100) < percent }

// mutator breaks objects. Every choice goes through c, so a seed (or the
// fuzzer's bytes) reproduces an object exactly.
//
// One place per case at most becomes huge (a list of huge elements, a map of
// huge keys, a string of 20,000 characters): any policy's cost grows with the
// object, and an object huge in several places at once (100 volumes of 100
// sources each, 10,000 containers) is beyond what CEL can judge within any
// budget (see TestPoliciesNeverErrorOnHugePod). What one huge place costs, the
// policies must afford.
type mutator struct {
	c        *chooser
	vocab    []string
	huge     int  // the length of a huge list
	hugeDone bool // a place has been made huge
}

// oddStrings are names, images and values a parser may choke on.
var oddStrings = []string{
	"", " ", "::", ":", "@", "@sha256:", ":latest", "@sha256:" + strings.Repeat("0", 64), "sha256:" + strings.Repeat("a", 64),
	strings.Repeat("ab", 32), "*", "**", "ALL", "all", "CAP_SYS_ADMIN", "/", "//", "..", "../../etc", "/var/log/../../etc",
	"true", "false", "0", "-1", "null", "nil", "ñandú", "日本語/イメージ:最新", "\u202eevil", "a\x00b", "a\nb", "a; b",
	"%v%s%d", "${HOME}", "{{.}}", "a\"b\\c", "registry.example.com:5000/a/b:c@sha256:" + strings.Repeat("f", 64),
	"docker.io/library/nginx:latest", "localhost/app", "[::1]:5000/app", "nginx:", "nginx@", "UPPER/Case:Tag",
	"https://example.com/x", "169.254.169.254", "0.0.0.0", "*.example.com", "runtime/default", "localhost/", "unconfined",
	strings.Repeat("x", 300), strings.Repeat("y/", 200) + "z", strings.Repeat("é", 1000),
}

// junk returns a value of any type, depth bounding its nesting.
func (m *mutator) junk(depth int) any {
	switch k := m.c.IntN(12); {
	case k == 0:
		return nil
	case k == 1:
		return m.c.IntN(2) == 0
	case k == 2:
		return []int64{0, -1, 1, 80, 65535, 65536, 1 << 31, -(1 << 31), 1 << 53, 1<<63 - 1}[m.c.IntN(10)]
	case k == 3:
		return []float64{0.5, -2.5, 1e300, 3.0000001}[m.c.IntN(4)]
	case k <= 6:
		return oddStrings[m.c.IntN(len(oddStrings))]
	case k == 7:
		return []any{map[string]any{}, []any{}, []any{nil}, []any{""}, []any{map[string]any{}}, map[string]any{"": nil}}[m.c.IntN(6)]
	case k == 8 && depth > 0:
		out := map[string]any{}
		for i := m.c.IntN(4); i >= 0; i-- {
			out[m.key()] = m.junk(depth - 1)
		}
		return out
	case k == 9 && depth > 0:
		var out []any
		for i := m.c.IntN(4); i >= 0; i-- {
			out = append(out, m.junk(depth-1))
		}
		return out
	case k == 10:
		return m.deep(20 + m.c.IntN(80))
	default:
		return m.vocabKey()
	}
}

func (m *mutator) key() string {
	if m.c.chance(70) {
		return m.vocabKey()
	}
	return oddStrings[m.c.IntN(len(oddStrings))]
}

func (m *mutator) vocabKey() string {
	if len(m.vocab) == 0 {
		return "name"
	}
	return m.vocab[m.c.IntN(len(m.vocab))]
}

// deep nests maps and lists n levels down.
func (m *mutator) deep(n int) any {
	var v any = m.vocabKey()
	for i := 0; i < n; i++ {
		if i%2 == 0 {
			v = map[string]any{m.vocabKey(): v}
		} else {
			v = []any{v}
		}
	}
	return v
}

// node is a place in an object: the container that holds it and its key or index.
type node struct {
	parent any // map[string]any or []any
	key    string
	index  int
	path   string
}

func (n node) get() any {
	if m, ok := n.parent.(map[string]any); ok {
		return m[n.key]
	}
	return n.parent.([]any)[n.index]
}

func (n node) set(v any) {
	if m, ok := n.parent.(map[string]any); ok {
		m[n.key] = v
		return
	}
	n.parent.([]any)[n.index] = v
}

// nodes lists every place of an object the mutator may change: all but
// apiVersion and kind, which decide which policies see it, and the namespace,
// which the API server sets from the request's URL.
func nodes(obj map[string]any) []node {
	var out []node
	var walk func(v any, path string)
	walk = func(v any, path string) {
		switch x := v.(type) {
		case map[string]any:
			keys := make([]string, 0, len(x))
			for k := range x {
				keys = append(keys, k)
			}
			sort.Strings(keys)
			for _, k := range keys {
				p := path + "." + k
				if p == ".apiVersion" || p == ".kind" || p == ".metadata.namespace" {
					continue
				}
				out = append(out, node{parent: x, key: k, path: p})
				walk(x[k], p)
			}
		case []any:
			for i, e := range x {
				p := fmt.Sprintf("%s[%d]", path, i)
				out = append(out, node{parent: x, index: i, path: p})
				walk(e, p)
			}
		}
	}
	walk(obj, "")
	return out
}

// mutate applies n mutations to obj and describes them.
func (m *mutator) mutate(obj map[string]any, n int) []string {
	var did []string
	for i := 0; i < n; i++ {
		if d := m.mutateOnce(obj); d != "" {
			did = append(did, d)
		}
	}
	return did
}

// podFieldTargets are the places where a policy looks most: a mutation aims at
// one of them often, whatever the size of the rest of the object.
var podFieldTargets = []string{"containers", "initContainers", "ephemeralContainers", "securityContext", "volumes", "hostNetwork", "hostPID", "hostIPC", "os", "runtimeClassName", "serviceAccountName", "automountServiceAccountToken"}

func (m *mutator) mutateOnce(obj map[string]any) string {
	// Targeted: the pod spec's lists and a container's fields, and metadata.
	if ps, ok := podSpecOf(obj); ok && m.c.chance(35) {
		if s, ok := ps.(map[string]any); ok {
			f := podFieldTargets[m.c.IntN(len(podFieldTargets))]
			if list, ok := s[f].([]any); ok && len(list) > 0 && m.c.chance(60) {
				// Mutate inside a container (or volume): its own fields are what policies read.
				el := list[m.c.IntN(len(list))]
				if em, ok := el.(map[string]any); ok {
					return m.mutateIn(em, "pod spec "+f+"[]")
				}
			}
			if m.c.chance(10) && !m.hugeDone {
				if list, ok := s[f].([]any); ok && len(list) > 0 {
					m.hugeDone = true
					s[f] = repeat(list, m.huge)
					return fmt.Sprintf("pod spec %s repeated to %d", f, m.huge)
				}
			}
			v := m.replacement(s[f])
			s[f] = v
			return fmt.Sprintf("pod spec %s = %s", f, brief(v))
		}
	}
	if m.c.chance(10) {
		meta, _ := obj["metadata"].(map[string]any)
		if meta != nil {
			f := []string{"labels", "annotations", "name", "generateName"}[m.c.IntN(4)]
			if mm, ok := meta[f].(map[string]any); ok && m.c.chance(60) {
				k := m.key()
				mm[k] = m.junk(2)
				return fmt.Sprintf("metadata.%s[%q] = %s", f, k, brief(mm[k]))
			}
			v := m.replacement(meta[f])
			meta[f] = v
			return fmt.Sprintf("metadata.%s = %s", f, brief(v))
		}
	}
	return m.mutateIn(obj, "")
}

// mutateIn changes one place of v, chosen among all of them.
func (m *mutator) mutateIn(v map[string]any, where string) string {
	ns := nodes(v)
	if len(ns) == 0 || m.c.chance(5) {
		k := m.key()
		v[k] = m.junk(2)
		return fmt.Sprintf("%s.%s added = %s", where, k, brief(v[k]))
	}
	n := ns[m.c.IntN(len(ns))]
	path := where + n.path
	switch op := m.c.IntN(10); op {
	case 0: // gone
		if mm, ok := n.parent.(map[string]any); ok {
			delete(mm, n.key)
			return path + " deleted"
		}
		n.set(nil)
		return path + " = null"
	case 1: // a field the object lacks
		if mm, ok := n.get().(map[string]any); ok {
			k := m.key()
			mm[k] = m.junk(2)
			return fmt.Sprintf("%s.%s added = %s", path, k, brief(mm[k]))
		}
		fallthrough
	default:
		r := m.replacement(n.get())
		n.set(r)
		return fmt.Sprintf("%s = %s", path, brief(r))
	}
}

// replacement is what a value becomes: null, empty, of another type, the same
// data in another shape, huge, deep or odd.
func (m *mutator) replacement(v any) any {
	switch m.c.IntN(10) {
	case 0:
		return nil
	case 1: // empty, of the same type or not
		switch v.(type) {
		case []any:
			return []any{}
		case map[string]any:
			return map[string]any{}
		case string:
			return ""
		}
		return []any{nil, "", []any{}, map[string]any{}}[m.c.IntN(4)]
	case 2: // the same data in another shape: a list as a map, a map as a list, a number as a string
		switch x := v.(type) {
		case []any:
			out := map[string]any{}
			for i, e := range x {
				out[strconv.Itoa(i)] = e
			}
			return out
		case map[string]any:
			return []any{x}
		case int64:
			return strconv.FormatInt(x, 10)
		case float64:
			return strconv.FormatFloat(x, 'g', -1, 64)
		case bool:
			return strconv.FormatBool(x)
		case string:
			if n, err := strconv.ParseInt(x, 10, 64); err == nil {
				return n
			}
			return []any{x}
		}
		return m.junk(1)
	case 3: // huge
		if m.hugeDone {
			return m.junk(2)
		}
		m.hugeDone = true
		switch x := v.(type) {
		case []any:
			if len(x) > 0 {
				return repeat(x, m.huge)
			}
		case map[string]any:
			out := deepCopy(x).(map[string]any)
			for i := 0; i < m.huge; i++ {
				out[fmt.Sprintf("%s-%d", m.vocabKey(), i)] = m.junk(0)
			}
			return out
		case string:
			return strings.Repeat(x+"x", 1+20000/(len(x)+1))
		}
		return m.junk(2)
	case 4:
		return m.deep(10 + m.c.IntN(90))
	case 5:
		return oddStrings[m.c.IntN(len(oddStrings))]
	case 6: // wrapped
		if m.c.IntN(2) == 0 {
			return []any{v}
		}
		return map[string]any{m.vocabKey(): v}
	default:
		return m.junk(2)
	}
}

// repeat makes a list of n elements from a list's elements, cycling. The lists
// inside each element are cut to elementListLimit entries: a huge list of
// containers is one of containers as TestCELCostOfManyContainers writes them (5
// env vars, a few ports and mounts each), not of containers that are each huge
// in turn.
func repeat(list []any, n int) []any {
	out := make([]any, n)
	for i := range out {
		out[i] = cutLists(deepCopy(list[i%len(list)]), elementListLimit)
	}
	return out
}

// elementListLimit is how many entries a list inside an element of a huge list keeps.
const elementListLimit = 5

// cutLists cuts every list in v to at most n entries.
func cutLists(v any, n int) any {
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			x[k] = cutLists(e, n)
		}
		return x
	case []any:
		if len(x) > n {
			x = x[:n]
		}
		for i, e := range x {
			x[i] = cutLists(e, n)
		}
		return x
	default:
		return v
	}
}

// brief shows a value in a mutation's description.
func brief(v any) string {
	s := fmt.Sprintf("%#v", v)
	if len(s) > 60 {
		s = s[:60] + "..."
	}
	return s
}
