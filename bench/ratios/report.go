package main

import (
	"fmt"
	"io"
	"math"
	"sort"
	"strings"
	"text/tabwriter"

	"github.com/gatewarden/gatewarden/bench/internal/benchfmt"
)

// Budgets of the performance issue.
const (
	// regoFloorMax and celFloorMax bound a policy's cost on the allowed
	// Deployment, as a multiple of its engine's floor.
	regoFloorMax = 3.0
	celFloorMax  = 2.0
	// scalingMax bounds the cost from 10 to 100 containers: linear is 10x;
	// the extra 10% absorbs the noise of a single run.
	scalingMax = 11.0
	// auditPods is the audit size the cluster table speaks of.
	auditPods = 10000
)

var (
	engines      = []string{"rego", "cel"}
	workloadObjs = []string{benchfmt.PodAllowed, benchfmt.PodViolating, benchfmt.DeploymentAllowed, benchfmt.DeploymentViolating}
	sizes        = []string{"1", "10", "100"}
)

type report struct {
	s        *benchfmt.Set
	unit     string              // the time unit of every figure: cpu-ns/op or ns/op
	policies []string            // in order of appearance
	flags    map[string][]string // summary section -> entries
	order    []string            // summary sections in order
}

func newReport(s *benchfmt.Set) *report {
	r := &report{s: s, unit: "ns/op", flags: map[string][]string{}}
	seen := map[string]bool{}
	for _, res := range s.Results {
		if _, ok := res.Values[cpuUnit]; ok {
			r.unit = cpuUnit
		}
	}
	for _, name := range s.Names() {
		top, kv := benchfmt.Key(name)
		if top == "Policy" && kv["policy"] != "" && !seen[kv["policy"]] {
			seen[kv["policy"]] = true
			r.policies = append(r.policies, kv["policy"])
		}
	}
	return r
}

func (r *report) flag(section, entry string) {
	if _, ok := r.flags[section]; !ok {
		r.order = append(r.order, section)
	}
	r.flags[section] = append(r.flags[section], entry)
}

// cpuUnit is the CPU time per iteration that bench/policies reports besides
// the wall time: on a shared machine it varies less with the load.
const cpuUnit = "cpu-ns/op"

// ns is a benchmark's time per iteration in the report's unit; kv are its
// key=value parts in name order.
func (r *report) ns(top string, kv ...string) (float64, bool) {
	return r.s.Value(benchfmt.Name(top, kv...), r.unit)
}

func (r *report) metric(unit, top string, kv ...string) (float64, bool) {
	return r.s.Value(benchfmt.Name(top, kv...), unit)
}

func (r *report) policy(p, eng, obj string) (float64, bool) {
	return r.ns("Policy", "policy", p, "engine", eng, "object", obj)
}

// allocsRatio is a policy's allocations on an object as a multiple of its
// floor's: unlike time, it does not depend on the machine's load.
func (r *report) allocsRatio(p, eng, obj string) string {
	a, ok := r.metric("allocs/op", "Policy", "policy", p, "engine", eng, "object", obj)
	var f float64
	var okf bool
	if obj == benchfmt.SuiteAllowed || obj == benchfmt.SuiteViolating {
		f, okf = r.metric("allocs/op", "Floor", "policy", p, "engine", eng, "object", benchfmt.SuiteAllowed)
	} else {
		f, okf = r.metric("allocs/op", "Floor", "engine", eng, "object", obj)
	}
	return ratio(a, f, ok && okf)
}

// floorOf is the floor that a policy's figure on an object is a multiple of:
// the same object with the same kinds.
func (r *report) floorOf(p, eng, obj string) (float64, bool) {
	if obj == benchfmt.SuiteAllowed || obj == benchfmt.SuiteViolating {
		return r.ns("Floor", "policy", p, "engine", eng, "object", benchfmt.SuiteAllowed)
	}
	return r.ns("Floor", "engine", eng, "object", obj)
}

// allowedObject is where a policy's allowed figure was taken.
func (r *report) allowedObject(p string) string {
	if _, ok := r.policy(p, "rego", benchfmt.DeploymentAllowed); ok {
		return benchfmt.DeploymentAllowed
	}
	return benchfmt.SuiteAllowed
}

