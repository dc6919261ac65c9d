// Package policies_test measures what the library costs: one review per policy
// and engine, the whole hardened bundle, rendering, and loading a fresh client.
// `make bench` runs it and bench/ratios turns its output into ratios; nothing
// here runs under plain `go test` (there are no tests, only benchmarks).
//
// Benchmark names are read by bench/ratios: keep their key=value parts.
package policies_test

import (
	"context"
	"fmt"
	"github.com/gatewarden/gatewarden/bench/internal/benchfmt"
	"testing"

	templatesv1 "github.com/open-policy-agent/frameworks/constraint/pkg/apis/templates/v1"

	"github.com/gatewarden/gatewarden/internal/check"
	"github.com/gatewarden/gatewarden/internal/engine"
	"github.com/gatewarden/gatewarden/internal/render"
	"github.com/gatewarden/gatewarden/internal/spec"
)

// measure reviews a subject once (checking the verdict), then benchmarks the
// review under object=<name>. It returns what the review found.
func measure(b *testing.B, eng engine.Engine, ct *templatesv1.ConstraintTemplate, s *subject) outcome {
	b.Helper()
	c := client(b, eng, ct, s)
	n := verdict(b, eng, c, s)
	b.Run("object="+s.name, func(b *testing.B) { loop(b, c, s, n) })
	return n
}

// loop benchmarks the review of a subject and reports what it found.
func loop(b *testing.B, c *engine.Client, s *subject, o outcome) {
	b.ReportAllocs()
	timed(b, func() {
		if _, err := review(c, s); err != nil {
			b.Fatal(err)
		}
	})
	b.ReportMetric(float64(o.findings), "findings")
}

// timed runs f in b.Loop and reports, besides the wall time (ns/op), the
// process's CPU time per iteration (cpu-ns/op): on a machine shared with other
// jobs, wall time counts the time the others took, CPU time does not (the
// garbage collector's work on other cores is counted, as it is a cost of f).
func timed(b *testing.B, f func()) {
	b.Helper()
	start, ok := cpuTime()
	for b.Loop() {
		f()
	}
	if end, _ := cpuTime(); ok && b.N > 0 {
		b.ReportMetric(float64(end-start)/float64(b.N), "cpu-ns/op")
	}
}

// verdict reviews a subject once and fails when an allowed subject has findings.
func verdict(b *testing.B, eng engine.Engine, c *engine.Client, s *subject) outcome {
	b.Helper()
	res, err := review(c, s)
	if err != nil {
		b.Fatalf("%s %s: %v", eng, s.name, err)
	}
	n, err := findings(res)
	if err != nil {
		b.Fatalf("%s %s: %v", eng, s.name, err)
	}
	if s.allowed && n.findings > 0 {
		b.Fatalf("%s %s: the allowed object %s/%s has %d findings, fix the fixture: %v", eng, s.name, s.object.GetKind(), s.object.GetName(), n.findings, res)
	}
	return n
}

// BenchmarkPolicy measures one policy alone, per engine, on the hardened and
// insecure Pod and Deployment (or on its suite's cases when it does not review
// workloads). When the insecure Deployment does not violate the policy, its
// suite's first violating case is measured too (object=suite-violating).
func BenchmarkPolicy(b *testing.B) {
	f := load(b)
	for _, p := range f.policies {
		b.Run("policy="+p.Key, func(b *testing.B) {
			subjects, err := f.subjects(p)
			if err != nil {
				b.Fatal(err)
			}
			ct := f.templates[p.Key]
			for _, eng := range enginesOf(p) {
				b.Run("engine="+string(eng), func(b *testing.B) {
					for _, s := range subjects {
						o := measure(b, eng, ct, s)
						if o == (outcome{}) && s.name == benchfmt.SuiteViolating {
							b.Fatalf("%s: the suite's violating case has no finding", eng)
						}
						if o == (outcome{}) && s.name == benchfmt.DeploymentViolating {
							v, err := f.suiteViolatingCase(p)
							if err != nil {
								b.Fatal(err)
							}
							if measure(b, eng, ct, v) == (outcome{}) {
								b.Fatalf("%s: the suite's violating case has no finding", eng)
							}
						}
					}
				})
			}
		})
	}
}

