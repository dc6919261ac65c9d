package report

import (
	"encoding/xml"
	"fmt"
	"io"
	"strings"

	"github.com/gatewarden/gatewarden/internal/engine"
)

// JUnit writes one test suite per file and one test case per object and
// constraint that selects it; a violation is a failure whose type is its
// enforcement action. Input problems form a suite of their own.
type JUnit struct{}

type junitSuites struct {
	XMLName  xml.Name     `xml:"testsuites"`
	Name     string       `xml:"name,attr"`
	Tests    int          `xml:"tests,attr"`
	Failures int          `xml:"failures,attr"`
	Errors   int          `xml:"errors,attr"`
	Suites   []junitSuite `xml:"testsuite"`
}

type junitSuite struct {
	Name     string      `xml:"name,attr"`
	Tests    int         `xml:"tests,attr"`
	Failures int         `xml:"failures,attr"`
	Errors   int         `xml:"errors,attr"`
	Cases    []junitCase `xml:"testcase"`
}

type junitCase struct {
	ClassName string        `xml:"classname,attr"`
	Name      string        `xml:"name,attr"`
	Failures  []junitResult `xml:"failure,omitempty"`
	Errors    []junitResult `xml:"error,omitempty"`
}

type junitResult struct {
	Type    string `xml:"type,attr"`
	Message string `xml:"message,attr"`
	Text    string `xml:",chardata"`
}

// Output implements Outputter.
func (JUnit) Output(w io.Writer, r *Report) error {
	root := junitSuites{Name: "gatewarden"}
	suites := map[string]int{}
	suiteFor := func(name string) *junitSuite {
		i, ok := suites[name]
		if !ok {
			i = len(root.Suites)
			suites[name] = i
			root.Suites = append(root.Suites, junitSuite{Name: name})
		}
		return &root.Suites[i]
	}
	for _, o := range r.Objects {
		s := suiteFor(o.File)
		id := objectID(o)
		byConstraint := map[string][]engine.Result{}
		var order []string
		for _, m := range o.Matched {
			if _, ok := byConstraint[m]; !ok {
				order = append(order, m)
			}
			byConstraint[m] = nil
		}
		for _, v := range o.Violations {
			key := v.ConstraintKind + "/" + v.ConstraintName
			if _, ok := byConstraint[key]; !ok {
				order = append(order, key)
			}
			byConstraint[key] = append(byConstraint[key], v)
		}
		for _, key := range order {
			tc := junitCase{ClassName: o.File, Name: fmt.Sprintf("%s (line %d) %s", id, o.Line, key)}
			for _, v := range byConstraint[key] {
				tc.Failures = append(tc.Failures, junitResult{Type: v.EnforcementAction, Message: v.Message, Text: v.Message})
			}
			s.Cases = append(s.Cases, tc)
			s.Tests++
			root.Tests++
			if len(tc.Failures) > 0 {
				s.Failures++
				root.Failures++
			}
		}
	}
	for _, p := range r.Problems {
		if p.Warning {
			continue
		}
		s := suiteFor("input")
		s.Cases = append(s.Cases, junitCase{ClassName: p.File, Name: p.Error(),
			Errors: []junitResult{{Type: "input", Message: p.Message, Text: p.Error()}}})
		s.Tests++
		s.Errors++
		root.Tests++
		root.Errors++
	}
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return err
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(root); err != nil {
		return err
	}
	_, err := io.WriteString(w, "\n")
	return err
}

func objectID(o Object) string {
	parts := []string{}
	if o.Namespace != "" {
		parts = append(parts, o.Namespace)
	}
	parts = append(parts, o.Kind, o.Name)
	return strings.Join(parts, "/")
}
