package storefront

import (
	"context"
	"net/http"

	"golang.org/x/text/language"

	"github.com/fedmart/fedmart/node/web"
)

// The storefront writes to its shoppers in the language their browser
// asks for (Accept-Language) among those its letters are written in,
// recorded on the account when they sign up or check out as a guest.
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

// mailLangs are the languages of the shoppers' letters and of the
// unsubscribe page; the first is the default.
var mailLangs = []language.Tag{language.English, language.Chinese}

var langMatcher = language.NewMatcher(mailLangs)

// shopperLang is the language r's browser asks for, among mailLangs:
// "en" or "zh".
func shopperLang(r *http.Request) string {
	tags, _, _ := language.ParseAcceptLanguage(r.Header.Get("Accept-Language"))
	_, i, _ := langMatcher.Match(tags...)
	base, _ := mailLangs[i].Base()
	return base.String()
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

// unsubscribeTitles are the page's titles, by language.
var unsubscribeTitles = map[string]string{"en": "E-mail notifications", "zh": "邮件通知"}

// link reads the address, token and language of an unsubscribe link;
// ok is false when the token is not the address's.
func (sf *Storefront) link(r *http.Request) (addr, lang string, ok bool) {
	q := r.URL.Query()
	addr, lang = q.Get("a"), q.Get("l")
	if _, known := unsubscribeTitles[lang]; !known {
		lang = shopperLang(r)
	}
	return addr, lang, sf.deps.Mail.ValidToken(addr, q.Get("t"))
}

// unsubscribePage is GET /mail/unsubscribe: what notifications to the
// link's address are, and the button that turns them off or back on.
func (sf *Storefront) unsubscribePage(w http.ResponseWriter, r *http.Request) {
	addr, lang, ok := sf.link(r)
	if !ok {
		sf.site.Status(w, r, http.StatusNotFound, "Link not valid", "This unsubscribe link is not one this shop sent, or it was cut short. Open it again from the e-mail.")
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
	p := &web.Page{Title: unsubscribeTitles[lang], Lang: lang, NoIndex: true, Data: v}
	sf.render(w, r, http.StatusOK, "unsubscribe", p)
}

// unsubscribe is POST /mail/unsubscribe: a mail client's one-click
// unsubscribe (body List-Unsubscribe=One-Click), or the page's button
// (on=1 turns notifications back on).
func (sf *Storefront) unsubscribe(w http.ResponseWriter, r *http.Request) {
	addr, _, ok := sf.link(r)
	if !ok {
		sf.site.Status(w, r, http.StatusNotFound, "Link not valid", "This unsubscribe link is not one this shop sent, or it was cut short. Open it again from the e-mail.")
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
