// Package manifest reads Kubernetes objects from YAML and JSON files, folders and
// standard input, remembering where each object came from. Every problem is
// reported with file and line; nothing is silently dropped.
package manifest

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync/atomic"

	"go.yaml.in/yaml/v3"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

// Object is one Kubernetes object and where it was read.
type Object struct {
	File   string
	Line   int
	Object *unstructured.Unstructured
}

// Problem is something wrong with the input, at file:line (line 0: the whole file).
type Problem struct {
	File    string `json:"file"`
	Line    int    `json:"line,omitempty"`
	Message string `json:"message"`
	// Warning problems do not make the input invalid (an empty document).
	Warning bool `json:"warning,omitempty"`
}

func (p Problem) Error() string {
	if p.Line > 0 {
		return fmt.Sprintf("%s:%d: %s", p.File, p.Line, p.Message)
	}
	return fmt.Sprintf("%s: %s", p.File, p.Message)
}

// ErrNoInput is returned when the paths given contain no manifest file.
var ErrNoInput = errors.New("no manifest files found")

// Extensions are the file endings read when walking a folder.
var Extensions = []string{".yaml", ".yml", ".json"}

// Stdin names standard input in paths.
const Stdin = "-"

// DefaultMaxFileSize is the largest file (or standard input) Read accepts unless
// SetMaxFileSize says otherwise. A Kubernetes object is at most about 1.5 MiB
// (etcd's request limit), so this leaves room for files of many objects and
// large CRD bundles while keeping memory and time bounded.
const DefaultMaxFileSize int64 = 32 << 20

var maxFileSize atomic.Int64

func init() { maxFileSize.Store(DefaultMaxFileSize) }

// SetMaxFileSize sets the largest input Read and ReadFile accept, in bytes.
func SetMaxFileSize(n int64) { maxFileSize.Store(n) }

// MaxFileSize is the largest input Read and ReadFile accept, in bytes.
func MaxFileSize() int64 { return maxFileSize.Load() }

// Result is what Read found.
type Result struct {
	Objects  []Object
	Problems []Problem
}

// Errors returns the problems that are not warnings.
func (r *Result) Errors() []Problem {
	var out []Problem
	for _, p := range r.Problems {
		if !p.Warning {
			out = append(out, p)
		}
	}
	return out
}

// Read reads every path: files of any name, folders recursively (files with one
// of Extensions), and "-" for stdin.
func Read(paths []string, stdin io.Reader) *Result {
	res := &Result{}
	for _, p := range paths {
		if p == Stdin {
			data, err := io.ReadAll(io.LimitReader(stdin, MaxFileSize()+1))
			if err != nil {
				res.Problems = append(res.Problems, Problem{File: "<stdin>", Message: err.Error()})
				continue
			}
			if int64(len(data)) > MaxFileSize() {
				res.Problems = append(res.Problems, tooLarge("<stdin>", -1))
				continue
			}
			res.add(Parse("<stdin>", data))
			continue
		}
		info, err := os.Stat(p)
		if err != nil {
			res.Problems = append(res.Problems, Problem{File: p, Message: "cannot read: " + errText(err)})
			continue
		}
		if !info.IsDir() {
			res.add(ReadFile(p))
			continue
		}
		var files []string
		err = filepath.WalkDir(p, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				res.Problems = append(res.Problems, Problem{File: path, Message: "cannot read: " + errText(err)})
				return nil
			}
			if !d.IsDir() && hasExtension(path) {
				files = append(files, path)
			}
			return nil
		})
		if err != nil {
			res.Problems = append(res.Problems, Problem{File: p, Message: err.Error()})
		}
		sort.Strings(files)
		if len(files) == 0 {
			res.Problems = append(res.Problems, Problem{File: p, Message: fmt.Sprintf("%v: folder has no %s files", ErrNoInput, strings.Join(Extensions, ", "))})
		}
		for _, f := range files {
			res.add(ReadFile(f))
		}
	}
	return res
}

func (r *Result) add(o *Result) {
	r.Objects = append(r.Objects, o.Objects...)
	r.Problems = append(r.Problems, o.Problems...)
}

func hasExtension(path string) bool {
	ext := strings.ToLower(filepath.Ext(path))
	for _, e := range Extensions {
		if ext == e {
			return true
		}
	}
	return false
}

func errText(err error) string {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	return err.Error()
}

// ReadFile reads one file.
func ReadFile(path string) *Result {
	if info, err := os.Stat(path); err == nil && info.Mode().IsRegular() && info.Size() > MaxFileSize() {
		return &Result{Problems: []Problem{tooLarge(path, info.Size())}}
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return &Result{Problems: []Problem{{File: path, Message: "cannot read: " + errText(err)}}}
	}
	return Parse(path, data)
}

// tooLarge is the problem of an input over MaxFileSize() (size -1: unknown).
func tooLarge(file string, size int64) Problem {
	what := "more than"
	if size >= 0 {
		what = fmt.Sprintf("%s, more than", mib(size))
	}
	return Problem{File: file, Message: fmt.Sprintf("input is %s the %s limit: split it into smaller files, or raise the limit with --max-file-size", what, mib(MaxFileSize()))}
}

