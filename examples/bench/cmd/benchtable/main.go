// Command benchtable reads `go test -bench -benchmem` output on stdin and
// prints a Markdown table: per scenario and implementation, the fastest
// ns/op seen over the runs, the median ns/op, B/op, allocs/op and the
// ratios of both to the switch baseline. The minimum is shown because a
// shared machine only ever adds time; the median, as benchstat reports it,
// because one lucky run should not decide a ratio.
//
// It then checks the speed targets against the baseline measured in the
// same input, on medians: in every Cycle scenario hazardloop takes at most
// [maxCycleRatio] times the switch, and in every scenario each peer
// (stateless, looplab) takes at least [minPeerRatio] times hazardloop. With
// -check it exits with status 1 when a target is missed.
package main

import (
	"bufio"
	"flag"
	"fmt"
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

// The implementations the targets name.
const (
	engine   = "hazardloop"
	baseline = "switch"
)

var peers = []string{"stateless", "looplab"}

type result struct {
	ns, bytes, allocs float64
	all               []float64 // ns/op of every run
}

// median returns the median of r's ns/op.
func (r *result) median() float64 {
	v := slices.Clone(r.all)
	slices.Sort(v)
	if n := len(v); n%2 == 1 {
		return v[n/2]
	} else {
		return (v[n/2-1] + v[n/2]) / 2
	}
}

func main() {
	check := flag.Bool("check", false, "exit with status 1 when a speed target is missed")
	flag.Parse()
	results := map[string]map[string]*result{}
	var scenarios, impls []string
	seen := map[string]bool{}
	sc := bufio.NewScanner(os.Stdin)
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) < 8 || !strings.HasPrefix(f[0], "Benchmark") || f[3] != "ns/op" {
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
		ns, _ := strconv.ParseFloat(f[2], 64)
		b, _ := strconv.ParseFloat(f[4], 64)
		a, _ := strconv.ParseFloat(f[6], 64)
		if results[scenario] == nil {
			results[scenario] = map[string]*result{}
			scenarios = append(scenarios, scenario)
		}
		if !seen[impl] {
			seen[impl] = true
			impls = append(impls, impl)
		}
		r := results[scenario][impl]
		if r == nil {
			results[scenario][impl] = &result{ns, b, a, []float64{ns}}
			continue
		}
		r.ns, r.bytes, r.allocs, r.all = min(r.ns, ns), min(r.bytes, b), min(r.allocs, a), append(r.all, ns)
	}
	if len(scenarios) == 0 {
		fmt.Fprintln(os.Stderr, "benchtable: no benchmark results on stdin")
		os.Exit(1)
	}
	fmt.Println("| scenario | implementation | ns/op (fastest) | ns/op (median) | B/op | allocs/op | × switch (fastest) | × switch (median) |")
	fmt.Println("|---|---|---:|---:|---:|---:|---:|---:|")
	for _, s := range scenarios {
		base := results[s][baseline]
		for _, im := range impls {
			r := results[s][im]
			if r == nil {
				continue
			}
			ratio, mratio := "n/a", "n/a"
			if base != nil && base.ns > 0 {
				ratio = fmt.Sprintf("%.2f", r.ns/base.ns)
				mratio = fmt.Sprintf("%.2f", r.median()/base.median())
			}
			fmt.Printf("| %s | %s | %.1f | %.1f | %.0f | %.0f | %s | %s |\n", s, im, r.ns, r.median(), r.bytes, r.allocs, ratio, mratio)
		}
	}
	fmt.Println()
	if !targets(scenarios, results) && *check {
		os.Exit(1)
	}
}

// targets prints one line per target and scenario and reports whether
// every target was met. A scenario lacking one of the implementations is
// skipped.
func targets(scenarios []string, results map[string]map[string]*result) bool {
	ok := true
	verdict := func(met bool) string {
		if met {
			return "ok"
		}
		ok = false
		return "MISSED"
	}
	for _, s := range scenarios {
		hl, base := results[s][engine], results[s][baseline]
		if hl == nil || base == nil {
			continue
		}
		if strings.HasPrefix(s, "Cycle") {
			r := hl.median() / base.median()
			fmt.Printf("- %s: %s is %.2f× %s (target ≤ %.1f×): %s\n", s, engine, r, baseline, maxCycleRatio, verdict(r <= maxCycleRatio))
		}
		for _, p := range peers {
			if pr := results[s][p]; pr != nil {
				r := pr.median() / hl.median()
				fmt.Printf("- %s: %s is %.1f× slower than %s (target ≥ %.0f×): %s\n", s, p, r, engine, minPeerRatio, verdict(r >= minPeerRatio))
			}
		}
	}
	return ok
}
