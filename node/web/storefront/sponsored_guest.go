package storefront

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/fedmart/fedmart/catalog"
	"github.com/fedmart/fedmart/node/web"
)

// A guest's clicks on sponsored slots are kept in the session cookie
// (signed, so a guest cannot make one up): "listing campaign unix"
// entries joined by "|", oldest first, at most maxGuestAdClicks, a later
// click on a listing replacing its earlier one. At sign-in or sign-up
// they move to the account as of when they were made (the order service
// then keeps them for the charter's attribution window), so that a sale
// after the sign-in is attributed as a signed-in shopper's would be.

// valueAdClicks is the key of Session.Values that holds a guest's clicks.
const valueAdClicks = "adclicks"

// maxGuestAdClicks is the most clicks a guest's session keeps: each is
// about 150 bytes of a cookie that must stay under 4 KiB beside the
// guest's cart.
const maxGuestAdClicks = 4

// guestAdClick is one click a guest's session keeps.
type guestAdClick struct {
	Listing, Campaign string
	At                time.Time
}

// guestAdClicks reads the clicks of sess, oldest first; a malformed
// entry is skipped.
func guestAdClicks(sess *web.Session) []guestAdClick {
	if sess == nil || sess.Values[valueAdClicks] == "" {
		return nil
	}
	var out []guestAdClick
	for _, raw := range strings.Split(sess.Values[valueAdClicks], "|") {
		f := strings.Fields(raw)
		if len(f) != 3 {
			continue
		}
		at, err := strconv.ParseInt(f[2], 10, 64)
		if _, _, _, perr := catalog.ParseID(f[0]); err != nil || perr != nil {
			continue
		}
		out = append(out, guestAdClick{Listing: f[0], Campaign: f[1], At: time.Unix(at, 0).UTC()})
	}
	return out
}

// setGuestAdClicks writes clicks into sess, keeping the newest
// maxGuestAdClicks; none clears them.
func setGuestAdClicks(sess *web.Session, clicks []guestAdClick) {
	if len(clicks) > maxGuestAdClicks {
		clicks = clicks[len(clicks)-maxGuestAdClicks:]
	}
	if len(clicks) == 0 {
		delete(sess.Values, valueAdClicks)
		return
	}
	parts := make([]string, len(clicks))
	for i, c := range clicks {
		parts[i] = c.Listing + " " + c.Campaign + " " + strconv.FormatInt(c.At.Unix(), 10)
	}
	if sess.Values == nil {
		sess.Values = map[string]string{}
	}
	sess.Values[valueAdClicks] = strings.Join(parts, "|")
}

// rememberGuestClick keeps a guest's click in the session (begun here
// when the guest has none). A cookie too full to take it loses the
// oldest clicks, and then the click: a click is never in the way.
func (sf *Storefront) rememberGuestClick(w http.ResponseWriter, sess *web.Session, listing, campaign string) {
	if sess == nil {
		sess = sf.sessions.New()
	}
	var clicks []guestAdClick
	for _, c := range guestAdClicks(sess) {
		if c.Listing != listing {
			clicks = append(clicks, c)
		}
	}
	clicks = append(clicks, guestAdClick{Listing: listing, Campaign: campaign, At: sf.site.Now()})
	for n := len(clicks); n > 0; n-- {
		setGuestAdClicks(sess, clicks[len(clicks)-n:])
		if sf.sessions.Save(w, sess) == nil {
			return
		}
	}
}

// adoptAdClicks gives a shopper who just signed in the clicks the
// session kept as a guest, as of when they were made; the order service
// drops those past the attribution window. Errors are ignored: a lost
// click is a sale not attributed, never a failed sign-in.
func (sf *Storefront) adoptAdClicks(ctx context.Context, sess *web.Session, shopper string) {
	if sf.deps.Sponsored == nil {
		return
	}
	for _, c := range guestAdClicks(sess) {
		_ = sf.deps.Sponsored.RecordAdClick(ctx, shopper, c.Listing, c.Campaign, c.At)
	}
}