func table(w io.Writer, title, note string, header []string, rows [][]string) {
	fmt.Fprintf(w, "\n== %s\n", title)
	if note != "" {
		fmt.Fprintln(w, note)
	}
	if len(rows) == 0 {
		fmt.Fprintln(w, "(no figures in the input)")
		return
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, strings.Join(header, "\t"))
	for _, row := range rows {
		fmt.Fprintln(tw, strings.Join(row, "\t"))
	}
	tw.Flush()
}

// dur prints a duration in ns with three significant digits.
func dur(ns float64, ok bool) string {
	if !ok {
		return "-"
	}
	switch {
	case ns >= 1e9:
		return sig(ns/1e9) + " s"
	case ns >= 1e6:
		return sig(ns/1e6) + " ms"
	case ns >= 1e3:
		return sig(ns/1e3) + " µs"
	}
	return sig(ns) + " ns"
}

func sig(v float64) string {
	switch {
	case v >= 100:
		return fmt.Sprintf("%.0f", v)
	case v >= 10:
		return fmt.Sprintf("%.1f", v)
	}
	return fmt.Sprintf("%.2f", v)
}

func ratio(a, b float64, ok bool) string {
	if !ok || b == 0 {
		return "-"
	}
	return fmt.Sprintf("%.2fx", a/b)
}

func (r *report) header(w io.Writer) {
	cfg := r.s.Config
	cpu := cfg["cpu"]
	if cpu == "" {
		cpu = "unknown cpu"
	}
	what := "wall time per review (ns/op)"
	if r.unit == cpuUnit {
		what = "the process's CPU time per review (cpu-ns/op; wall time is in the raw output)"
	}
	fmt.Fprintf(w, "Machine: %s, %s/%s, GOMAXPROCS %d. Figures: %s, median when -count > 1.\n", cpu, cfg["goos"], cfg["goarch"], r.s.Procs(), what)
	fmt.Fprintln(w, "Reviews are admission CREATE requests unless marked audit. Ratios within one run share its load.")
}

func (r *report) floor(w io.Writer) {
	var rows [][]string
	for _, eng := range engines {
		row := []string{eng}
		for _, obj := range workloadObjs {
			row = append(row, dur(r.ns("Floor", "engine", eng, "object", obj)))
		}
		for _, n := range sizes {
			row = append(row, dur(r.ns("Floor", "engine", eng, "containers", n)))
		}
		rows = append(rows, row)
	}
	table(w, "Floor: a template that reports nothing without reading the object",
		"The fixed cost of a review (framework, matching, the object's conversion).",
		append(append([]string{"engine"}, workloadObjs...), "1 container", "10 containers", "100 containers"), rows)
}

func (r *report) allowed(w io.Writer) {
	var rows [][]string
	for _, p := range r.policies {
		obj := r.allowedObject(p)
		row := []string{p, obj}
		var costs [2]float64
		var have [2]bool
		for i, eng := range engines {
			v, ok := r.policy(p, eng, obj)
			f, okf := r.floorOf(p, eng, obj)
			costs[i], have[i] = v, ok
			row = append(row, dur(v, ok), ratio(v, f, ok && okf), r.allocsRatio(p, eng, obj))
		}
		row = append(row, ratio(costs[1], costs[0], have[0] && have[1]))
		var flags []string
		for i, eng := range engines {
			f, okf := r.floorOf(p, eng, obj)
			max := regoFloorMax
			if eng == "cel" {
				max = celFloorMax
			}
			if have[i] && okf && f > 0 && costs[i]/f > max {
				flag := fmt.Sprintf("%s > %.0fx floor", eng, max)
				flags = append(flags, flag)
				r.flag("Above the floor budget (allowed object; Rego 3x, CEL 2x)", fmt.Sprintf("%s: %s (%.1fx)", p, flag, costs[i]/f))
			}
		}
		if !have[1] {
			flags = append(flags, "Rego only")
		}
		rows = append(rows, append(row, strings.Join(flags, ", ")))
	}
	table(w, "Each policy alone on the allowed object, as a multiple of the floor",
		fmt.Sprintf("The allowed 3-container Deployment; suite-allowed: the policy's first allowed suite case (it does not review workloads), against a floor on that object.\nBudget: Rego %.0fx, CEL %.0fx the floor of its engine, in time. Allocations as a multiple of the floor's do not depend on the load.", regoFloorMax, celFloorMax),
		[]string{"policy", "object", "rego", "x floor", "allocs x", "cel", "x floor", "allocs x", "cel/rego", "flags"}, rows)
}

