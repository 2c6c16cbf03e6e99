package web

import (
	"fmt"
	"strconv"
)

// Charts are inline SVG drawn on the server: Go computes every coordinate
// into a chart struct, and the page template writes the elements, so that
// html/template escapes every label (member names come from other
// operators). A chart has a viewBox and no fixed size: the stylesheet
// makes it as wide as its container. Each chart is laid out twice, for a
// desk (Wide, 720 units across) and for a phone (Narrow, 360 units, with
// fewer axis labels and its text where a narrow screen has room for it),
// and the stylesheet shows the one that fits: a chart is never scaled so
// far down that its labels cannot be read, nor wider than the screen.
// Each chart is followed by a table of the same figures, which is what
// screen readers and text browsers use.

// Chart layouts.
const (
	LayoutWide   = "wide"
	LayoutNarrow = "narrow"
)

// Px is an SVG user-space coordinate or length, written with one decimal.
type Px float64

// String writes the coordinate for an attribute.
func (p Px) String() string { return strconv.FormatFloat(float64(p), 'f', 1, 64) }

// ChartTick is one horizontal grid line of a value axis, with its label.
type ChartTick struct {
	Y     Px
	Label string
}

// ChartLabel is one text of an axis.
type ChartLabel struct {
	X, Y Px
	Text string
}

// ChartBar is one bar. Title is its tooltip (an SVG <title>).
type ChartBar struct {
	X, Y, W, H Px
	Class      string
	Title      string
}

// FlowChart is a grouped bar chart of two counts per time step: orders
// placed on this storefront and parts received for this node's merchants.
type FlowChart struct {
	// ID is the svg element's id, which its title's and desc's extend;
	// Layout is LayoutWide or LayoutNarrow.
	ID, Layout    string
	Title, Desc   string
	Width, Height Px
	// Left, Right, Top and Bottom bound the plot area.
	Left, Right, Top, Bottom Px
	Ticks                    []ChartTick
	Labels                   []ChartLabel // under the time axis
	Placed, Received         []ChartBar   // one per step each
	XTitle, YTitle           ChartLabel
}

// FlowCharts are one flow chart in both layouts.
type FlowCharts struct{ Wide, Narrow FlowChart }

// FlowSeries is one step of a FlowChart: its axis label, the text of its
// tooltips and its two counts.
type FlowSeries struct {
	Label, Span      string
	Placed, Received int
}

// flowGeometry is a flow chart's layout, in viewBox units.
type flowGeometry struct {
	width, height            float64
	left, right, top, bottom float64
	maxLabels                int
	yTitleX                  float64
}

var flowLayouts = map[string]flowGeometry{
	LayoutWide:   {width: 720, height: 300, left: 56, right: 712, top: 16, bottom: 250, maxLabels: 8, yTitleX: 14},
	LayoutNarrow: {width: 360, height: 260, left: 48, right: 354, top: 12, bottom: 212, maxLabels: 4, yTitleX: 15},
}

// NewFlowCharts lays out steps left (oldest) to right in both layouts;
// id names the svg elements (the narrow one's gets "-narrow"), xTitle
// is the time axis's title ("Time (UTC)").
func NewFlowCharts(id, title, desc, xTitle string, steps []FlowSeries) FlowCharts {
	return FlowCharts{Wide: newFlowChart(id, LayoutWide, title, desc, xTitle, steps),
		Narrow: newFlowChart(id+"-narrow", LayoutNarrow, title, desc, xTitle, steps)}
}

