package main

import (
	"errors"
	"fmt"
	"html"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/fedmart/fedmart/node/web"
)

// A shopper's browser for the process tests: it walks the storefront's
// pages of running nodes over HTTP, keeping every node's cookies, as a
// shopper's browser does; no JavaScript is needed on these pages.

// browser is one shopper's browser: it keeps the cookies of every node
// it visits and follows redirects, from one node to another too.
type browser struct {
	t *testing.T
	c *http.Client
}

func newBrowser(t *testing.T) *browser {
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	return &browser{t: t, c: &http.Client{Jar: jar, Timeout: 15 * time.Second}}
}

// page is where a request ended up, after its redirects, and what it
// showed.
type page struct {
	url  *url.URL
	code int
	body string
}

func (p *page) String() string {
	if p == nil {
		return "(no page)"
	}
	return fmt.Sprintf("%d at %s:\n%s", p.code, p.url, tail(p.body))
}

// at reports whether p is path on n.
func (p *page) at(n *procNode, path string) bool {
	return p != nil && p.url.Host == n.api && p.url.Path == path
}

var hiddenInput = regexp.MustCompile(`<input type="hidden" name="([^"]+)" value="([^"]*)"`)

// input is the value of the page's first hidden input name, "" when it
// has none.
func (p *page) input(name string) string {
	for _, m := range hiddenInput.FindAllStringSubmatch(p.body, -1) {
		if m[1] == name {
			return html.UnescapeString(m[2])
		}
	}
	return ""
}

func (b *browser) get(n *procNode, path string) (*page, error) {
	return b.do(http.MethodGet, n, path, nil)
}

func (b *browser) post(n *procNode, path string, form url.Values) (*page, error) {
	return b.do(http.MethodPost, n, path, form)
}

