package storefront

import (
	"context"
	"net/http"

	"github.com/fedmart/fedmart/node/web"
	"github.com/fedmart/fedmart/node/web/locale"
)

// The storefront writes to its shoppers in the language of the pages
// they signed up or checked out as a guest in (the selector's, else
// their browser's Accept-Language), recorded on the account.
// A notification e-mail links to /mail/unsubscribe with the address and
// a token the node signed: the page there turns notifications to that
// address off or back on without a sign-in, and a mail client's
// one-click POST (RFC 8058) turns them off.

// MailPreferences keep who turned notification e-mails off;
// *mail.Queue satisfies it.
type MailPreferences interface {
	// ValidToken reports whether token was signed for addr.
	ValidToken(addr, token string) bool
	// Unsubscribed reports whether addr turned notifications off.
	Unsubscribed(ctx context.Context, addr string) (bool, error)
	// SetUnsubscribed turns notifications to addr off, or back on.
	SetUnsubscribed(ctx context.Context, addr string, off bool) error
}

// shopperLang is the language of r's page as the shoppers' letters name
// it, "en" or "zh": the one the shopper picked with the selector, else
// their browser's, so that the letters speak the language the shopper
// signed up or checked out in.
func (sf *Storefront) shopperLang(r *http.Request) string {
	if sf.site.Locale(r).Tag == locale.Chinese {
		return "zh"
	}
	return "en"
}

// unsubscribeView is the unsubscribe page.
type unsubscribeView struct {
	Lang    string
	Address string
	// Off tells whether notifications to Address are off.
	Off bool
	// Action is the form's URL: the link's, so the POST carries its token.
	Action string
	// Done says the page follows a change.
	Done bool
}

// unsubscribeLangs are the languages of the links, as the letters name
// them, and the page's language tag for each.
var unsubscribeLangs = map[string]string{"en": locale.English, "zh": locale.Chinese}

// link reads the address, token and language of an unsubscribe link;
// ok is false when the token is not the address's.
func (sf *Storefront) link(r *http.Request) (addr, lang string, ok bool) {
	q := r.URL.Query()
	addr, lang = q.Get("a"), q.Get("l")
	if _, known := unsubscribeLangs[lang]; !known {
		lang = sf.shopperLang(r)
	}
	return addr, lang, sf.deps.Mail.ValidToken(addr, q.Get("t"))
}

// unsubscribePage is GET /mail/unsubscribe: what notifications to the
// link's address are, and the button that turns them off or back on.
func (sf *Storefront) unsubscribePage(w http.ResponseWriter, r *http.Request) {
	addr, lang, ok := sf.link(r)
	if !ok {
		sf.site.Status(w, r, http.StatusNotFound, sf.site.T(r, "unsubscribe.invalid"), sf.site.T(r, "unsubscribe.invalid_text"))
		return
	}
	off, err := sf.deps.Mail.Unsubscribed(r.Context(), addr)
	if err != nil {
		sf.site.Fail(w, r, err)
		return
	}
	q := r.URL.Query()
	done := q.Get("done") != ""
	q.Del("done")
	v := unsubscribeView{Lang: lang, Address: addr, Off: off, Action: "/mail/unsubscribe?" + q.Encode(), Done: done}
	title := sf.site.T(r, "unsubscribe.title")
	if l, ok := sf.site.LocaleOf(unsubscribeLangs[lang]); ok {
		title = l.T("unsubscribe.title")
	}
	p := &web.Page{Title: title, Lang: lang, NoIndex: true, Data: v}
	sf.render(w, r, http.StatusOK, "unsubscribe", p)
}

// unsubscribe is POST /mail/unsubscribe: a mail client's one-click
// unsubscribe (body List-Unsubscribe=One-Click), or the page's button
// (on=1 turns notifications back on).
func (sf *Storefront) unsubscribe(w http.ResponseWriter, r *http.Request) {
	addr, _, ok := sf.link(r)
	if !ok {
		sf.site.Status(w, r, http.StatusNotFound, sf.site.T(r, "unsubscribe.invalid"), sf.site.T(r, "unsubscribe.invalid_text"))
		return
	}
	on := r.PostForm.Get("on") == "1"
	if err := sf.deps.Mail.SetUnsubscribed(r.Context(), addr, !on); err != nil {
		sf.site.Fail(w, r, err)
		return
	}
	if r.PostForm.Get("List-Unsubscribe") == "One-Click" {
		w.WriteHeader(http.StatusOK)
		return
	}
	q := r.URL.Query()
	q.Set("done", "1")
	web.SeeOther(w, r, "/mail/unsubscribe?"+q.Encode())
}