func mib(n int64) string {
	if n%(1<<20) == 0 {
		return fmt.Sprintf("%d MiB", n>>20)
	}
	return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
}

var yamlLineRE = regexp.MustCompile(`^yaml: (?:line (\d+): )?(.*)$`)

// Parse reads every document of a YAML or JSON stream. A syntax error ends the
// file (the parser cannot resynchronise) but the documents before it are kept.
func Parse(file string, data []byte) *Result {
	res := &Result{}
	if bytes.IndexByte(data, 0) >= 0 {
		res.Problems = append(res.Problems, Problem{File: file, Message: "binary file: not YAML or JSON"})
		return res
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	for {
		var doc yaml.Node
		err := dec.Decode(&doc)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			res.Problems = append(res.Problems, syntaxProblem(file, data, err))
			break
		}
		res.document(file, &doc)
	}
	return res
}

func syntaxProblem(file string, data []byte, err error) Problem {
	msg := withHint(err.Error())
	m := yamlLineRE.FindStringSubmatch(msg)
	if m == nil {
		return Problem{File: file, Message: "invalid YAML: " + msg}
	}
	line, _ := strconv.Atoi(m[1])
	text := m[2]
	if strings.Contains(text, "tab character") {
		// The parser names the line where the enclosing block began; point at
		// the line indented with a tab instead, and say how to fix it.
		line = tabIndentedLine(data, line)
		text += " (indent with spaces, not tabs)"
	}
	return Problem{File: file, Line: line, Message: "invalid YAML: " + text}
}

// withHint adds what to do to the parser's messages about hostile input.
func withHint(msg string) string {
	switch {
	case strings.Contains(msg, "excessive aliasing"):
		return msg + " (anchors and aliases expand to far more data than the file holds; write the values out)"
	case strings.Contains(msg, "UTF-8"):
		return msg + " (the file is not UTF-8 text)"
	case strings.Contains(msg, "exceeded max depth"):
		return msg + " (the document nests too deeply to be a Kubernetes object)"
	}
	return msg
}

// tabIndentedLine returns the first line from `from` on whose indentation holds a tab.
func tabIndentedLine(data []byte, from int) int {
	lines := strings.Split(string(data), "\n")
	for i := max(from-1, 0); i < len(lines); i++ {
		indent := lines[i][:len(lines[i])-len(strings.TrimLeft(lines[i], " \t"))]
		if strings.Contains(indent, "\t") {
			return i + 1
		}
	}
	return from
}

func (r *Result) document(file string, doc *yaml.Node) {
	line := doc.Line
	if len(doc.Content) == 0 || (len(doc.Content) == 1 && doc.Content[0].Tag == "!!null") {
		r.Problems = append(r.Problems, Problem{File: file, Line: line, Message: "empty document skipped", Warning: true})
		return
	}
	node := doc.Content[0]
	line = node.Line
	if node.Kind != yaml.MappingNode {
		r.Problems = append(r.Problems, Problem{File: file, Line: line, Message: "not a Kubernetes object: the document is not a mapping"})
		return
	}
	budget := aliasBudget(doc)
	v, err := value(node, &budget, 0)
	if err != nil {
		r.Problems = append(r.Problems, Problem{File: file, Line: line, Message: "invalid YAML: " + withHint(err.Error())})
		return
	}
	if m, ok := v.(map[string]any); ok {
		var missing []string
		for _, f := range []string{"apiVersion", "kind"} {
			if s, _ := m[f].(string); s == "" {
				missing = append(missing, f)
			}
		}
		if len(missing) > 0 {
			r.Problems = append(r.Problems, Problem{File: file, Line: line, Message: "not a Kubernetes object: " + strings.Join(missing, " and ") + " missing"})
			return
		}
	}
	raw, err := json.Marshal(v)
	if err != nil {
		r.Problems = append(r.Problems, Problem{File: file, Line: line, Message: "cannot be represented as JSON: " + err.Error()})
		return
	}
	obj := &unstructured.Unstructured{}
	if err := obj.UnmarshalJSON(raw); err != nil {
		r.Problems = append(r.Problems, Problem{File: file, Line: line, Message: "not a Kubernetes object: " + missingTypeHint(err)})
		return
	}
	if obj.GetAPIVersion() == "" {
		r.Problems = append(r.Problems, Problem{File: file, Line: line, Message: "not a Kubernetes object: apiVersion is missing"})
		return
	}
	if obj.IsList() {
		items, _ := obj.Object["items"].([]any)
		for i, it := range items {
			m, ok := it.(map[string]any)
			u := &unstructured.Unstructured{Object: m}
			if !ok || u.GetKind() == "" || u.GetAPIVersion() == "" {
				r.Problems = append(r.Problems, Problem{File: file, Line: itemLine(node, i, line), Message: fmt.Sprintf("%s item %d is not a Kubernetes object: apiVersion or kind is missing", obj.GetKind(), i)})
				continue
			}
			r.Objects = append(r.Objects, Object{File: file, Line: itemLine(node, i, line), Object: u})
		}
		return
	}
	r.Objects = append(r.Objects, Object{File: file, Line: line, Object: obj})
}

