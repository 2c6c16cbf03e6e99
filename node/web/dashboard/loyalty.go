package dashboard

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/fedmart/fedmart/federation"
	"github.com/fedmart/fedmart/federation/order"
	"github.com/fedmart/fedmart/node/web"
	"github.com/fedmart/fedmart/settlement"
)

// Points is this node's books as the issuer of its shoppers' loyalty
// points; the order service satisfies it. Optional (Deps.Points).
type Points interface {
	PointsReport(ctx context.Context, period time.Duration) (order.PointsReport, error)
}

// loyaltyPeriods is how many recent periods the loyalty page sums per
// member.
const loyaltyPeriods = 12

// loyaltyView is what the loyalty page shows.
type loyaltyView struct {
	Enabled bool
	// Policy are the charter's settings, in words.
	Policy []policyLine
	// Accounts, Outstanding and Liability are the issuer's books: the
	// points its shoppers hold and what they are worth; Lost what refunds
	// could not take back.
	Accounts    int
	Outstanding int64
	Liability   string
	Lost        int64
	LostValue   string
	Periods     []loyaltyPeriodRow
	// Members are the points entries with each member over the recent
	// periods, from the statements.
	Members []loyaltyMemberRow
}

type policyLine struct{ Name, Value string }

type loyaltyPeriodRow struct {
	Start                                  time.Time
	Earned, Spent, Expired, Reversed, Lost int64
}

// loyaltyMemberRow is one statement's points entries: between this
// node and Member, in Period, which began at Start.
type loyaltyMemberRow struct {
	Member, Period             string
	Start                      time.Time
	Funded, Redeemed, Reversed string
}

// operatorLoyalty is GET /operator/loyalty: the charter's loyalty
// policy, the points this node's shoppers hold and what they earned,
// spent and lost to expiry per period, and the points entries with each
// member.
func (d *Dashboard) operatorLoyalty(w http.ResponseWriter, r *http.Request, sess *web.Session) {
	sc, err := d.deps.Federation.Charter()
	if err != nil && !errors.Is(err, federation.ErrNoCharter) {
		d.site.Fail(w, r, err)
		return
	}
	var v loyaltyView
	if sc != nil {
		if v, err = d.loyaltyViewOf(r.Context(), &sc.Charter); err != nil {
			d.site.Fail(w, r, err)
			return
		}
	}
	p := d.dashboardPage(sess, "Loyalty points", "/operator/loyalty", v)
	p.Styles = []string{"dashboard.css"}
	d.pages.Render(w, r, http.StatusOK, "operator_loyalty", p)
}

func (d *Dashboard) loyaltyViewOf(ctx context.Context, c *federation.Charter) (loyaltyView, error) {
	l := c.Loyalty
	v := loyaltyView{Enabled: l.Enabled()}
	money := func(points int64) string { return web.FormatMoney(points*l.PointValue, c.Currency) }
	if v.Enabled {
		funder := map[string]string{federation.FunderHome: "the merchant's home member", federation.FunderStorefront: "the storefront that sold",
			federation.FunderSplit: fmt.Sprintf("the home %s, the storefront the rest", bps(l.FunderHomeBPS))}[l.Funder]
		expiry := "never"
		if l.Expiry > 0 {
			expiry = fmt.Sprintf("%s after they become spendable", time.Duration(l.Expiry))
			if d := time.Duration(l.Expiry); d%(24*time.Hour) == 0 {
				expiry = fmt.Sprintf("%d days after they become spendable", d/(24*time.Hour))
			}
		}
		spendable := map[string]string{federation.SpendableOnDelivered: "once the part is delivered",
			federation.SpendableOnReturnWindowEnd: "once the return window has ended"}[l.SpendableOn]
		v.Policy = []policyLine{
			{"Earned", fmt.Sprintf("%s of a point per %s unit of every part sold", bps(l.EarnBPS), c.Currency)},
			{"Worth", money(1) + " a point"},
			{"Paid for by", funder},
			{"Spendable", spendable},
			{"Expire", expiry},
			{"Share of a cart", fmt.Sprintf("%s to %s", bps(l.MinShareBPS), bps(l.MaxShare()))},
		}
	}
	if d.deps.Points != nil {
		rep, err := d.deps.Points.PointsReport(ctx, time.Duration(c.Period))
		if err != nil {
			return v, err
		}
		v.Accounts, v.Outstanding, v.Lost = rep.Accounts, rep.Outstanding, rep.Lost
		v.Liability, v.LostValue = money(rep.Outstanding), money(rep.Lost)
		for _, p := range rep.Periods[:min(len(rep.Periods), loyaltyPeriods)] {
			v.Periods = append(v.Periods, loyaltyPeriodRow{Start: p.Start, Earned: p.Earned, Spent: p.Spent, Expired: p.Expired, Reversed: p.Reversed, Lost: p.Lost})
		}
	}
	return v, d.loyaltyMembers(ctx, c, &v)
}

// loyaltyMembers sums the points entries of each member's statements in
// the recent periods.
func (d *Dashboard) loyaltyMembers(ctx context.Context, c *federation.Charter, v *loyaltyView) error {
	periods, err := d.deps.Settlement.Periods(ctx)
	if err != nil {
		return nil // no periods yet: nothing to sum
	}
	names := memberNames(c)
	for i := len(periods) - 1; i >= 0 && i >= len(periods)-loyaltyPeriods; i-- {
		sts, err := d.deps.Settlement.Statements(ctx, periods[i].Period)
		if err != nil {
			return err
		}
		for _, st := range sts {
			if row, any := loyaltyRowOf(st, names); any {
				row.Period, row.Start = periods[i].Period, periods[i].Start
				v.Members = append(v.Members, row)
			}
		}
	}
	return nil
}

// loyaltyRowOf sums a statement's points entries; any says whether it
// has some.
func loyaltyRowOf(st settlement.Statement, names map[string]string) (loyaltyMemberRow, bool) {
	var funded, redeemed, reversed int64
	var any bool
	cur := st.Currency
	for _, t := range st.Totals {
		switch t.Kind {
		case settlement.EntryPointsFunding:
			funded += t.Amount.Amount
		case settlement.EntryPointsRedemption:
			redeemed += t.Amount.Amount
		case settlement.EntryPointsReturn: // redeemed points a refund gave back: no longer redeemed
			redeemed -= t.Amount.Amount
		case settlement.EntryPointsReversal:
			reversed += t.Amount.Amount
		default:
			continue
		}
		any = true
	}
	name := func(id string) string {
		if n, ok := names[id]; ok {
			return n
		}
		return id
	}
	return loyaltyMemberRow{Member: name(st.Parties[0]) + " – " + name(st.Parties[1]), Funded: web.FormatMoney(funded, cur), Redeemed: web.FormatMoney(redeemed, cur),
		Reversed: web.FormatMoney(reversed, cur)}, any
}

// bps writes basis points as a percentage.
func bps(n int64) string { return fmt.Sprintf("%d.%02d %%", n/100, n%100) }
