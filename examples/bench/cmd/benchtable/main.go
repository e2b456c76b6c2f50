// Command benchtable reads `go test -bench -benchmem` output on stdin and
// prints Markdown tables. The first gives, per scenario and
// implementation, the fastest ns/op seen over the runs, the median ns/op,
// B/op, allocs/op and the ratios of both to the switch baseline. The
// minimum is shown because a shared machine only ever adds time; the
// median, as benchstat reports it, because one lucky run should not decide
// a ratio. The second gives the Paired benchmarks, which time hazardloop
// and the switch in alternation: per scenario, the median of each one's
// ns per cycle and of their ratio (x-switch), with the ratio's range.
//
// It then checks the speed targets against the baseline measured in the
// same input, on medians: in every Cycle scenario hazardloop takes at most
// maxCycleRatio times the switch (the paired ratio when the input has one
// for the scenario, else the ratio of the medians), and in every scenario
// each peer (stateless, looplab) takes at least minPeerRatio times
// hazardloop. With -check it exits with status 1 when a target is missed.
package main

import (
	"bufio"
	"flag"
	"fmt"
	"io"
	"os"
	"slices"
	"strconv"
	"strings"
)

// The speed targets of the workflow engine.
const (
	maxCycleRatio = 1.5 // hazardloop / switch, in the Cycle scenarios
	minPeerRatio  = 5.0 // peer / hazardloop, in every scenario
)

// The implementations the targets name, and the benchmark that pairs two.
const (
	engine   = "hazardloop"
	baseline = "switch"
	paired   = "Paired"
)

var peers = []string{"stateless", "looplab"}

// result is what the runs of one benchmark measured: every value of every
// unit, in run order.
type result map[string][]float64

// min returns the smallest value of unit.
func (r result) min(unit string) float64 { return slices.Min(r[unit]) }

// median returns the median value of unit.
func (r result) median(unit string) float64 {
	v := slices.Clone(r[unit])
	slices.Sort(v)
	if n := len(v); n%2 == 1 {
		return v[n/2]
	}
	n := len(v)
	return (v[n/2-1] + v[n/2]) / 2
}

// results holds the results by scenario and implementation (for Paired,
// by the scenario paired), with both in first-seen order.
type results struct {
	by        map[string]map[string]result
	scenarios []string
	impls     []string
	pairs     []string // the scenarios of Paired
}

func (rs *results) get(scenario, impl string) result { return rs.by[scenario][impl] }

// parse reads benchmark lines such as
//
//	BenchmarkCycle/hazardloop-2  6110901  182.7 ns/op  0 B/op  0 allocs/op
//
// from r; other lines are skipped.
func parse(r io.Reader) (*results, error) {
	rs := &results{by: map[string]map[string]result{}}
	seen := map[string]bool{}
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) < 4 || !strings.HasPrefix(f[0], "Benchmark") || f[3] != "ns/op" {
			continue
		}
		name := f[0]
		if i := strings.LastIndex(name, "-"); i > 0 {
			name = name[:i]
		}
		scenario, impl, ok := strings.Cut(strings.TrimPrefix(name, "Benchmark"), "/")
		if !ok {
			continue
		}
		if rs.by[scenario] == nil {
			rs.by[scenario] = map[string]result{}
			rs.scenarios = append(rs.scenarios, scenario)
		}
		res := rs.by[scenario][impl]
		switch {
		case res != nil:
		case scenario == paired:
			rs.pairs = append(rs.pairs, impl)
		case !seen[impl]:
			seen[impl] = true
			rs.impls = append(rs.impls, impl)
		}
		if res == nil {
			res = result{}
			rs.by[scenario][impl] = res
		}
		for i := 2; i+1 < len(f); i += 2 {
			v, err := strconv.ParseFloat(f[i], 64)
			if err != nil {
				return nil, fmt.Errorf("%s: %s: %w", f[0], f[i+1], err)
			}
			res[f[i+1]] = append(res[f[i+1]], v)
		}
	}
	return rs, sc.Err()
}

func main() {
	check := flag.Bool("check", false, "exit with status 1 when a speed target is missed")
	flag.Parse()
	rs, err := parse(os.Stdin)
	if err != nil {
		fmt.Fprintln(os.Stderr, "benchtable:", err)
		os.Exit(1)
	}
	if len(rs.scenarios) == 0 {
		fmt.Fprintln(os.Stderr, "benchtable: no benchmark results on stdin")
		os.Exit(1)
	}
	fmt.Println("| scenario | implementation | ns/op (fastest) | ns/op (median) | B/op | allocs/op | × switch (fastest) | × switch (median) |")
	fmt.Println("|---|---|---:|---:|---:|---:|---:|---:|")
	for _, s := range rs.scenarios {
		if s == paired {
			continue
		}
		base := rs.get(s, baseline)
		for _, im := range rs.impls {
			r := rs.get(s, im)
			if r == nil {
				continue
			}
			ratio, mratio := "n/a", "n/a"
			if base != nil {
				ratio = fmt.Sprintf("%.2f", r.min("ns/op")/base.min("ns/op"))
				mratio = fmt.Sprintf("%.2f", r.median("ns/op")/base.median("ns/op"))
			}
			fmt.Printf("| %s | %s | %.1f | %.1f | %.0f | %.0f | %s | %s |\n", s, im, r.min("ns/op"), r.median("ns/op"),
				r.min("B/op"), r.min("allocs/op"), ratio, mratio)
		}
	}
	if len(rs.pairs) > 0 {
		fmt.Println()
		fmt.Println("| paired scenario | hazardloop ns/cycle (median) | switch ns/cycle (median) | × switch (median) | × switch (range) | B/op | allocs/op |")
		fmt.Println("|---|---:|---:|---:|---:|---:|---:|")
		for _, s := range rs.pairs {
			r := rs.get(paired, s)
			fmt.Printf("| %s | %.1f | %.1f | %.2f | %.2f–%.2f | %.0f | %.0f |\n", s,
				r.median(engine+"-ns/cycle"), r.median(baseline+"-ns/cycle"),
				r.median("x-switch"), r.min("x-switch"), slices.Max(r["x-switch"]), r.min("B/op"), r.min("allocs/op"))
		}
	}
	fmt.Println()
	if !targets(rs) && *check {
		os.Exit(1)
	}
}

// targets prints one line per target and scenario and reports whether
// every target was met. A scenario lacking one of the implementations is
// skipped.
func targets(rs *results) bool {
	ok := true
	verdict := func(met bool) string {
		if met {
			return "ok"
		}
		ok = false
		return "MISSED"
	}
	for _, s := range rs.scenarios {
		hl, base := rs.get(s, engine), rs.get(s, baseline)
		if s == paired || hl == nil || base == nil {
			continue
		}
		if strings.HasPrefix(s, "Cycle") {
			r, how := hl.median("ns/op")/base.median("ns/op"), "ratio of medians"
			if p := rs.get(paired, s); p != nil {
				r, how = p.median("x-switch"), "paired"
			}
			fmt.Printf("- %s: %s takes %.2f× %s (%s; target ≤ %.1f×): %s\n", s, engine, r, baseline, how, maxCycleRatio, verdict(r <= maxCycleRatio))
		}
		for _, p := range peers {
			if pr := rs.get(s, p); pr != nil {
				r := pr.median("ns/op") / hl.median("ns/op")
				fmt.Printf("- %s: %s takes %.1f× %s (target ≥ %.0f×): %s\n", s, p, r, engine, minPeerRatio, verdict(r >= minPeerRatio))
			}
		}
	}
	return ok
}