func missingTypeHint(err error) string {
	if strings.Contains(err.Error(), "Object 'Kind' is missing") {
		return "kind is missing"
	}
	return err.Error()
}

// itemLine finds the line of items[i] of a List document.
func itemLine(node *yaml.Node, i, fallback int) int {
	for j := 0; j+1 < len(node.Content); j += 2 {
		if node.Content[j].Value == "items" && node.Content[j+1].Kind == yaml.SequenceNode {
			if i < len(node.Content[j+1].Content) {
				return node.Content[j+1].Content[i].Line
			}
		}
	}
	return fallback
}

// maxDepth bounds nesting, as the YAML parser does.
const maxDepth = 10000

// aliasBudget is how many nodes a document may expand to through aliases: the
// nodes it holds, plus a generous allowance, so that an alias bomb (a few lines
// that expand to gigabytes) is refused while ordinary anchors work.
func aliasBudget(doc *yaml.Node) int {
	n := 0
	var count func(*yaml.Node)
	count = func(x *yaml.Node) {
		n++
		for _, c := range x.Content {
			count(c)
		}
	}
	count(doc)
	return 10*n + 100000
}

// value converts a YAML node to the JSON-like value Kubernetes sees, in time
// linear in the size of the (alias-expanded) document. Keys that are not
// strings (an unquoted number or boolean) become their text, as kubectl does;
// a key given twice is an error, as it is for kubectl; merge keys (<<) work.
func value(n *yaml.Node, budget *int, depth int) (any, error) {
	*budget--
	if *budget < 0 {
		return nil, errors.New("yaml: document contains excessive aliasing")
	}
	if depth > maxDepth {
		return nil, fmt.Errorf("exceeded max depth of %d", maxDepth)
	}
	switch n.Kind {
	case yaml.DocumentNode:
		if len(n.Content) == 0 {
			return nil, nil
		}
		return value(n.Content[0], budget, depth+1)
	case yaml.AliasNode:
		// An anchor whose value refers to itself would expand forever.
		if n.Alias.Kind == yaml.AliasNode || containsNode(n.Alias, n) {
			return nil, fmt.Errorf("yaml: line %d: anchor %q contains itself", n.Line, n.Value)
		}
		return value(n.Alias, budget, depth+1)
	case yaml.SequenceNode:
		out := make([]any, 0, len(n.Content))
		for _, c := range n.Content {
			v, err := value(c, budget, depth+1)
			if err != nil {
				return nil, err
			}
			out = append(out, v)
		}
		return out, nil
	case yaml.MappingNode:
		out := make(map[string]any, len(n.Content)/2)
		lines := make(map[string]int, len(n.Content)/2)
		var merges []*yaml.Node
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, vn := n.Content[i], n.Content[i+1]
			if k.Kind == yaml.ScalarNode && k.Tag == "!!merge" {
				merges = append(merges, vn)
				continue
			}
			key, err := keyText(k)
			if err != nil {
				return nil, err
			}
			if line, dup := lines[key]; dup {
				return nil, fmt.Errorf("yaml: line %d: mapping key %q already defined at line %d", k.Line, key, line)
			}
			lines[key] = k.Line
			v, err := value(vn, budget, depth+1)
			if err != nil {
				return nil, err
			}
			out[key] = v
		}
		// Merged mappings fill in only the keys the mapping does not set itself;
		// in a list of them, the first that sets a key wins.
		for _, m := range merges {
			sources := []*yaml.Node{m}
			if m.Kind == yaml.SequenceNode {
				sources = m.Content
			}
			for _, src := range sources {
				v, err := value(src, budget, depth+1)
				if err != nil {
					return nil, err
				}
				mm, ok := v.(map[string]any)
				if !ok {
					return nil, fmt.Errorf("yaml: line %d: map merge requires a mapping or a list of mappings", src.Line)
				}
				for k, x := range mm {
					if _, set := out[k]; !set {
						out[k] = x
					}
				}
			}
		}
		return out, nil
	case yaml.ScalarNode:
		if n.ShortTag() == "!!str" {
			return n.Value, nil
		}
		var v any
		if err := n.Decode(&v); err != nil {
			return nil, err
		}
		return v, nil
	}
	return nil, fmt.Errorf("yaml: line %d: unexpected node", n.Line)
}

// keyText is a mapping key as Kubernetes JSON has it: a string.
func keyText(k *yaml.Node) (string, error) {
	if k.Kind == yaml.AliasNode {
		k = k.Alias
	}
	if k.Kind != yaml.ScalarNode {
		return "", fmt.Errorf("yaml: line %d: a mapping key must be a string, not a list or mapping", k.Line)
	}
	if k.ShortTag() == "!!null" {
		return "null", nil
	}
	return k.Value, nil
}

// containsNode reports whether x is n or below it (aliases are not followed).
func containsNode(n, x *yaml.Node) bool {
	if n == x {
		return true
	}
	for _, c := range n.Content {
		if containsNode(c, x) {
			return true
		}
	}
	return false
}
