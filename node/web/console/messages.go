package console

import (
	"errors"
	"net/http"
	"net/url"
	"time"

	"github.com/fedmart/fedmart/federation/order"
	"github.com/fedmart/fedmart/node/web"
)

// A merchant talks with the shoppers of its parts, whichever storefront
// sold them: the Messages page (GET /merchant/conversations) lists the
// threads, those with messages not read first, and a part's thread (GET
// /merchant/orders/{id}/messages, linked from the orders list) shows the
// part, the messages, and a form to answer (POST to the same address).
// The shopper's storefront relays: no address or e-mail of the shopper
// is ever shown, only what they wrote. Showing a thread marks it read.

// conversationsListSize is how many threads the page lists.
const conversationsListSize = 200

// conversationsView is what the merchant_conversations template shows.
type conversationsView struct {
	Rows []conversationRow
}

// conversationRow is one thread.
type conversationRow struct {
	Part, Order, URL string
	Count, Unread    int
	// Last is the newest message clipped, Who its author.
	Last, Who string
	At        time.Time
	Age       string
}

// threadView is what the merchant_thread template shows: the part and
// its thread.
type threadView struct {
	Part, Order, Storefront, Status string
	Items                           []string
	Thread                          web.ThreadView
}

// messageNotices confirm a message, by "done": the messages' ids.
var messageNotices = map[string]string{"sent": "console.messages.notice_sent"}

// threadURL is the conversation of part.
func threadURL(part string) string { return "/merchant/orders/" + url.PathEscape(part) + "/messages" }

// conversations lists the merchant's threads: GET /merchant/conversations.
func (c *Console) conversations(w http.ResponseWriter, r *http.Request, mv merchantVisit) {
	list, err := c.deps.Parts.Conversations(r.Context(), mv.merchant.ID, conversationsListSize)
	if err != nil {
		c.site.FailOrder(w, r, err)
		return
	}
	var v conversationsView
	l := c.site.Locale(r)
	for _, cv := range list {
		who := l.T("console.messages.shopper")
		if cv.Last.By == order.ByMerchant {
			who = l.T("console.messages.you")
		}
		v.Rows = append(v.Rows, conversationRow{Part: cv.Part, Order: cv.Order, URL: threadURL(cv.Part), Count: cv.Count, Unread: cv.Unread,
			Last: web.ClipText(cv.Last.Text, 140), Who: who, At: cv.Last.At, Age: web.AgoIn(l.Tag, c.site.Now(), cv.Last.At)})
	}
	c.pages.Render(w, r, http.StatusOK, "merchant_conversations", c.consolePage(mv, l.T("console.messages.title"), "/merchant/conversations", v))
}

// threadPage shows a part's thread and marks it read:
// GET /merchant/orders/{id}/messages.
func (c *Console) threadPage(w http.ResponseWriter, r *http.Request, mv merchantVisit) {
	c.renderThread(w, r, mv, http.StatusOK, nil)
}

// renderThread shows the thread of the request's part, with f in its
// form when a message was refused.
func (c *Console) renderThread(w http.ResponseWriter, r *http.Request, mv merchantVisit, status int, f *web.Form) {
	p, err := c.deps.Parts.HomePartOf(r.Context(), mv.merchant.ID, r.PathValue("id"))
	if err != nil {
		c.site.FailOrder(w, r, err)
		return
	}
	t, err := c.deps.Parts.MerchantThread(r.Context(), mv.merchant.ID, p.ID, true)
	if err != nil {
		c.site.FailOrder(w, r, err)
		return
	}
	l := c.site.Locale(r)
	v := threadView{Part: p.ID, Order: p.Order, Storefront: web.PlatformName(c.site.PlatformNames(), p.Storefront), Status: statusText(l, p.Status)}
	for _, l := range p.Lines {
		v.Items = append(v.Items, web.UnitsText([]order.Units{{ListingID: l.ListingID, SKU: l.SKU, Quantity: l.Quantity}}, p.Lines))
	}
	page := c.consolePage(mv, l.T("console.messages.thread_title", "Part", p.ID), "/merchant/conversations", nil)
	v.Thread = web.ThreadViewOf(t, order.ByMerchant, "the shopper", 0, c.site.Zone(), f)
	v.Thread.Action, v.Thread.CSRF = threadURL(p.ID), page.CSRF
	page.Data = v
	page.Notice = c.notice(r, messageNotices)
	c.pages.Render(w, r, status, "merchant_thread", page)
}

// writeMessage sends the merchant's answer to the part's shopper:
// POST /merchant/orders/{id}/messages.
func (c *Console) writeMessage(w http.ResponseWriter, r *http.Request, mv merchantVisit) {
	part := r.PathValue("id")
	f := web.NewForm()
	in := web.ReadNote(r.PostForm.Get("text"), r.PostForm.Get("picture"), f)
	_, err := c.deps.Parts.WriteMerchantNote(r.Context(), mv.merchant.ID, part, in)
	var fe order.FieldErrors
	switch {
	case err == nil:
		web.SeeOther(w, r, threadURL(part)+"?done=sent#messages-"+part)
	case errors.As(err, &fe):
		web.NoteProblems(fe, f)
		c.renderThread(w, r, mv, http.StatusUnprocessableEntity, f)
	case errors.Is(err, order.ErrConflict):
		f.Add("", c.site.T(r, "console.messages.full"))
		c.renderThread(w, r, mv, http.StatusConflict, f)
	default:
		c.site.FailOrder(w, r, err)
	}
}