func (r *report) violating(w io.Writer) {
	var rows [][]string
	for _, p := range r.policies {
		objs := []string{benchfmt.DeploymentViolating}
		if _, ok := r.policy(p, "rego", benchfmt.DeploymentViolating); !ok {
			objs = []string{benchfmt.SuiteViolating}
		} else if n, _ := r.metric("findings", "Policy", "policy", p, "engine", "rego", "object", benchfmt.DeploymentViolating); n == 0 {
			if _, ok := r.policy(p, "rego", benchfmt.SuiteViolating); ok {
				objs = append(objs, benchfmt.SuiteViolating)
				r.flag("Not violated by the insecure Deployment (measured on their suite's first violating case too)", p)
			}
		}
		for _, obj := range objs {
			n, okn := r.metric("findings", "Policy", "policy", p, "engine", "rego", "object", obj)
			findings := "-"
			if okn {
				findings = fmt.Sprintf("%.0f", n)
			}
			rg, okr := r.policy(p, "rego", obj)
			cl, okc := r.policy(p, "cel", obj)
			rows = append(rows, []string{p, obj, findings, dur(rg, okr), dur(cl, okc), ratio(cl, rg, okr && okc)})
		}
	}
	table(w, "Each policy alone on the violating object",
		"The insecure 3-container Deployment; suite-violating: the policy's first violating suite case, where the Deployment has no finding or the policy does not review workloads.",
		[]string{"policy", "object", "findings", "rego", "cel", "cel/rego"}, rows)
}

func (r *report) celVsRego(w io.Writer) {
	var rows [][]string
	sum, n := 0.0, 0
	for _, p := range r.policies {
		for _, obj := range []string{benchfmt.PodAllowed, benchfmt.PodViolating, benchfmt.DeploymentAllowed, benchfmt.DeploymentViolating, benchfmt.SuiteAllowed, benchfmt.SuiteViolating} {
			rg, okr := r.policy(p, "rego", obj)
			cl, okc := r.policy(p, "cel", obj)
			if !okr || !okc || rg == 0 {
				continue
			}
			sum += math.Log(cl / rg)
			n++
			if cl >= rg {
				rows = append(rows, []string{p, obj, dur(rg, true), dur(cl, true), ratio(cl, rg, true)})
				r.flag("CEL not faster than Rego", fmt.Sprintf("%s on %s (cel/rego %.2fx)", p, obj, cl/rg))
			}
		}
	}
	note := "Every policy with CEL, on every object it was measured on."
	if n > 0 {
		note += fmt.Sprintf(" Geometric mean of cel/rego over %d figures: %.2fx.", n, math.Exp(sum/float64(n)))
	}
	if len(rows) == 0 {
		note += "\nCEL is faster than Rego everywhere."
	}
	table(w, "Where CEL is not faster than Rego", note, []string{"policy", "object", "rego", "cel", "cel/rego"}, rows)
}

