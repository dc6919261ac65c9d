package manifest

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"
)

func problems(r *Result) string {
	var b strings.Builder
	for _, p := range r.Problems {
		b.WriteString(p.Error() + "\n")
	}
	return b.String()
}

func billionLaughs() []byte {
	var b bytes.Buffer
	b.WriteString("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\ndata:\n  a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n")
	prev := "a"
	for i := 1; i < 10; i++ {
		n := string(rune('a' + i))
		fmt.Fprintf(&b, "  %s: &%s [*%s, *%s, *%s, *%s, *%s, *%s, *%s, *%s, *%s]\n", n, n, prev, prev, prev, prev, prev, prev, prev, prev, prev)
		prev = n
	}
	return b.Bytes()
}

// Hostile input gets a clear problem, never a hang, a crash or an object.
func TestParseHostileInput(t *testing.T) {
	for name, tc := range map[string]struct {
		data []byte
		want string
	}{
		"alias bomb":       {billionLaughs(), "excessive aliasing (anchors and aliases expand to far more data"},
		"deep nesting":     {[]byte("apiVersion: v1\nkind: ConfigMap\nx: " + strings.Repeat("[", 100000) + strings.Repeat("]", 100000) + "\n"), "nests too deeply"},
		"deep mappings":    {[]byte("apiVersion: v1\nkind: ConfigMap\nx: " + strings.Repeat("{a: ", 20000) + "1" + strings.Repeat("}", 20000) + "\n"), "nests too deeply"},
		"invalid UTF-8":    {[]byte("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: \"\xff\xfe\"}\n"), "not UTF-8 text"},
		"binary":           {[]byte("\x7fELF\x02\x01\x01\x00\x00\x00"), "binary file: not YAML or JSON"},
		"anchor in itself": {[]byte("apiVersion: v1\nkind: ConfigMap\ndata: &a {x: *a}\n"), `anchor "a" contains itself`},
		"duplicate key":    {[]byte("apiVersion: v1\nkind: Pod\nmetadata: {name: x}\nspec:\n  hostNetwork: false\n  hostNetwork: true\n"), `line 6: mapping key "hostNetwork" already defined at line 5`},
		"list as key":      {[]byte("apiVersion: v1\nkind: ConfigMap\n? [a, b]\n: c\n"), "a mapping key must be a string"},
		"bad merge":        {[]byte("apiVersion: v1\nkind: ConfigMap\ndata:\n  <<: [1, 2]\n"), "map merge requires a mapping"},
		"scalar document":  {[]byte("just a string\n"), "the document is not a mapping"},
		"no kind":          {[]byte("apiVersion: v1\nmetadata: {name: x}\n"), "kind missing"},
		"unterminated":     {[]byte("apiVersion: v1\nkind: ConfigMap\ndata: {a: [1, 2\n"), "invalid YAML"},
		"json syntax":      {[]byte(`{"apiVersion": "v1", "kind": "ConfigMap", "data": {"a": }`), "invalid YAML"},
		"list of nonsense": {[]byte("apiVersion: v1\nkind: List\nitems:\n- 1\n- {kind: Pod}\n"), "List item 0 is not a Kubernetes object"},
	} {
		t.Run(name, func(t *testing.T) {
			r := Parse("in.yaml", tc.data)
			if len(r.Objects) != 0 {
				t.Errorf("objects read from hostile input: %d", len(r.Objects))
			}
			if !strings.Contains(problems(r), tc.want) {
				t.Errorf("problems do not say %q:\n%s", tc.want, problems(r))
			}
			for _, p := range r.Problems {
				if p.File != "in.yaml" || p.Message == "" {
					t.Errorf("problem without file or message: %+v", p)
				}
			}
		})
	}
}

