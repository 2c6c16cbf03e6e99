package storefront

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/fedmart/fedmart/federation/order"
	"github.com/fedmart/fedmart/node/web"
)

// Points is what the storefront needs of the shopper's loyalty points:
// the balance, lots and history its issuer keeps. Optional (Deps.Points).
type Points interface {
	ShopperPoints(ctx context.Context, shopper string) (order.PointsView, error)
}

// pointsView is what the points page shows.
type pointsView struct {
	Enabled bool
	Here    bool
	// Keeper is the member that keeps the points when it is not this
	// storefront.
	Keeper    pointsKeeper
	Spendable int64
	Worth     string
	Held      int64
	Pending   int64
	// NextExpiry says when the soonest points expire, "" when none do.
	NextExpiry       time.Time
	NextExpiryPoints int64
	Earned, Spent    int64
	Returned         int64
	Expired          int64
	Reversed         int64
	Lots             []pointsLotRow
	History          []pointsLineRow
}

type pointsLotRow struct {
	Source      string
	Left        int64
	SpendableAt time.Time
	Pending     bool
	ExpiresAt   time.Time
}

type pointsLineRow struct {
	At     time.Time
	What   string
	Points string
	Ref    string
}

// pointsPage is GET /points: the shopper's balance, what expires when,
// and the latest changes.
func (sf *Storefront) pointsPage(w http.ResponseWriter, r *http.Request, sv shopperVisit) {
	if sf.deps.Points == nil {
		web.SeeOther(w, r, "/orders")
		return
	}
	pv, err := sf.deps.Points.ShopperPoints(r.Context(), sv.shopper.ID)
	if err != nil {
		sf.site.FailOrder(w, r, err)
		return
	}
	now := time.Now()
	v := pointsView{Enabled: pv.Enabled, Here: pv.Here, Spendable: pv.Balance.Spendable, Held: pv.Balance.Held, Pending: pv.Balance.Pending,
		NextExpiry: pv.Balance.NextExpiry, NextExpiryPoints: pv.Balance.NextPoints,
		Earned: pv.Earned, Spent: pv.Spent, Returned: pv.Returned, Expired: pv.Expired, Reversed: pv.Reversed,
		Worth: sf.site.Money(r, pv.Balance.Spendable*pv.PointValue, pv.Currency)}
	if !pv.Here {
		v.Keeper = sf.keeper(pv.Issuer)
	}
	for _, l := range pv.Lots {
		v.Lots = append(v.Lots, pointsLotRow{Source: l.Source, Left: l.Left, SpendableAt: l.SpendableAt, Pending: now.Before(l.SpendableAt), ExpiresAt: l.ExpiresAt})
	}
	for _, l := range pv.History {
		sign := "+"
		if l.Kind != order.PointsEarnedLine && l.Kind != order.PointsReturnedLine {
			sign = "−"
		}
		// A history line says what it is by its kind: points.line_earned...
		row := pointsLineRow{At: l.At, What: sf.site.T(r, "points.line_"+l.Kind), Points: sign + strconv.FormatInt(l.Points, 10), Ref: l.Ref}
		if l.Lost > 0 {
			row.What += sf.site.T(r, "points.lost", "Lost", l.Lost)
		}
		if l.Kind == order.PointsSpentLine || l.Kind == order.PointsReturnedLine {
			row.Ref = orderOfHold(l.Ref)
		}
		v.History = append(v.History, row)
	}
	sf.render(w, r, http.StatusOK, "points", sf.shopperPage(sv, sf.site.T(r, "points.title"), v))
}

// orderOfHold is the order of a points hold id ("<storefront>/<order>").
func orderOfHold(id string) string {
	if i := strings.LastIndexByte(id, '/'); i >= 0 {
		return id[i+1:]
	}
	return id
}

// pointsOffer is what the checkout says about the shopper's points.
type pointsOffer struct {
	Spendable int64
	Worth     string
	// Elsewhere is set when another member keeps the points: Keeper
	// names it.
	Elsewhere bool
	Keeper    pointsKeeper
}

// pointsKeeper is the member that keeps a shopper's points, and its
// points page; Name is "" when the charter does not name it.
type pointsKeeper struct {
	Name, URL string
}

// keeper names the member issuer for the pages.
func (sf *Storefront) keeper(issuer string) pointsKeeper {
	if sf.deps.Alliance == nil {
		return pointsKeeper{}
	}
	m, ok := sf.deps.Alliance.Member(issuer)
	if !ok || m.Name == "" {
		return pointsKeeper{}
	}
	k := pointsKeeper{Name: m.Name}
	if m.API != "" {
		k.URL = strings.TrimRight(m.API, "/") + "/points"
	}
	return k
}

// checkoutPoints is the points the checkout may offer, nil when the
// shopper has none or the alliance runs no programme.
func (sf *Storefront) checkoutPoints(ctx context.Context, shopper string) *pointsOffer {
	if sf.deps.Points == nil {
		return nil
	}
	pv, err := sf.deps.Points.ShopperPoints(ctx, shopper)
	if err != nil || !pv.Enabled || (pv.Here && pv.Balance.Spendable == 0) {
		return nil
	}
	o := &pointsOffer{Spendable: pv.Balance.Spendable, Worth: web.FormatMoney(pv.Balance.Spendable*pv.PointValue, pv.Currency)}
	if !pv.Here {
		o.Elsewhere, o.Keeper = true, sf.keeper(pv.Issuer)
	}
	return o
}

// readPoints reads the points input of the checkout form.
func readPoints(sp speech, f *web.Form, raw string) int64 {
	raw = strings.TrimSpace(raw)
	f.Set("points", raw)
	if raw == "" {
		return 0
	}
	n, err := strconv.ParseInt(raw, 10, 64)
	if err != nil || n < 0 {
		f.Add("points", sp.t("refusal.points_number"))
		return 0
	}
	return n
}

// msgPointsUnavailable is the message that says why points cannot pay
// now.
const msgPointsUnavailable = "refusal.points_unavailable"
