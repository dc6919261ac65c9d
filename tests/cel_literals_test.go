package tests

import (
	"fmt"
	"testing"

	"github.com/google/cel-go/cel"
	"github.com/google/cel-go/common/ast"

	"github.com/gatewarden/gatewarden/internal/render"
)

// A map literal that names a key twice evaluates without complaint in CEL (the
// last entry wins), so a key written twice, which a merge of two edits can
// leave behind, hides whichever value the author meant. Every expression of
// every template, the shared variables included, names each key once.
func TestCELMapLiteralsNameEachKeyOnce(t *testing.T) {
	env, err := cel.NewEnv(cel.OptionalTypes())
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range celPolicies(t) {
		src, err := render.CELSource(p)
		if err != nil {
			t.Fatal(err)
		}
		exprs := map[string]string{}
		for _, v := range src["variables"].([]any) {
			m := v.(map[string]any)
			exprs["variable "+m["name"].(string)] = m["expression"].(string)
		}
		for i, v := range src["validations"].([]any) {
			m := v.(map[string]any)
			exprs[fmt.Sprintf("validations[%d].expression", i)] = m["expression"].(string)
			exprs[fmt.Sprintf("validations[%d].messageExpression", i)] = m["messageExpression"].(string)
		}
		for where, expr := range exprs {
			parsed, iss := env.Parse(expr)
			if iss.Err() != nil {
				t.Errorf("%s: %s does not parse: %v", p.Key, where, iss.Err())
				continue
			}
			for _, key := range duplicateMapKeys(parsed.NativeRep().Expr()) {
				t.Errorf("%s: %s: a map literal names key %s twice", p.Key, where, key)
			}
		}
	}
}

func duplicateMapKeys(root ast.Expr) []string {
	var dups []string
	ast.PostOrderVisit(root, ast.NewExprVisitor(func(e ast.Expr) {
		if e.Kind() != ast.MapKind {
			return
		}
		seen := map[string]bool{}
		for _, entry := range e.AsMap().Entries() {
			k := entry.AsMapEntry().Key()
			if k.Kind() != ast.LiteralKind {
				continue
			}
			s := fmt.Sprint(k.AsLiteral().Value())
			if seen[s] {
				dups = append(dups, fmt.Sprintf("%q", s))
			}
			seen[s] = true
		}
	}))
	return dups
}

// The check above finds what it looks for.
func TestDuplicateMapKeysFindsThem(t *testing.T) {
	env, err := cel.NewEnv(cel.OptionalTypes())
	if err != nil {
		t.Fatal(err)
	}
	parsed, iss := env.Parse(`[1].map(x, {"a": x, "b": {"c": 1, "c": 2}, "a": 2})`)
	if iss.Err() != nil {
		t.Fatal(iss.Err())
	}
	if got := duplicateMapKeys(parsed.NativeRep().Expr()); len(got) != 2 {
		t.Errorf("found %v, want the repeated \"c\" and \"a\"", got)
	}
}
