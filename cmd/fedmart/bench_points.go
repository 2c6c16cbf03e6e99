package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"time"

	"github.com/fedmart/fedmart/federation"
	"github.com/fedmart/fedmart/federation/order"
	"github.com/fedmart/fedmart/node"
)

// The orders scenario's checkout that spends points held at a third
// member: a shopper whose account lives on the issuer signs in on the
// storefront with the issuer (OpenID Connect over HTTP, as a browser
// does), earns points there through a part that its home delivers, and
// then spends a few of them on each checkout of a part homed on a member
// that is neither the storefront nor the issuer.

// benchLoyalty is the bench charter's loyalty policy: a point per euro,
// worth a cent, funded by the home, spendable on delivery, paying at most
// half of a cart.
var benchLoyalty = federation.Loyalty{EarnBPS: 10000, PointValue: 1, Funder: federation.FunderHome,
	SpendableOn: federation.SpendableOnDelivered, MaxShareBPS: 5000}

// withLoyalty runs the bench cluster under benchLoyalty.
func withLoyalty(co *node.ClusterOptions) { co.Loyalty = benchLoyalty }

const (
	// pointsPerCheckout is what each checkout with points spends.
	pointsPerCheckout = 5
	// earnUnits is how many units of the bench item the points shopper
	// buys first: at 19.99 EUR, 1,999 points once delivered.
	earnUnits = 100
)

// pointsBuyer opens an account on issuer and signs it in on store with
// issuer, then earns points at issuer: store sells it earnUnits of item,
// whose home ships and delivers them. It returns the shopper as store
// knows it, buying one unit of item per checkout without points, and
// its account at issuer. It fails unless the points can pay for runs
// checkouts of pointsPerCheckout.
func pointsBuyer(ctx context.Context, store, home, issuer *node.Node, item order.ItemInput, runs int) (*benchBuyer, string, error) {
	email, password := fmt.Sprintf("points-%d@example.org", time.Now().UnixNano()), "bench points shopper"
	acct, _, err := issuer.Orders().CreateShopper(ctx, order.ShopperInput{Name: "Bench points shopper", Email: email, Password: password})
	if err != nil {
		return nil, "", err
	}
	if err := signInWith(ctx, store, issuer, email, password); err != nil {
		return nil, "", fmt.Errorf("signing in on %s with %s: %w", store.Name(), issuer.Name(), err)
	}
	// The sign-in opened the linked shopper; this finds it.
	sh, err := store.Orders().LinkedShopper(ctx, order.Link{Issuer: issuer.PeerID().String(), Subject: acct.ID})
	if err != nil {
		return nil, "", err
	}
	earn := item
	earn.Quantity = earnUnits
	o, _, err := (&benchBuyer{svc: store.Orders(), id: sh.ID, items: []order.ItemInput{earn}}).checkout(ctx)
	if err != nil {
		return nil, "", fmt.Errorf("the order that earns points: %w", err)
	}
	p := o.Parts[0]
	if p.Platform != home.PeerID().String() {
		return nil, "", fmt.Errorf("part %s is homed on %s, not on %s", p.ID, p.Platform, home.Name())
	}
	if _, err := home.Orders().ShipWith(ctx, p.Merchant, p.ID, order.Shipment{Carrier: "DHL", Tracking: "BENCH0000000001"}); err != nil {
		return nil, "", fmt.Errorf("shipping part %s: %w", p.ID, err)
	}
	if _, err := home.Orders().Deliver(ctx, p.Merchant, p.ID); err != nil {
		return nil, "", fmt.Errorf("delivering part %s: %w", p.ID, err)
	}
	// The home forwards the delivered status to the issuer, which
	// credits the points.
	need := int64(runs * pointsPerCheckout)
	var v order.PointsView
	for deadline := time.Now().Add(30 * time.Second); v.Balance.Spendable < need; time.Sleep(20 * time.Millisecond) {
		if v, err = issuer.Orders().ShopperPoints(ctx, acct.ID); err != nil {
			return nil, "", err
		}
		if time.Now().After(deadline) {
			return nil, "", fmt.Errorf("%s credited %+v points after delivery, want %d spendable", issuer.Name(), v.Balance, need)
		}
	}
	return &benchBuyer{svc: store.Orders(), id: sh.ID, items: []order.ItemInput{item}}, acct.ID, nil
}