func (b *browser) do(method string, n *procNode, path string, form url.Values) (*page, error) {
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequest(method, "http://"+n.api+path, body)
	if err != nil {
		return nil, err
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	resp, err := b.c.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	return &page{url: resp.Request.URL, code: resp.StatusCode, body: string(raw)}, err
}

// checkout puts one unit of listing's sku in the signed-in shopper's cart
// on n and checks it out paying points (none when 0), and returns the
// order. When n does not answer (it was killed) the same form is sent
// again, as a browser's retry, until n answers; what comes back from n is
// the answer. A checkout that placed nothing is a *refusal.
func (b *browser) checkout(n *procNode, listing, sku string, points int64) (string, error) {
	p, err := b.get(n, "/listings/"+url.PathEscape(listing))
	if err != nil || p.code != 200 {
		return "", refused("the listing", p, err)
	}
	if p, err = b.post(n, "/cart/items", url.Values{"csrf": {p.input("csrf")}, "listing": {listing}, "sku": {sku}, "quantity": {"1"}}); err != nil || !p.at(n, "/cart") {
		return "", refused("adding to the cart", p, err)
	}
	if p, err = b.get(n, "/checkout"); err != nil || !p.at(n, "/checkout") || p.code != 200 {
		return "", refused("the checkout form", p, err)
	}
	form := url.Values{"csrf": {p.input("csrf")}, "key": {p.input("key")}, "cart": {p.input("cart")},
		"shipping_address.name": {"Ada Lovelace"}, "shipping_address.line1": {"Breite Straße 1"}, "shipping_address.city": {"Lübeck"},
		"shipping_address.postal_code": {"23552"}, "shipping_address.country": {"DE"},
		"payment.method": {"sandbox_card"}, "payment.card_number": {"4242424242424242"}}
	if points > 0 {
		form.Set("points", strconv.FormatInt(points, 10))
	}
	for deadline := time.Now().Add(30 * time.Second); ; {
		p, err = b.post(n, "/checkout", form)
		if err == nil || time.Now().After(deadline) {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	id, placed := strings.CutPrefix(p.url.Path, "/orders/")
	if err != nil || !placed || p.url.Host != n.api || p.url.Query().Get("done") != "placed" {
		return "", refused("the checkout", p, err)
	}
	return id, nil
}

// refusal is what a checkout that placed nothing ran into.
type refusal struct {
	kind, detail string
}

func (r *refusal) Error() string { return r.kind + ": " + r.detail }

// refused names what a step of a checkout ran into: err from the
// transport, or page p where the checkout should have gone on.
func refused(step string, p *page, err error) *refusal {
	switch {
	case err != nil:
		return &refusal{"the storefront did not answer", step + ": " + err.Error()}
	case p.url.Path == "/cart":
		return &refusal{"the other browser checked out the same cart first", step}
	case p.code == http.StatusServiceUnavailable && strings.Contains(p.body, "which does not answer now"):
		return &refusal{"the issuer did not answer, so no points were held", step}
	}
	return &refusal{fmt.Sprintf("%s answered %d", step, p.code), p.String()}
}

var (
	orderRow = regexp.MustCompile(`<tr class="order" data-order="([^"]+)"`)
	nextPage = regexp.MustCompile(`<a href="([^"]+)" rel="next">`)
)

// orders lists the signed-in shopper's orders on n, every page of them.
func (b *browser) orders(n *procNode) ([]string, error) {
	var ids []string
	for path := "/orders"; path != ""; {
		p, err := b.get(n, path)
		if err != nil || !p.at(n, "/orders") || p.code != 200 {
			return nil, fmt.Errorf("%s's orders page: %v %s", n.name, err, p)
		}
		for _, m := range orderRow.FindAllStringSubmatch(p.body, -1) {
			ids = append(ids, m[1])
		}
		path = ""
		if m := nextPage.FindStringSubmatch(p.body); m != nil {
			path = html.UnescapeString(m[1])
		}
	}
	return ids, nil
}

var (
	// Amounts in euros, as the English storefront writes them ("€1,234.50")
	// or as sentences built apart from the templates may ("1234.50 EUR").
	orderTotal  = regexp.MustCompile(`<span id="order-total">€?([0-9.,]+)(?: EUR)?</span>`)
	cardCharged = regexp.MustCompile(`<dd class="payment-text">Card ending in 4242, €?([0-9.,]+)(?: EUR)? charged`)
)

// paid reads an order page's total and what the card paid of it, in
// cents.
func (p *page) paid() (total, charged int64, err error) {
	t, c := orderTotal.FindStringSubmatch(p.body), cardCharged.FindStringSubmatch(p.body)
	if t == nil || c == nil {
		return 0, 0, fmt.Errorf("no total or card payment on the page: %s", p)
	}
	if total, err = web.ParseAmount(strings.ReplaceAll(t[1], ",", ""), "EUR"); err == nil {
		charged, err = web.ParseAmount(strings.ReplaceAll(c[1], ",", ""), "EUR")
	}
	return total, charged, err
}

// pagePoints is a shopper's points as their home's points page shows
// them.
type pagePoints struct {
	spendable, held, pending         int64
	earned, spent, expired, reversed int64
}

var (
	pointsSpendable = regexp.MustCompile(`<dd id="points-spendable">(\d+) points`)
	pointsHeld      = regexp.MustCompile(`<dd id="points-held">(\d+)</dd>`)
	pointsPending   = regexp.MustCompile(`<dd id="points-pending">(\d+)</dd>`)
	pointsInAll     = regexp.MustCompile(`In all: (\d+) earned, (\d+) spent, (\d+) expired, (\d+) taken back after refunds`)
)

// points reads the signed-in shopper's points page on n, its home.
func (b *browser) points(n *procNode) (pagePoints, error) {
	p, err := b.get(n, "/points")
	if err != nil || !p.at(n, "/points") || p.code != 200 {
		return pagePoints{}, fmt.Errorf("%s's points page: %v %s", n.name, err, p)
	}
	s, pe, all := pointsSpendable.FindStringSubmatch(p.body), pointsPending.FindStringSubmatch(p.body), pointsInAll.FindStringSubmatch(p.body)
	if s == nil || pe == nil || all == nil {
		return pagePoints{}, errors.New("the points page shows no balance: " + p.String())
	}
	num := func(s string) int64 { v, _ := strconv.ParseInt(s, 10, 64); return v }
	pts := pagePoints{spendable: num(s[1]), pending: num(pe[1]), earned: num(all[1]), spent: num(all[2]), expired: num(all[3]), reversed: num(all[4])}
	if h := pointsHeld.FindStringSubmatch(p.body); h != nil { // shown only when some are held
		pts.held = num(h[1])
	}
	return pts, nil
}