// BenchmarkMessages measures each policy with CEL on its allowed object (the
// allowed Deployment, or its suite's allowed case) with every messageExpression
// replaced by a constant message. The API server's CEL validator, which
// Gatekeeper's CEL driver and ValidatingAdmissionPolicy both use, evaluates
// every messageExpression of a policy on every review, passing or not, with
// variables of their own: a passing review derives each rule's findings twice.
// BenchmarkPolicy's figure less this one is that second pass.
func BenchmarkMessages(b *testing.B) {
	f := load(b)
	for _, p := range f.policies {
		if p.CEL == "" {
			continue
		}
		b.Run("policy="+p.Key, func(b *testing.B) {
			subjects, err := f.subjects(p)
			if err != nil {
				b.Fatal(err)
			}
			ct, err := withoutMessageExpressions(f.templates[p.Key])
			if err != nil {
				b.Fatal(err)
			}
			measured := false
			for _, s := range subjects {
				if s.name != benchfmt.DeploymentAllowed && s.name != benchfmt.SuiteAllowed {
					continue
				}
				b.Run("engine=cel", func(b *testing.B) { measure(b, engine.CEL, ct, s) })
				measured = true
			}
			if !measured {
				b.Fatalf("%s has neither the allowed Deployment nor an allowed suite case to measure", p.Key)
			}
		})
	}
}

// BenchmarkFloor measures a template of each engine that reports nothing
// without reading the object: the fixed cost of a review. On the workload
// objects with the workload kinds, and, for each policy that does not review
// workloads, on that policy's allowed suite case with the policy's kinds.
func BenchmarkFloor(b *testing.B) {
	f := load(b)
	workloads, err := floorConstraint(spec.Workloads)
	if err != nil {
		b.Fatal(err)
	}
	for _, eng := range []engine.Engine{engine.Rego, engine.CEL} {
		b.Run("engine="+string(eng), func(b *testing.B) {
			for _, name := range []string{benchfmt.PodAllowed, benchfmt.PodViolating, benchfmt.DeploymentAllowed, benchfmt.DeploymentViolating} {
				s := f.subject(name, workloads)
				s.allowed = true // the floor never reports
				measure(b, eng, f.floor, s)
			}
			for _, n := range scalingSizes {
				s := &subject{name: fmt.Sprintf("containers=%d", n), object: f.scaling[n], namespace: f.namespaces["shop-insecure"],
					constraint: workloads, inventory: f.inventory, allowed: true}
				c := client(b, eng, f.floor, s)
				o := verdict(b, eng, c, s)
				b.Run(s.name, func(b *testing.B) { loop(b, c, s, o) })
			}
		})
	}
	for _, p := range f.policies {
		if matchesWorkloads(p) {
			continue
		}
		b.Run("policy="+p.Key, func(b *testing.B) {
			subjects, err := f.subjects(p)
			if err != nil {
				b.Fatal(err)
			}
			constraint, err := floorConstraint(p.Match.Kinds)
			if err != nil {
				b.Fatal(err)
			}
			s := *subjects[0] // suite-allowed
			s.constraint = constraint
			for _, eng := range []engine.Engine{engine.Rego, engine.CEL} {
				b.Run("engine="+string(eng), func(b *testing.B) { measure(b, eng, f.floor, &s) })
			}
		})
	}
}

