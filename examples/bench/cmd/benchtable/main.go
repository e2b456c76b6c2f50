// Command benchtable reads `go test -bench -benchmem` output on stdin and
// prints a Markdown table: per scenario and implementation, the fastest
// ns/op seen over the runs (-count), the median ns/op, B/op, allocs/op and
// the ratios of both to the switch baseline. The minimum is shown because a
// shared machine only ever adds time; the median, as benchstat reports it,
// because one lucky run should not decide a ratio.
package main

import (
	"bufio"
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"
)

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
		base := results[s]["switch"]
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
}