func newFlowChart(id, layout, title, desc, xTitle string, steps []FlowSeries) FlowChart {
	g := flowLayouts[layout]
	c := FlowChart{ID: id, Layout: layout, Title: title, Desc: desc, Width: Px(g.width), Height: Px(g.height),
		Left: Px(g.left), Right: Px(g.right), Top: Px(g.top), Bottom: Px(g.bottom),
		XTitle: ChartLabel{X: Px((g.left + g.right) / 2), Y: Px(g.height - 6), Text: xTitle},
		YTitle: ChartLabel{X: Px(g.yTitleX), Y: Px((g.top + g.bottom) / 2), Text: "Count"}}
	highest := 0
	for _, s := range steps {
		highest = max(highest, s.Placed, s.Received)
	}
	top, step := NiceScale(highest)
	y := func(v int) Px { return Px(g.bottom - float64(v)/float64(top)*(g.bottom-g.top)) }
	for v := 0; v <= top; v += step {
		c.Ticks = append(c.Ticks, ChartTick{Y: y(v), Label: strconv.Itoa(v)})
	}
	if len(steps) == 0 {
		return c
	}
	slot := (g.right - g.left) / float64(len(steps))
	w := slot * 0.38
	every := (len(steps) + g.maxLabels - 1) / g.maxLabels
	for i, s := range steps {
		x := g.left + float64(i)*slot + slot*0.1
		c.Placed = append(c.Placed, ChartBar{X: Px(x), Y: y(s.Placed), W: Px(w), H: Px(g.bottom) - y(s.Placed),
			Class: "placed", Title: fmt.Sprintf("%s: %s placed", s.Span, CountNoun(s.Placed, "order", "orders"))})
		x += w + slot*0.04
		c.Received = append(c.Received, ChartBar{X: Px(x), Y: y(s.Received), W: Px(w), H: Px(g.bottom) - y(s.Received),
			Class: "received", Title: fmt.Sprintf("%s: %s received", s.Span, CountNoun(s.Received, "part", "parts"))})
		if i%every == 0 {
			c.Labels = append(c.Labels, ChartLabel{X: Px(g.left + (float64(i)+0.5)*slot), Y: Px(g.bottom + 18), Text: s.Label})
		}
	}
	return c
}

// NiceScale returns the top of a count axis that shows highest, and the
// step between its grid lines: 1, 2 or 5 times a power of ten, about four
// steps in all.
func NiceScale(highest int) (top, step int) {
	if highest <= 0 {
		return 4, 1
	}
	raw := (highest + 3) / 4
	for base := 1; ; base *= 10 {
		for _, m := range []int{1, 2, 5} {
			if step = m * base; step >= raw {
				return (highest + step - 1) / step * step, step
			}
		}
	}
}

// CountNoun writes a count with its noun: "1 order", "3 orders".
func CountNoun(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return strconv.Itoa(n) + " " + many
}

// NettingChart is a diverging bar chart of members' net positions: a
// member owed money has a bar to the right of the zero line, one that
// owes money a bar to the left. Wide, each row is the member's name, its
// bar and its amount beyond the bar's end; narrow, the name and the
// amount share a line above a bar that may take the whole width.
type NettingChart struct {
	// ID is the svg element's id; Layout is LayoutWide or LayoutNarrow.
	ID, Layout    string
	Title, Desc   string
	Width, Height Px
	// Zero is the x of the zero line, from Top to Bottom.
	Zero, Top, Bottom Px
	Rows              []NettingBar
	OwesX, OwedX      Px // where the "owes" and "is owed" headings sit
}

// NettingCharts are one netting chart in both layouts.
type NettingCharts struct{ Wide, Narrow NettingChart }

// NettingBar is one member's row of a NettingChart.
type NettingBar struct {
	PeerID string
	// Name is the member's name, shortened to fit; FullName is its tooltip.
	Name, FullName string
	Amount         string // signed, with the currency
	Class          string // "owed", "owes" or "even"
	Bar            ChartBar
	NameX, TextY   Px
	NameAnchor     string // "end" (wide: left of the chart) or "start"
	AmountX        Px
	AmountY        Px
	AmountAnchor   string // "start" right of where it is anchored, "end" left of it
}

// NettingPosition is one member's position as the chart draws it.
type NettingPosition struct {
	PeerID, Name, Amount string
	Net                  int64 // minor units, positive when owed
}

// Netting chart geometry, in viewBox units. Wide: names right-aligned at
// nettingNameX, the zero line at nettingZero, bars at most nettingMaxBar
// long, leaving room for the amounts beyond their ends. Narrow: a line
// of text and a bar under it per row, the zero line in the middle.
const (
	nettingWidth    = 720
	nettingNameX    = 164
	nettingZero     = 446
	nettingMaxBar   = 160
	nettingRowH     = 30
	nettingTop      = 28
	nettingBarH     = 18
	nettingNameRune = 20

	narrowNettingWidth  = 360
	narrowNettingRowH   = 50
	narrowNettingMaxBar = 172
	narrowNettingName   = 24
)

