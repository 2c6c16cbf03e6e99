package web

import (
	"fmt"
	"strconv"
)

// Charts are inline SVG drawn on the server: Go computes every coordinate
// into a chart struct, and the page template writes the elements, so that
// html/template escapes every label (member names come from other
// operators). A chart has a viewBox and no fixed size: the stylesheet
// makes it as wide as its container, on a phone as on a desktop. Each
// chart is followed by a table of the same figures, which is what screen
// readers and text browsers use.

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
	Title, Desc   string
	Width, Height Px
	// Left, Right, Top and Bottom bound the plot area.
	Left, Right, Top, Bottom Px
	Ticks                    []ChartTick
	Labels                   []ChartLabel // under the time axis
	Placed, Received         []ChartBar   // one per step each
	XTitle, YTitle           ChartLabel
}

// FlowSeries is one step of a FlowChart: its axis label, the text of its
// tooltips and its two counts.
type FlowSeries struct {
	Label, Span      string
	Placed, Received int
}

// Flow chart geometry, in viewBox units.
const (
	flowWidth, flowHeight = 720, 300
	flowLeft, flowRight   = 56, 712
	flowTop, flowBottom   = 16, 250
	flowMaxLabels         = 8
)

// NewFlowChart lays out steps left (oldest) to right.
func NewFlowChart(title, desc string, steps []FlowSeries) FlowChart {
	c := FlowChart{Title: title, Desc: desc, Width: flowWidth, Height: flowHeight,
		Left: flowLeft, Right: flowRight, Top: flowTop, Bottom: flowBottom,
		XTitle: ChartLabel{X: (flowLeft + flowRight) / 2, Y: flowHeight - 6, Text: "Time (UTC)"},
		YTitle: ChartLabel{X: 14, Y: (flowTop + flowBottom) / 2, Text: "Count"}}
	highest := 0
	for _, s := range steps {
		highest = max(highest, s.Placed, s.Received)
	}
	top, step := NiceScale(highest)
	y := func(v int) Px { return Px(flowBottom - float64(v)/float64(top)*(flowBottom-flowTop)) }
	for v := 0; v <= top; v += step {
		c.Ticks = append(c.Ticks, ChartTick{Y: y(v), Label: strconv.Itoa(v)})
	}
	if len(steps) == 0 {
		return c
	}
	slot := float64(flowRight-flowLeft) / float64(len(steps))
	w := slot * 0.38
	every := (len(steps) + flowMaxLabels - 1) / flowMaxLabels
	for i, s := range steps {
		x := flowLeft + float64(i)*slot + slot*0.1
		c.Placed = append(c.Placed, ChartBar{X: Px(x), Y: y(s.Placed), W: Px(w), H: flowBottom - y(s.Placed),
			Class: "placed", Title: fmt.Sprintf("%s: %s placed", s.Span, CountNoun(s.Placed, "order", "orders"))})
		x += w + slot*0.04
		c.Received = append(c.Received, ChartBar{X: Px(x), Y: y(s.Received), W: Px(w), H: flowBottom - y(s.Received),
			Class: "received", Title: fmt.Sprintf("%s: %s received", s.Span, CountNoun(s.Received, "part", "parts"))})
		if i%every == 0 {
			c.Labels = append(c.Labels, ChartLabel{X: Px(flowLeft + (float64(i)+0.5)*slot), Y: flowBottom + 18, Text: s.Label})
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
// owes money a bar to the left, each labelled with its name and amount.
type NettingChart struct {
	Title, Desc   string
	Width, Height Px
	// Zero is the x of the zero line, from Top to Bottom.
	Zero, Top, Bottom Px
	Rows              []NettingBar
	OwesX, OwedX      Px // where the "owes" and "is owed" headings sit
}

// NettingBar is one member's row of a NettingChart.
type NettingBar struct {
	PeerID string
	// Name is the member's name, shortened to fit; FullName is its tooltip.
	Name, FullName string
	Amount         string // signed, with the currency
	Class          string // "owed", "owes" or "even"
	Bar            ChartBar
	NameX, TextY   Px
	AmountX        Px
	AmountAnchor   string // "start" right of the zero line, "end" left of it
}

// NettingPosition is one member's position as the chart draws it.
type NettingPosition struct {
	PeerID, Name, Amount string
	Net                  int64 // minor units, positive when owed
}

// Netting chart geometry, in viewBox units: names right-aligned at
// nettingNameX, the zero line at nettingZero, bars at most nettingMaxBar
// long, leaving room for the amounts beyond their ends.
const (
	nettingWidth    = 720
	nettingNameX    = 164
	nettingZero     = 446
	nettingMaxBar   = 160
	nettingRowH     = 30
	nettingTop      = 28
	nettingBarH     = 18
	nettingNameRune = 20
)

// NewNettingChart lays out one row per position, in the given order.
func NewNettingChart(title, desc string, positions []NettingPosition) NettingChart {
	h := float64(nettingTop + nettingRowH*len(positions) + 8)
	c := NettingChart{Title: title, Desc: desc, Width: nettingWidth, Height: Px(h), Zero: nettingZero,
		Top: nettingTop - 6, Bottom: Px(h - 4), OwesX: nettingZero - 8, OwedX: nettingZero + 8}
	var largest int64
	for _, p := range positions {
		largest = max(largest, AbsAmount(p.Net))
	}
	for i, p := range positions {
		top := float64(nettingTop + nettingRowH*i)
		length := 0.0
		if largest > 0 {
			length = float64(nettingMaxBar) * float64(AbsAmount(p.Net)) / float64(largest)
		}
		row := NettingBar{PeerID: p.PeerID, Name: ClipText(p.Name, nettingNameRune), FullName: p.Name, Amount: p.Amount,
			NameX: nettingNameX}
		bar := ChartBar{Y: Px(top + (nettingRowH-nettingBarH)/2 - 2), H: nettingBarH, W: Px(length)}
		switch {
		case p.Net > 0:
			row.Class, bar.X = "owed", nettingZero
			row.AmountX, row.AmountAnchor = Px(nettingZero+length+6), "start"
		case p.Net < 0:
			row.Class, bar.X = "owes", Px(nettingZero-length)
			row.AmountX, row.AmountAnchor = Px(nettingZero-length-6), "end"
		default:
			row.Class, bar.X = "even", nettingZero
			row.AmountX, row.AmountAnchor = nettingZero+6, "start"
		}
		row.TextY = Px(float64(bar.Y) + nettingBarH/2 + 4)
		bar.Class, bar.Title = row.Class, p.Name+": "+p.Amount
		row.Bar = bar
		c.Rows = append(c.Rows, row)
	}
	return c
}
