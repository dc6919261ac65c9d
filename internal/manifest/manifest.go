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
			data, err := io.ReadAll(stdin)
			if err != nil {
				res.Problems = append(res.Problems, Problem{File: "<stdin>", Message: err.Error()})
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
	data, err := os.ReadFile(path)
	if err != nil {
		return &Result{Problems: []Problem{{File: path, Message: "cannot read: " + errText(err)}}}
	}
	return Parse(path, data)
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
	msg := err.Error()
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
	var v any
	if err := node.Decode(&v); err != nil {
		r.Problems = append(r.Problems, Problem{File: file, Line: line, Message: "invalid YAML: " + err.Error()})
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
