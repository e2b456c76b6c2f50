package web

import (
	"encoding/json"
	"fmt"
	"sort"
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

// DepartmentRow is one department's line on the board.
type DepartmentRow struct {
	Code, Name              string
	Assigned, Open, Overdue int64
	// Oldest are the department's oldest open hazards, overdue ones first.
	Oldest []map[string]any
}

// namedDepartments gives the staff figures of GET /api/v1/stats (a
// "departments" list with "department", "assigned", "open" and "overdue")
// the departments' names from GET /api/v1/departments, overdue ones first
// (对账销号: what is late comes first).
func namedDepartments(lang Lang, figures, deps []any) []DepartmentRow {
	names := map[string]string{}
	for _, d := range deps {
		if m, ok := d.(map[string]any); ok {
			key := "name_zh"
			if lang == LangEN {
				key = "name_en"
			}
			names[fmt.Sprint(m["code"])] = fmt.Sprint(first(m, key, "code"))
		}
	}
	rows := make([]DepartmentRow, 0, len(figures))
	for _, f := range figures {
		m, ok := f.(map[string]any)
		if !ok {
			continue
		}
		code := fmt.Sprint(m["department"])
		name := names[code]
		if name == "" {
			name = code
		}
		if code == "unassigned" {
			name = T(lang, "board.unassigned")
		}
		row := DepartmentRow{Code: code, Name: name, Assigned: num(m["assigned"]), Open: num(m["open"]), Overdue: num(m["overdue"])}
		for _, o := range asList(m["oldest"]) {
			if om, ok := o.(map[string]any); ok {
				row.Oldest = append(row.Oldest, om)
			}
		}
		sort.SliceStable(row.Oldest, func(i, j int) bool {
			return row.Oldest[i]["overdue"] == true && row.Oldest[j]["overdue"] != true
		})
		rows = append(rows, row)
	}
	sort.SliceStable(rows, func(i, j int) bool {
		if rows[i].Overdue != rows[j].Overdue {
			return rows[i].Overdue > rows[j].Overdue
		}
		return rows[i].Open > rows[j].Open
	})
	return rows
}

// departmentChart draws the rows as bars scaled to the largest count.
func departmentChart(rows []DepartmentRow) Chart {
	var max int64 = 1
	bars := make([]Bar, 0, len(rows))
	for _, r := range rows {
		b := Bar{Label: r.Name, Open: r.Open, Overdue: r.Overdue}
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