// pointsSpent waits until issuer's account has spent want points in all
// and holds none: every checkout's hold confirmed, none left open.
func pointsSpent(ctx context.Context, issuer *node.Node, account string, want int64) error {
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		v, err := issuer.Orders().ShopperPoints(ctx, account)
		if err != nil {
			return err
		}
		if v.Spent == want && v.Balance.Held == 0 {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("%s's account spent %d points and holds %d, want %d spent and none held", issuer.Name(), v.Spent, v.Balance.Held, want)
		}
	}
}

// signInWith signs the shopper of issuer with email and password in on
// store's storefront as a browser does, over HTTP: it signs in on
// issuer's pages, follows store's "Sign in with" link to issuer's
// approval page, approves store there and lands back on store, signed in.
func signInWith(ctx context.Context, store, issuer *node.Node, email, password string) error {
	jar, err := cookiejar.New(nil)
	if err != nil {
		return err
	}
	b := visitor{hc: &http.Client{Jar: jar, Timeout: 30 * time.Second}}
	page, _, err := b.do(ctx, issuer.APIURL()+"/signin/shopper", nil)
	if err != nil {
		return err
	}
	page, at, err := b.do(ctx, issuer.APIURL()+"/signin/shopper", url.Values{"csrf": {csrfOf(page)}, "email": {email}, "password": {password}, "next": {"/"}})
	if err != nil {
		return err
	}
	if !signedIn(page) {
		return fmt.Errorf("the sign-in on %s ended at %s, not signed in", issuer.Name(), at)
	}
	page, at, err = b.do(ctx, store.APIURL()+"/signin/with/"+url.PathEscape(issuer.PeerID().String())+"?next=/", nil)
	if err != nil {
		return err
	}
	if at.Path != "/signin/alliance/approve" || !strings.Contains(page, `id="approve"`) {
		return fmt.Errorf("%s's sign-in with %s went to %s, not to its approval page", store.Name(), issuer.Name(), at)
	}
	page, at, err = b.do(ctx, issuer.APIURL()+"/signin/alliance/approve", url.Values{"csrf": {csrfOf(page)}, "id": {at.Query().Get("id")}})
	if err != nil {
		return err
	}
	if home, _ := url.Parse(store.APIURL()); at.Host != home.Host || !signedIn(page) {
		return fmt.Errorf("the approval ended at %s, not signed in on %s", at, store.Name())
	}
	return nil
}

// visitor is a browser: it keeps cookies and follows redirects.
type visitor struct{ hc *http.Client }

// do loads u, or posts form to it, and returns the page it ends at and
// where.
func (v visitor) do(ctx context.Context, u string, form url.Values) (string, *url.URL, error) {
	method, body := http.MethodGet, io.Reader(nil)
	if form != nil {
		method, body = http.MethodPost, strings.NewReader(form.Encode())
	}
	req, err := http.NewRequestWithContext(ctx, method, u, body)
	if err != nil {
		return "", nil, err
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	res, err := v.hc.Do(req)
	if err != nil {
		return "", nil, err
	}
	defer res.Body.Close()
	page, err := io.ReadAll(io.LimitReader(res.Body, 1<<20))
	if err == nil && res.StatusCode != http.StatusOK {
		err = fmt.Errorf("%s %s ended at %s with %s", method, u, res.Request.URL, res.Status)
	}
	return string(page), res.Request.URL, err
}

var csrfInput = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

// csrfOf is the CSRF token of a page's forms, "" when it has none (the
// post is then refused, and says so).
func csrfOf(page string) string {
	if m := csrfInput.FindStringSubmatch(page); m != nil {
		return m[1]
	}
	return ""
}

// signedIn reports whether a storefront page is shown to a signed-in
// shopper.
func signedIn(page string) bool { return strings.Contains(page, `action="/signout"`) }

var errNoPoints = errors.New("the order was not paid with points")