// NewNettingCharts lays out one row per position, in the given order, in
// both layouts; id names the svg elements as NewFlowCharts does.
func NewNettingCharts(id, title, desc string, positions []NettingPosition) NettingCharts {
	return NettingCharts{Wide: newWideNetting(id, title, desc, positions), Narrow: newNarrowNetting(id+"-narrow", title, desc, positions)}
}

// barLength scales a position to a bar of at most longest units.
func barLength(net, largest int64, longest float64) float64 {
	if largest == 0 {
		return 0
	}
	return longest * float64(AbsAmount(net)) / float64(largest)
}

// largestNet is the largest absolute position.
func largestNet(positions []NettingPosition) int64 {
	var largest int64
	for _, p := range positions {
		largest = max(largest, AbsAmount(p.Net))
	}
	return largest
}

// standing is a position's class: "owed", "owes" or "even".
func standing(net int64) string {
	switch {
	case net > 0:
		return "owed"
	case net < 0:
		return "owes"
	}
	return "even"
}

func newWideNetting(id, title, desc string, positions []NettingPosition) NettingChart {
	h := float64(nettingTop + nettingRowH*len(positions) + 8)
	c := NettingChart{ID: id, Layout: LayoutWide, Title: title, Desc: desc, Width: nettingWidth, Height: Px(h), Zero: nettingZero,
		Top: nettingTop - 6, Bottom: Px(h - 4), OwesX: nettingZero - 8, OwedX: nettingZero + 8}
	largest := largestNet(positions)
	for i, p := range positions {
		top := float64(nettingTop + nettingRowH*i)
		length := barLength(p.Net, largest, nettingMaxBar)
		row := NettingBar{PeerID: p.PeerID, Name: ClipText(p.Name, nettingNameRune), FullName: p.Name, Amount: p.Amount,
			NameX: nettingNameX, NameAnchor: "end", Class: standing(p.Net)}
		bar := ChartBar{Y: Px(top + (nettingRowH-nettingBarH)/2 - 2), H: nettingBarH, W: Px(length), X: nettingZero}
		row.AmountX, row.AmountAnchor = Px(nettingZero+length+6), "start"
		if p.Net < 0 {
			bar.X = Px(nettingZero - length)
			row.AmountX, row.AmountAnchor = Px(nettingZero-length-6), "end"
		}
		row.TextY = Px(float64(bar.Y) + nettingBarH/2 + 4)
		row.AmountY = row.TextY
		bar.Class, bar.Title = row.Class, p.Name+": "+p.Amount
		row.Bar = bar
		c.Rows = append(c.Rows, row)
	}
	return c
}

func newNarrowNetting(id, title, desc string, positions []NettingPosition) NettingChart {
	const zero = narrowNettingWidth / 2
	h := float64(nettingTop + narrowNettingRowH*len(positions) + 4)
	c := NettingChart{ID: id, Layout: LayoutNarrow, Title: title, Desc: desc, Width: narrowNettingWidth, Height: Px(h), Zero: zero,
		Top: nettingTop - 6, Bottom: Px(h - 2), OwesX: zero - 8, OwedX: zero + 8}
	largest := largestNet(positions)
	for i, p := range positions {
		top := float64(nettingTop + narrowNettingRowH*i)
		length := barLength(p.Net, largest, narrowNettingMaxBar)
		row := NettingBar{PeerID: p.PeerID, Name: ClipText(p.Name, narrowNettingName), FullName: p.Name, Amount: p.Amount,
			NameX: 4, NameAnchor: "start", TextY: Px(top + 16), AmountX: narrowNettingWidth - 4, AmountY: Px(top + 16),
			AmountAnchor: "end", Class: standing(p.Net)}
		bar := ChartBar{X: zero, Y: Px(top + 24), W: Px(length), H: nettingBarH, Class: row.Class, Title: p.Name + ": " + p.Amount}
		if p.Net < 0 {
			bar.X = Px(zero - length)
		}
		row.Bar = bar
		c.Rows = append(c.Rows, row)
	}
	return c
}
