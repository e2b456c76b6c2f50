package web

import (
	"encoding/json"
	"fmt"
)

// Bar is one bar group of the department chart, in SVG user units.
type Bar struct {
	Label            string
	Open, Overdue    int64
	Y                int
	OpenW, OverdueW  int
	OpenText, Ovtext string
}

// Chart is the department board's bar chart, drawn by the template as SVG.
type Chart struct {
	Bars   []Bar
	Width  int
	Height int
}

// Chart geometry.
const (
	chartWidth  = 320
	chartLabelW = 96
	chartRowH   = 28
)

// departmentChart turns the staff figures of GET /api/v1/stats (a
// "departments" list with "open" and "overdue" counts) into bars scaled to
// the largest count.
func departmentChart(lang Lang, stats map[string]any) Chart {
	rows := asList(stats["departments"])
	var max int64 = 1
	bars := make([]Bar, 0, len(rows))
	for _, r := range rows {
		m, ok := r.(map[string]any)
		if !ok {
			continue
		}
		label := fmt.Sprint(first(m, "name", "department"))
		if lang == LangEN {
			if n, ok := m["name_en"].(string); ok && n != "" {
				label = n
			}
		}
		b := Bar{Label: label, Open: num(m["open"]), Overdue: num(m["overdue"])}
		if b.Open > max {
			max = b.Open
		}
		if b.Overdue > max {
			max = b.Overdue
		}
		bars = append(bars, b)
	}
	span := chartWidth - chartLabelW - 40
	for i := range bars {
		b := &bars[i]
		b.Y = i * chartRowH
		b.OpenW = int(b.Open * int64(span) / max)
		b.OverdueW = int(b.Overdue * int64(span) / max)
		b.OpenText = fmt.Sprint(b.Open)
		b.Ovtext = fmt.Sprint(b.Overdue)
	}
	return Chart{Bars: bars, Width: chartWidth, Height: len(bars)*chartRowH + 8}
}

func first(m map[string]any, keys ...string) any {
	for _, k := range keys {
		if v, ok := m[k]; ok && v != nil && v != "" {
			return v
		}
	}
	return ""
}

func num(v any) int64 {
	switch x := v.(type) {
	case json.Number:
		n, _ := x.Int64()
		return n
	case float64:
		return int64(x)
	case int64:
		return x
	case int:
		return int64(x)
	}
	return 0
}
