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

	"github.com/fedmart/fedmart/federation/order"
	"github.com/fedmart/fedmart/node"
)

// Some of the demo's shoppers, and the bench's points shopper, have their
// account on one member and shop on another's storefront, signed in there with "Sign in with <member>":
// the OpenID Connect flow runs over HTTP through both storefronts' pages,
// as a browser would run it (a cookie jar, the redirects followed, the
// forms posted with their CSRF token), so that the storefront keeps the
// ID token that lets it spend the shopper's points at their home.

// demoPassword is the demo shoppers' password on their home storefront.
const demoPassword = "demo-password"

// csrfField reads a page's CSRF token (every form of a page has the same).
var csrfField = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

// signedIn tells a page shown to a signed-in shopper: its sign-out form.
const signedIn = `action="/signout"`

// allianceSignIn signs the shopper with email and password, whose
// account lives on home, in on store's storefront: store's "Sign in with
// <home>" sends the browser to home, where the shopper signs in on home's
// own page and approves store; home sends the browser back to store, which
// verifies the ID token and signs the shopper in, on the points page. It
// returns store's shopper linked to the account.
func allianceSignIn(ctx context.Context, home, store *node.Node, email, password string) (order.Shopper, error) {
	jar, err := cookiejar.New(nil)
	if err != nil {
		return order.Shopper{}, err
	}
	cl := &http.Client{Jar: jar, Timeout: 30 * time.Second}
	start := store.APIURL() + "/signin/with/" + url.PathEscape(home.PeerID().String()) + "?next=/points"
	page, at, err := browse(ctx, cl, start, nil)
	if err != nil {
		return order.Shopper{}, err
	}
	if at.Path != "/signin/shopper" || !sameOrigin(at, home.APIURL()) {
		return order.Shopper{}, fmt.Errorf("%s's sign-in with %s led to %s, not to %s's sign-in page", store.Name(), home.Name(), at, home.Name())
	}
	form := url.Values{"email": {email}, "password": {password}, "next": {at.Query().Get("next")}}
	if page, at, err = submit(ctx, cl, home.APIURL()+"/signin/shopper", page, form); err != nil {
		return order.Shopper{}, err
	}
	if at.Path != "/signin/alliance/approve" || !sameOrigin(at, home.APIURL()) {
		return order.Shopper{}, fmt.Errorf("signed in on %s, the shopper is at %s, not on the page that approves %s", home.Name(), at, store.Name())
	}
	if page, at, err = submit(ctx, cl, home.APIURL()+"/signin/alliance/approve", page, url.Values{"id": {at.Query().Get("id")}}); err != nil {
		return order.Shopper{}, err
	}
	if at.Path != "/points" || !sameOrigin(at, store.APIURL()) || !strings.Contains(page, signedIn) {
		return order.Shopper{}, fmt.Errorf("approved on %s, the shopper is at %s, not signed in on %s's points page", home.Name(), at, store.Name())
	}
	sh, err := home.Orders().ShopperByEmail(ctx, email)
	if err != nil {
		return order.Shopper{}, err
	}
	// Signed in, the link exists: this finds it (the bench and the demo
	// drive the shopper through the order service from here).
	return store.Orders().LinkedShopper(ctx, order.Link{Issuer: home.PeerID().String(), Subject: sh.ID})
}

// browse sends a GET (form nil) or a form POST and follows the redirects;
// it returns the last page and where it is. A page other than 200 is an
// error that says where.
func browse(ctx context.Context, cl *http.Client, target string, form url.Values) (string, *url.URL, error) {
	method, body := http.MethodGet, io.Reader(nil)
	if form != nil {
		method, body = http.MethodPost, strings.NewReader(form.Encode())
	}
	req, err := http.NewRequestWithContext(ctx, method, target, body)
	if err != nil {
		return "", nil, err
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	res, err := cl.Do(req)
	if err != nil {
		return "", nil, err
	}
	defer res.Body.Close()
	b, err := io.ReadAll(io.LimitReader(res.Body, 4<<20))
	if err != nil {
		return "", nil, err
	}
	if res.StatusCode != http.StatusOK {
		return "", nil, fmt.Errorf("%s %s: %s%s", method, res.Request.URL, res.Status, pageError(string(b)))
	}
	return string(b), res.Request.URL, nil
}

// submit posts form with page's CSRF token to action.
func submit(ctx context.Context, cl *http.Client, action, page string, form url.Values) (string, *url.URL, error) {
	m := csrfField.FindStringSubmatch(page)
	if m == nil {
		return "", nil, errors.New("the page has no form to post to " + action)
	}
	form.Set("csrf", m[1])
	return browse(ctx, cl, action, form)
}

// pageErrorText reads the error summary a page shows.
var pageErrorText = regexp.MustCompile(`(?s)class="error-summary"[^>]*>(.*?)</div>`)

var htmlTag = regexp.MustCompile(`<[^>]*>`)

// pageError is the error a page shows, ": ..." or "".
func pageError(page string) string {
	m := pageErrorText.FindStringSubmatch(page)
	if m == nil {
		return ""
	}
	return ": " + strings.Join(strings.Fields(htmlTag.ReplaceAllString(m[1], " ")), " ")
}

// sameOrigin reports whether u is on the site at base.
func sameOrigin(u *url.URL, base string) bool {
	b, err := url.Parse(base)
	return err == nil && u.Scheme == b.Scheme && u.Host == b.Host
}

// traveller reports whether the demo's shopper i shops on the next
// member's storefront, signed in there with its own member: every other
// shopper, when there are members enough to go round.
func traveller(i, members int) bool { return members > 1 && i%2 == 1 }
