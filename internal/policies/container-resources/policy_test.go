package containerresources

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/open-policy-agent/opa/v1/ast"
	opa "github.com/open-policy-agent/opa/v1/rego"
	"k8s.io/apimachinery/pkg/api/resource"

	"github.com/gatewarden/gatewarden/internal/policies/lib"
)

var quantities = []string{
	"0", "1", "2", "+2", "-1", "0.5", ".5", "1.", "500m", "2000m", "1999m", "2001m", "0.3", "300m",
	"0.1", "100m", "1.1", "1100m", "100u", "0.0001", "1n", "1000000001n", "1e3", "1E3", "1e-3",
	"1.5e3", "1e+3", "1k", "1000", "1M", "1000k", "1G", "1000M", "1T", "1P", "1E",
	"1Ki", "1024", "1Mi", "1024Ki", "1Gi", "1024Mi", "1073741824", "1.5Gi", "1536Mi",
	"0.5Gi", "512Mi", "5.Gi", "4Gi", "4G", "4096Mi", "129e6", "123Mi", "1Ti", "1Pi", "1Ei",
}

var invalid = []string{"", " 1", "1 ", "1e", "1K", "1mi", "1MB", "1.5.5", "abc", "0x10", "1e3Gi", "--1", "1Gi "}

// ParseQuantity also takes a lone "." or suffix as zero; the pattern does not,
// which is harmless: zero is never above a maximum.
var zeroQuirks = []string{".", "Gi", "m"}

// The grammar both engines use to decide that a limit or a maximum is a
// quantity accepts exactly what Kubernetes accepts on these samples.
func TestQuantityPatternMatchesParseQuantity(t *testing.T) {
	re := regexp.MustCompile(QuantityPattern)
	for _, q := range append(append([]string{}, quantities...), invalid...) {
		_, err := resource.ParseQuantity(q)
		if got, want := re.MatchString(q), err == nil; got != want {
			t.Errorf("%q: pattern matches=%v, ParseQuantity ok=%v", q, got, want)
		}
	}
	for _, q := range zeroQuirks {
		v, err := resource.ParseQuantity(q)
		if err != nil || !v.IsZero() || re.MatchString(q) {
			t.Errorf("%q: ParseQuantity=%v (%v), pattern matches=%v; want zero, not matched", q, v.String(), err, re.MatchString(q))
		}
	}
	for name, src := range map[string]string{"policy.rego": rego, "policy.cel": cel} {
		if !strings.Contains(src, QuantityPattern) {
			t.Errorf("%s does not spell QuantityPattern", name)
		}
	}
}

// quantity_nanos orders every pair of quantities as resource.Quantity.Cmp does.
func TestRegoComparesQuantitiesExactly(t *testing.T) {
	libs, err := lib.RegoFor(rego)
	if err != nil {
		t.Fatal(err)
	}
	opts := []func(*opa.Rego){
		opa.Query("x := data.k8scontainerresources.quantity_nanos(input.a) > data.k8scontainerresources.quantity_nanos(input.b); y := data.k8scontainerresources.quantity_nanos(input.a) == data.k8scontainerresources.quantity_nanos(input.b)"),
		opa.Module("policy.rego", rego),
		opa.SetRegoVersion(ast.RegoV1),
		opa.StrictBuiltinErrors(true),
	}
	for i, l := range libs {
		opts = append(opts, opa.Module(fmt.Sprintf("lib%d.rego", i), l))
	}
	q, err := opa.New(opts...).PrepareForEval(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range quantities {
		for _, b := range quantities {
			rs, err := q.Eval(context.Background(), opa.EvalInput(map[string]any{"a": a, "b": b}))
			if err != nil || len(rs) != 1 {
				t.Fatalf("%q vs %q: %v %v", a, b, rs, err)
			}
			qa, qb := resource.MustParse(a), resource.MustParse(b)
			cmp := qa.Cmp(qb)
			if gt, eq := rs[0].Bindings["x"], rs[0].Bindings["y"]; gt != (cmp > 0) || eq != (cmp == 0) {
				t.Errorf("%q vs %q: rego greater=%v equal=%v, Kubernetes Cmp=%d", a, b, gt, eq, cmp)
			}
		}
	}
}