// messages compares each policy's CEL on its allowed object with the same
// template without messageExpressions (BenchmarkMessages): the API server's
// validator evaluates every messageExpression on every review, passing or not,
// with variables of their own, so a passing review derives each rule's
// findings twice.
func (r *report) messages(w io.Writer) {
	var rows [][]string
	faster, n := 0, 0
	sum := 0.0
	for _, p := range r.policies {
		obj := r.allowedObject(p)
		one, ok1 := r.ns("Messages", "policy", p, "engine", "cel", "object", obj)
		cl, okc := r.policy(p, "cel", obj)
		rg, okr := r.policy(p, "rego", obj)
		if !ok1 || !okc || !okr || cl == 0 || rg == 0 {
			continue
		}
		a1, oka1 := r.metric("allocs/op", "Messages", "policy", p, "engine", "cel", "object", obj)
		ac, okac := r.metric("allocs/op", "Policy", "policy", p, "engine", "cel", "object", obj)
		share := "-"
		if oka1 && okac && ac > 0 {
			share = fmt.Sprintf("%.0f%%", 100*(ac-a1)/ac)
		}
		n++
		sum += math.Log(one / rg)
		if one < rg {
			faster++
		}
		rows = append(rows, []string{p, obj, dur(rg, true), dur(cl, true), dur(one, true),
			fmt.Sprintf("%.0f%%", 100*(cl-one)/cl), share, ratio(one, rg, true)})
	}
	note := "cel: the template as shipped; one pass: the same template with each messageExpression replaced by a constant\n" +
		"message. The API server's CEL validator (Gatekeeper's CEL driver and ValidatingAdmissionPolicy alike) evaluates\n" +
		"every messageExpression on every review, passing or not, with variables of its own: a passing review derives\n" +
		"each rule's findings twice. second pass: the share of cel's time (and of its allocations) spent on messages."
	if n > 0 {
		note += fmt.Sprintf("\nOne pass is faster than Rego for %d of %d policies; geometric mean of one pass/rego: %.2fx.", faster, n, math.Exp(sum/float64(n)))
	}
	table(w, "CEL's second pass: messageExpressions on a passing review", note,
		[]string{"policy", "object", "rego", "cel", "one pass", "second pass", "allocs", "one pass/rego"}, rows)
}

// singles sums the single-policy figures of an engine on an object: the cost
// of the bundle reviewed one policy at a time. For auto, each policy counts
// with CEL where it has it. fixed is that sum with the floor counted once per
// driver instead of once per policy.
func (r *report) singles(eng, obj string) (sum, fixed float64, count int) {
	drivers := map[string]bool{}
	for _, p := range r.policies {
		e := eng
		if eng == "auto" {
			e = "cel"
			if _, ok := r.policy(p, "cel", obj); !ok {
				e = "rego"
			}
		}
		v, ok := r.policy(p, e, obj)
		if !ok {
			continue
		}
		f, _ := r.floorOf(p, e, obj)
		sum += v
		fixed += v - f
		drivers[e] = true
		count++
	}
	for e := range drivers {
		f, _ := r.floorOf("", e, obj)
		fixed += f
	}
	return sum, fixed, count
}

func (r *report) bundle(w io.Writer) {
	var rows [][]string
	for _, eng := range []string{"auto", "rego", "cel"} {
		for _, obj := range workloadObjs {
			v, ok := r.ns("Bundle", "engine", eng, "op", "admission", "object", obj)
			if !ok {
				continue
			}
			n, _ := r.metric("findings", "Bundle", "engine", eng, "op", "admission", "object", obj)
			sum, fixed, count := r.singles(eng, obj)
			rows = append(rows, []string{eng, obj, fmt.Sprintf("%.0f", n), dur(v, true), fmt.Sprintf("%d", count), dur(sum, count > 0), ratio(v, sum, count > 0), dur(fixed, count > 0), ratio(v, fixed, count > 0)})
		}
	}
	table(w, "The hardened bundle in one client against the sum of its policies alone",
		"Σ single: the policies that review workloads, each alone; Σ less floors: the same with each engine's floor counted once.\nauto is Gatekeeper's default: CEL where a template has it, Rego for the referential ones.",
		[]string{"engine", "object", "findings", "bundle", "policies", "Σ single", "bundle/Σ", "Σ less floors", "bundle/Σ'"}, rows)
}

func (r *report) cluster(w io.Writer) {
	procs := float64(r.s.Procs())
	var rows [][]string
	for _, eng := range []string{"auto", "rego"} {
		for _, obj := range workloadObjs {
			adm, oka := r.ns("Bundle", "engine", eng, "op", "admission", "object", obj)
			aud, oku := r.ns("Bundle", "engine", eng, "op", "audit", "object", obj)
			if !oka && !oku {
				continue
			}
			row := []string{eng, obj, "-", "-", "-", "-"}
			if oka && adm > 0 {
				row[2] = fmt.Sprintf("%.0f", 1e9/adm)
				row[3] = fmt.Sprintf("%.0f", procs*1e9/adm)
			}
			if oku && aud > 0 && strings.HasPrefix(obj, "pod") {
				row[4] = dur(auditPods*aud, true)
				row[5] = dur(auditPods*aud/procs, true)
			}
			rows = append(rows, row)
		}
	}
	table(w, "What it means for a cluster (hardened bundle)",
		fmt.Sprintf("Reviews per second: one core, and %.0f cores (a replica with that many, if reviews spread evenly).\nAudit of %d pods like this one: one core, and %.0f cores. Before the network, TLS and JSON of the webhook.", procs, auditPods, procs),
		[]string{"engine", "object", "reviews/s/core", fmt.Sprintf("reviews/s %.0f cores", procs), fmt.Sprintf("audit %dk pods", auditPods/1000), fmt.Sprintf("on %.0f cores", procs)}, rows)
}