// What kubectl accepts is read the same way: anchors, merge keys, keys that
// YAML would type as numbers or booleans.
func TestParseKubectlCompatible(t *testing.T) {
	data := []byte(`apiVersion: v1
kind: ConfigMap
metadata:
  name: x
  labels: &labels {app: web, tier: front}
data:
  80: http
  true: yes-key
  ~: null-key
  copy: &v shared
  again: *v
spec:
  base: &base {a: "1", b: "2"}
  merged:
    <<: *base
    b: "3"
  many:
    <<: [{c: "4"}, *base]
  labels: *labels
`)
	r := Parse("in.yaml", data)
	if len(r.Problems) != 0 || len(r.Objects) != 1 {
		t.Fatalf("problems: %s", problems(r))
	}
	o := r.Objects[0].Object.Object
	d := o["data"].(map[string]any)
	for k, want := range map[string]any{"80": "http", "true": "yes-key", "null": "null-key", "again": "shared"} {
		if d[k] != want {
			t.Errorf("data[%s] = %v, want %v", k, d[k], want)
		}
	}
	s := o["spec"].(map[string]any)
	if m := s["merged"].(map[string]any); m["a"] != "1" || m["b"] != "3" {
		t.Errorf("merge: %v", m)
	}
	if m := s["many"].(map[string]any); m["a"] != "1" || m["c"] != "4" {
		t.Errorf("merge list: %v", m)
	}
}

func TestReadRefusesLargeInput(t *testing.T) {
	defer SetMaxFileSize(DefaultMaxFileSize)
	SetMaxFileSize(1 << 20)
	dir := t.TempDir()
	big := filepath.Join(dir, "big.yaml")
	data := []byte("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\ndata:\n" + strings.Repeat("  k: v\n", 200000))
	if err := os.WriteFile(big, data, 0o644); err != nil {
		t.Fatal(err)
	}
	r := Read([]string{big}, nil)
	if !strings.Contains(problems(r), "input is 1.3 MiB, more than the 1 MiB limit: split it into smaller files, or raise the limit with --max-file-size") {
		t.Errorf("file: %s", problems(r))
	}
	r = Read([]string{Stdin}, bytes.NewReader(data))
	if !strings.Contains(problems(r), "<stdin>: input is more than the 1 MiB limit") {
		t.Errorf("stdin: %s", problems(r))
	}
}

func largeMapping(keys int) []byte {
	var b bytes.Buffer
	b.WriteString("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\ndata:\n")
	for i := 0; i < keys; i++ {
		fmt.Fprintf(&b, "  k%d: %s\n", i, strings.Repeat("v", 40))
	}
	return b.Bytes()
}

// Reading is linear in the size of the input: compare 10,000 and 40,000 keys
// with `go test -bench Parse ./internal/manifest`.
func BenchmarkParseLargeMapping(b *testing.B) {
	for _, n := range []int{10000, 40000} {
		data := largeMapping(n)
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			b.SetBytes(int64(len(data)))
			for i := 0; i < b.N; i++ {
				if r := Parse("in.yaml", data); len(r.Objects) != 1 {
					b.Fatal(problems(r))
				}
			}
		})
	}
}

// FuzzParse: any input gives objects with apiVersion and kind, or problems
// with a file and a message; never a panic.
func FuzzParse(f *testing.F) {
	for _, seed := range [][]byte{
		[]byte("apiVersion: v1\nkind: Pod\nmetadata: {name: x}\nspec:\n  containers: [{name: a, image: b}]\n"),
		[]byte("apiVersion: v1\nkind: List\nitems:\n- {apiVersion: v1, kind: Pod}\n- 1\n"),
		[]byte("---\n---\napiVersion: v1\nkind: ConfigMap\ndata: {80: x, <<: {a: b}}\n"),
		[]byte(`{"apiVersion":"v1","kind":"Secret","data":{"a":"YQ=="}}`),
		[]byte("a: &a [x, *a]\n"),
		billionLaughs(),
		[]byte("apiVersion: v1\nkind: Pod\nspec:\n\tcontainers: []\n"),
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) > 1<<16 {
			return
		}
		r := Parse("fuzz.yaml", data)
		for _, o := range r.Objects {
			if o.Object == nil || o.Object.GetKind() == "" || o.Object.GetAPIVersion() == "" {
				t.Fatalf("object without kind or apiVersion: %+v", o)
			}
			if o.File != "fuzz.yaml" || o.Line < 0 {
				t.Fatalf("object without place: %+v", o)
			}
		}
		for _, p := range r.Problems {
			if p.File != "fuzz.yaml" || p.Message == "" || !utf8.ValidString(p.Message) && utf8.Valid(data) {
				t.Fatalf("problem without file or message: %+v", p)
			}
		}
	})
}
