package web

import "fmt"

// FigureBar is one bar of the campaign chart, in SVG user units.
type FigureBar struct {
	Key, Label string
	Value      int64
	Y, W       int
	Text       string
}

// FigureChart is the campaign figures' bar chart, drawn by the template as
// SVG on the server: the page needs no script to show it.
type FigureChart struct {
	Bars          []FigureBar
	Width, Height int
	// LabelW is where the bars start.
	LabelW int
}

// figureKeys are the counts of GET /api/v1/ledger/figures the chart
// shows, in order.
var figureKeys = []string{"visits", "self_checks", "hazards_found", "major", "rectified", "closed_out", "overdue", "trained_on_site"}

// figuresChart draws the campaign figures f as bars scaled to the largest.
func figuresChart(lang Lang, f map[string]any) FigureChart {
	const labelW, rowH = 112, 24
	var top int64 = 1
	bars := make([]FigureBar, 0, len(figureKeys))
	for _, k := range figureKeys {
		v := num(f[k])
		top = max(top, v)
		bars = append(bars, FigureBar{Key: k, Label: T(lang, "figures."+k), Value: v, Text: fmt.Sprint(v)})
	}
	span := int64(chartWidth - labelW - 40)
	for i := range bars {
		bars[i].Y = i * rowH
		bars[i].W = int(bars[i].Value * span / top)
	}
	return FigureChart{Bars: bars, Width: chartWidth, Height: len(bars)*rowH + 4, LabelW: labelW}
}