// BenchmarkScaling measures each policy that reviews Pods on an insecure Pod
// with 1, 10 and 100 containers, every container breaking every
// container-scoped practice: the cost must grow linearly at most.
func BenchmarkScaling(b *testing.B) {
	f := load(b)
	for _, p := range f.policies {
		if !matchesWorkloads(p) {
			continue
		}
		b.Run("policy="+p.Key, func(b *testing.B) {
			for _, eng := range enginesOf(p) {
				b.Run("engine="+string(eng), func(b *testing.B) {
					for _, n := range scalingSizes {
						s := &subject{name: fmt.Sprintf("containers=%d", n), object: f.scaling[n], namespace: f.namespaces["shop-insecure"],
							constraint: f.constraints[p.Key], inventory: f.inventory}
						c := client(b, eng, f.templates[p.Key], s)
						got := verdict(b, eng, c, s)
						if p.Scope == spec.ScopeContainer && got.findings < n {
							b.Fatalf("%s: %d findings on %d containers: each container must violate a container-scoped policy, fix scalingContainer", eng, got.findings, n)
						}
						b.Run(s.name, func(b *testing.B) { loop(b, c, s, got) })
					}
				})
			}
		})
	}
}

// bundleClients caches a client loaded with the hardened bundle per engine.
var bundleClients = map[engine.Engine]*engine.Client{}

// BenchmarkBundle measures the whole hardened bundle in one client, as
// Gatekeeper runs it: per engine (auto is Gatekeeper's default, CEL where a
// template has it), at admission (CREATE) and in audit.
func BenchmarkBundle(b *testing.B) {
	f := load(b)
	lib, err := check.BuiltIn(f.policies, "hardened")
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	for _, eng := range []engine.Engine{engine.Auto, engine.Rego, engine.CEL} {
		b.Run("engine="+string(eng), func(b *testing.B) {
			c := bundleClients[eng]
			if c == nil {
				if c, err = engine.New(eng); err != nil {
					b.Fatal(err)
				}
				if _, err := check.Load(ctx, c, lib); err != nil {
					b.Fatal(err)
				}
				for _, o := range f.inventory {
					if err := c.AddData(ctx, o); err != nil {
						b.Fatal(err)
					}
				}
				bundleClients[eng] = c
			}
			for _, op := range []string{"admission", "audit"} {
				b.Run("op="+op, func(b *testing.B) {
					for _, name := range []string{benchfmt.PodAllowed, benchfmt.PodViolating, benchfmt.DeploymentAllowed, benchfmt.DeploymentViolating} {
						s := f.subject(name, nil)
						if op == "audit" {
							s.audit = true
						}
						o := verdict(b, eng, c, s)
						b.Run("object="+name, func(b *testing.B) { loop(b, c, s, o) })
					}
				})
			}
		})
	}
}

// BenchmarkRender measures rendering: the whole library as files (what
// `gatewarden generate` writes), and the hardened bundle's templates and
// constraints in memory (what `gatewarden check` renders at start-up).
func BenchmarkRender(b *testing.B) {
	f := load(b)
	b.Run("what=library", func(b *testing.B) {
		b.ReportAllocs()
		timed(b, func() {
			if err := render.Library(f.policies, render.MemSink{}, nil); err != nil {
				b.Fatal(err)
			}
		})
	})
	b.Run("what=bundle", func(b *testing.B) {
		b.ReportAllocs()
		timed(b, func() {
			if _, err := check.BuiltIn(f.policies, "hardened"); err != nil {
				b.Fatal(err)
			}
		})
	})
}

// BenchmarkLoad measures loading the rendered hardened bundle into a fresh
// client: what Gatekeeper pays at start-up and `gatewarden check` once per run.
func BenchmarkLoad(b *testing.B) {
	f := load(b)
	lib, err := check.BuiltIn(f.policies, "hardened")
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	for _, eng := range []engine.Engine{engine.Auto, engine.Rego, engine.CEL} {
		b.Run("engine="+string(eng), func(b *testing.B) {
			b.ReportAllocs()
			timed(b, func() {
				c, err := engine.New(eng)
				if err != nil {
					b.Fatal(err)
				}
				if _, err := check.Load(ctx, c, lib); err != nil {
					b.Fatal(err)
				}
			})
		})
	}
}
