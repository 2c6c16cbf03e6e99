package dashboard

import (
	"encoding/csv"
	"fmt"
	"net/http"
	"strings"

	"github.com/fedmart/fedmart/federation/order"
	"github.com/fedmart/fedmart/node/web"
)

// ordersCSVHeader names the columns of the orders export. Amounts are in
// major units of their currency; placed_at is UTC (RFC 3339), placed the
// same instant in the node's time zone.
var ordersCSVHeader = []string{"placed_at", "placed", "order_id", "part_id", "status", "storefront", "storefront_peer_id",
	"home", "home_peer_id", "merchant", "merchant_id", "items", "units", "total", "refunded", "currency"}

// ordersCSV sends every part the orders page's filter matches, newest
// first, as CSV: GET /operator/orders.csv with the page's parameters.
// Names and titles come from merchants and other operators: a cell a
// spreadsheet would read as a formula is quoted with a leading "'", as
// the netting export's are.
func (d *Dashboard) ordersCSV(w http.ResponseWriter, r *http.Request, _ *web.Session) {
	ctx, loc := r.Context(), d.site.Zone()
	oq := ordersQueryOf(r.URL.Query())
	oq.After = ""
	members := d.site.PlatformNames()
	f := web.NewForm()
	pf := oq.filter(f, members, loc)
	if !f.OK() {
		var problems []string
		for _, s := range f.Summary() {
			problems = append(problems, s.Message)
		}
		d.site.Status(w, r, http.StatusBadRequest, "The filter is not valid", strings.Join(problems, " "))
		return
	}
	names, err := d.merchantNamer(ctx)
	if err != nil {
		d.site.Fail(w, r, err)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/csv; charset=utf-8")
	h.Set("Content-Disposition", fmt.Sprintf(`attachment; filename="orders-%s.csv"`, d.site.Now().In(loc).Format("20060102-1504")))
	h.Set("Cache-Control", "no-store")
	cw := csv.NewWriter(w)
	_ = cw.Write(ordersCSVHeader)
	err = d.deps.Orders.EachPart(ctx, pf, func(rec order.PartRecord) error {
		refunded := ""
		if rec.Refunded.Amount != 0 {
			refunded = web.FormatAmount(rec.Refunded.Amount, rec.Refunded.Currency)
		}
		_ = cw.Write(csvSafe([]string{web.ISO(rec.CreatedAt), web.FormatTime(rec.CreatedAt, loc), rec.Order, rec.Part, rec.Status,
			web.PlatformName(members, rec.Storefront), rec.Storefront, web.PlatformName(members, rec.Home), rec.Home,
			names.of(rec), rec.Merchant, whatText(rec), fmt.Sprint(rec.Units),
			web.FormatAmount(rec.Total.Amount, rec.Total.Currency), refunded, rec.Total.Currency}))
		return cw.Error()
	})
	cw.Flush()
	if err != nil { // the answer has begun: it ends short, and the log says why
		d.site.Log().Error("web: exporting orders", "err", err)
	}
}