func (r *report) scaling(w io.Writer) {
	var rows [][]string
	row := func(label, eng string, get func(n, unit string) (float64, bool)) {
		v := map[string]float64{}
		have := map[string]bool{}
		out := []string{label, eng}
		for _, n := range sizes {
			v[n], have[n] = get(n, r.unit)
			out = append(out, dur(v[n], have[n]))
		}
		a10, ok10 := get("10", "allocs/op")
		a100, ok100 := get("100", "allocs/op")
		out = append(out, ratio(v["10"], v["1"], have["1"] && have["10"]), ratio(v["100"], v["10"], have["10"] && have["100"]), ratio(a100, a10, ok10 && ok100))
		var flags []string
		if have["10"] && have["100"] && v["10"] > 0 && v["100"]/v["10"] > scalingMax {
			flags = append(flags, "superlinear")
			r.flag(fmt.Sprintf("Superlinear from 10 to 100 containers (over %.0fx in time; allocations alongside)", scalingMax), fmt.Sprintf("%s (%s): %.1fx, allocations %s", label, eng, v["100"]/v["10"], ratio(a100, a10, ok10 && ok100)))
		}
		rows = append(rows, append(out, strings.Join(flags, ", ")))
	}
	for _, eng := range engines {
		row("(floor)", eng, func(n, unit string) (float64, bool) { return r.metric(unit, "Floor", "engine", eng, "containers", n) })
	}
	for _, p := range r.policies {
		for _, eng := range engines {
			if _, ok := r.ns("Scaling", "policy", p, "engine", eng, "containers", "1"); !ok {
				continue
			}
			row(p, eng, func(n, unit string) (float64, bool) {
				return r.metric(unit, "Scaling", "policy", p, "engine", eng, "containers", n)
			})
		}
	}
	table(w, "Scaling with the container count",
		fmt.Sprintf("An insecure Pod whose every container breaks every container-scoped practice. Linear is 10x; flagged above %.0fx in time.\nallocs 100/10: the same ratio in allocations, which the load does not change.", scalingMax),
		[]string{"policy", "engine", "1", "10", "100", "10/1", "100/10", "allocs 100/10", "flags"}, rows)
}

func (r *report) startup(w io.Writer) {
	var rows [][]string
	for _, what := range []string{"library", "bundle"} {
		v, ok := r.ns("Render", "what", what)
		allocs, _ := r.metric("allocs/op", "Render", "what", what)
		if ok {
			rows = append(rows, []string{"render " + what, dur(v, true), fmt.Sprintf("%.0f", allocs)})
		}
	}
	for _, eng := range []string{"auto", "rego", "cel"} {
		v, ok := r.ns("Load", "engine", eng)
		allocs, _ := r.metric("allocs/op", "Load", "engine", eng)
		if ok {
			rows = append(rows, []string{"load bundle into a fresh " + eng + " client", dur(v, true), fmt.Sprintf("%.0f", allocs)})
		}
	}
	table(w, "Start-up",
		"render library: every generated file; render bundle: templates and constraints in memory (what check does);\nload: compiling the hardened bundle into a new client (Gatekeeper at start-up, check once per run).",
		[]string{"what", "time", "allocs"}, rows)
}

func (r *report) summary(w io.Writer) {
	fmt.Fprintf(w, "\n== Flags\n")
	if len(r.order) == 0 {
		fmt.Fprintln(w, "none")
		return
	}
	for _, section := range r.order {
		entries := r.flags[section]
		sort.Strings(entries)
		fmt.Fprintf(w, "%s: %d\n", section, len(entries))
		for _, e := range entries {
			fmt.Fprintf(w, "  %s\n", e)
		}
	}
}
