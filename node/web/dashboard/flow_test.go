package dashboard

import (
	"context"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/fedmart/fedmart/federation/order"
	"github.com/fedmart/fedmart/node/web"
	"github.com/fedmart/fedmart/node/web/webtest"
)

// flowOrders is a Flow that counts i%3 orders placed and i%2 parts
// received in step i, and remembers what it was asked: the chart's test
// needs counts in every step of a day, which real orders would take a
// day of checkouts to make.
type flowOrders struct {
	now func() time.Time

	mu    sync.Mutex // guards since and step
	since time.Time
	step  time.Duration
}

func (f *flowOrders) Flow(_ context.Context, since time.Time, step time.Duration) ([]order.FlowPoint, error) {
	f.mu.Lock()
	f.since, f.step = since, step
	f.mu.Unlock()
	var out []order.FlowPoint
	for i := 0; !since.Add(time.Duration(i) * step).After(f.now()); i++ {
		out = append(out, order.FlowPoint{Start: since.Add(time.Duration(i) * step), Placed: i % 3, Received: i % 2})
	}
	return out, nil
}

func (f *flowOrders) asked() (time.Time, time.Duration) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.since, f.step
}

// withFlow makes h's dashboard read its flow from a flowOrders.
func withFlow(h *harness) *flowOrders {
	f := &flowOrders{now: h.Clock.Now}
	h.orders.flow = f
	return f
}

var (
	placedBar   = regexp.MustCompile(`<rect class="bar placed" [^>]*><title>([^<]*)</title></rect>`)
	receivedBar = regexp.MustCompile(`<rect class="bar received" `)
	flowRowRE   = regexp.MustCompile(`<tr><th scope="row"><time datetime="[^"]+">[^<]+</time></th><td class="num">(\d+)</td><td class="num">(\d+)</td></tr>`)
)

func TestOrdersPageChartsTheFlow(t *testing.T) {
	h := newHarness(t)
	h.Clock.Advance(17 * time.Minute) // 12:17 UTC
	b := h.operator()
	f := withFlow(h)
	cases := []struct {
		query string
		steps int
		step  time.Duration
		first string // the first step's start
	}{
		{"", 24, time.Hour, "2026-02-28T13:00:00Z"},
		{"?range=24h", 24, time.Hour, "2026-02-28T13:00:00Z"},
		{"?range=1h", 12, 5 * time.Minute, "2026-03-01T11:20:00Z"},
		{"?range=7d", 28, 6 * time.Hour, "2026-02-22T18:00:00Z"},
	}
	for _, c := range cases {
		t.Run(c.query, func(t *testing.T) {
			r := b.Get("/operator/orders/flow" + c.query)
			webtest.WantStatus(t, r, http.StatusOK)
			since, step := f.asked()
			if step != c.step || since.Format(time.RFC3339) != c.first {
				t.Errorf("Flow(since %s, step %s), want since %s step %s", since.Format(time.RFC3339), step, c.first, c.step)
			}
			for _, id := range []string{"flow-chart", "flow-chart-narrow"} { // each layout has every bar
				chart := svgOf(t, r.Body, id)
				if n := len(placedBar.FindAllString(chart, -1)); n != c.steps {
					t.Errorf("%s: %d placed bars, want %d", id, n, c.steps)
				}
				if n := len(receivedBar.FindAllString(chart, -1)); n != c.steps {
					t.Errorf("%s: %d received bars, want %d", id, n, c.steps)
				}
			}
			rows := flowRowRE.FindAllStringSubmatch(r.Body, -1)
			if len(rows) != c.steps {
				t.Fatalf("%d table rows, want %d", len(rows), c.steps)
			}
			for i, row := range rows {
				if row[1] != strconv.Itoa(i%3) || row[2] != strconv.Itoa(i%2) {
					t.Errorf("row %d = %s placed, %s received", i, row[1], row[2])
				}
			}
			for _, want := range []string{`<svg id="flow-chart" class="flow-chart chart-wide"`, `viewBox="0 0 720.0 300.0"`, `<title id="flow-chart-title">Order flow: `,
				`<svg id="flow-chart-narrow" class="flow-chart chart-narrow"`, `viewBox="0 0 360.0 260.0"`,
				`<desc id="flow-chart-desc">`, `>Time (UTC)</text>`, `aria-current="page"`, "/static/dashboard.css?v="} {
				if !strings.Contains(r.Body, want) {
					t.Errorf("orders page lacks %s", want)
				}
			}
		})
	}
	r := b.Get("/operator/orders/flow?range=1h")
	if m := placedBar.FindAllStringSubmatch(r.Body, -1); len(m) < 3 || m[2][1] != "11:30–11:35: 2 orders placed" {
		t.Errorf("third bar's title = %q", m)
	}
	if !strings.Contains(r.Body, `<a href="/operator/orders/flow?range=1h" aria-current="page">Last hour</a>`) {
		t.Error("the range selector does not mark the last hour")
	}
	webtest.WantStatus(t, b.Get("/operator/orders/flow?range=forever"), http.StatusBadRequest)
}

// In the operator's time zone, the steps begin where its hours do, and
// the axis and the table say its times.
func TestFlowInTheNodesZone(t *testing.T) {
	h := newHarness(t)
	h.Clock.Advance(17 * time.Minute) // 12:17 UTC, 17:47 in Kolkata
	if err := h.site.SetZone("Asia/Kolkata"); err != nil {
		t.Fatal(err)
	}
	b := h.operator()
	f := withFlow(h)
	r := b.Get("/operator/orders/flow?range=24h")
	webtest.WantStatus(t, r, http.StatusOK)
	since, _ := f.asked()
	if want := "2026-02-28T12:30:00Z"; since.UTC().Format(time.RFC3339) != want { // 18:00 IST the day before
		t.Errorf("Flow since %s, want %s", since.UTC().Format(time.RFC3339), want)
	}
	for _, want := range []string{">Time (Asia/Kolkata)</text>", "Last 24 hours, in Asia/Kolkata", ">18:00<"} {
		if !strings.Contains(r.Body, want) {
			t.Errorf("the flow page lacks %s", want)
		}
	}
}

// svgOf returns the svg element with id in body.
func svgOf(t *testing.T, body, id string) string {
	t.Helper()
	start := strings.Index(body, `<svg id="`+id+`"`)
	if start < 0 {
		t.Fatalf("no svg %s in the page", id)
	}
	end := strings.Index(body[start:], "</svg>")
	return body[start : start+end]
}

func TestNiceScale(t *testing.T) {
	cases := []struct{ highest, top, step int }{
		{0, 4, 1}, {1, 1, 1}, {4, 4, 1}, {5, 6, 2}, {7, 8, 2}, {13, 15, 5}, {20, 20, 5}, {99, 0, 0}, {1000, 0, 0},
	}
	for _, c := range cases {
		top, step := web.NiceScale(c.highest)
		if top < c.highest || top%step != 0 || top/step > 5 {
			t.Errorf("web.NiceScale(%d) = %d, %d: does not cover it in at most 5 steps", c.highest, top, step)
		}
		if c.highest <= 20 && (top != c.top || step != c.step) {
			t.Errorf("web.NiceScale(%d) = %d, %d, want %d, %d", c.highest, top, step, c.top, c.step)
		}
	}
}
