package console

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/fedmart/fedmart/catalog"
	"github.com/fedmart/fedmart/federation/order"
	"github.com/fedmart/fedmart/node/web"
)

// A merchant answers the returns shoppers ask for on the Returns page
// (GET /merchant/returns): the open ones first (asked, then approved),
// each with its part, units, reason, note and age. A return's page (GET
// /merchant/returns/{part}/{rid}) approves it with instructions (a
// carrier's drop-off code, an address, an https label to print) or
// refuses it with a reason; once approved, it marks the units received
// after a confirmation that says the refund and the restocking fee kept.
// The part's storefront is told each step by the order service.

// returnsListSize is how many returns the page lists.
const returnsListSize = 200

// returnReasonText are the reasons shoppers give: the messages' ids.
var returnReasonText = map[string]string{
	"damaged":          "console.returns.reason_damaged",
	"wrong_item":       "console.returns.reason_wrong_item",
	"not_as_described": "console.returns.reason_not_as_described",
	"no_longer_needed": "console.returns.reason_no_longer_needed",
	"other":            "console.returns.reason_other",
}

// returnStateText names a return's states for merchants: the messages'
// ids.
var returnStateText = map[string]string{
	order.ReturnRequested: "console.returns.state_requested",
	order.ReturnApproved:  "console.returns.state_approved",
	order.ReturnRefused:   "console.returns.state_refused",
	order.ReturnReceived:  "console.returns.state_received",
}

// textOf is the message of key in texts in l's language, or key as it
// is when texts has none.
func textOf(l words, texts map[string]string, key string) string {
	if id, ok := texts[key]; ok {
		return l.T(id)
	}
	return key
}

// returnsView is what the merchant_returns template shows.
type returnsView struct {
	Rows []returnRow
}

// returnRow is one return.
type returnRow struct {
	ID, URL, Part, Order, State, StateText string
	Items, Reason, Note                    string
	Asked                                  time.Time
	Age                                    string
}

// returnView is what the merchant_return template shows: one return
// with the form its state allows.
type returnView struct {
	returnRow
	Steps []returnStep
	// Instructions are the approval's, once approved; Refusal why it was
	// refused; Refund and Fee what its receipt refunded and kept.
	Instructions       *order.ReturnInstructions
	Refusal            string
	PaidBy             string
	ApproveURL         string
	RefuseURL          string
	ReceiveURL         string
	Code, Address      web.Field
	LabelURL, Why      web.Field
	Policy             string
	Worth, Refund, Fee string
	FeeRate            string
	Form               *web.Form
}

// returnStep is one step of a return in words.
type returnStep struct {
	Text, Note string
	At         time.Time
}

// returnPageURL is the page of return rid of part.
func returnPageURL(part, rid string) string {
	return "/merchant/returns/" + url.PathEscape(part) + "/" + url.PathEscape(rid)
}

// returnNotices confirm an answer to a return, by "done": the messages'
// ids.
var returnNotices = map[string]string{
	"approved": "console.returns.notice_approved",
	"refused":  "console.returns.notice_refused",
	"received": "console.returns.notice_received",
}

// merchantReturns lists the merchant's returns: GET /merchant/returns.
func (c *Console) merchantReturns(w http.ResponseWriter, r *http.Request, mv merchantVisit) {
	list, err := c.deps.Parts.MerchantReturns(r.Context(), mv.merchant.ID, "", returnsListSize)
	if err != nil {
		c.site.FailOrder(w, r, err)
		return
	}
	var v returnsView
	parts := map[string]order.HomePart{}
	for _, mr := range list {
		p, ok := parts[mr.Part]
		if !ok {
			if p, err = c.deps.Parts.HomePartOf(r.Context(), mv.merchant.ID, mr.Part); err != nil {
				c.site.FailOrder(w, r, err)
				return
			}
			parts[mr.Part] = p
		}
		v.Rows = append(v.Rows, c.returnRowOf(r, p, mr.Return))
	}
	page := c.consolePage(mv, c.site.T(r, "console.returns.title"), "/merchant/returns", v)
	page.Notice = c.notice(r, returnNotices)
	c.pages.Render(w, r, http.StatusOK, "merchant_returns", page)
}

// returnRowOf is return rt of part p in r's language.
func (c *Console) returnRowOf(r *http.Request, p order.HomePart, rt order.Return) returnRow {
	l := c.site.Locale(r)
	row := returnRow{ID: rt.ID, URL: returnPageURL(p.ID, rt.ID), Part: p.ID, Order: p.Order, State: rt.State,
		StateText: textOf(l, returnStateText, rt.State), Items: web.UnitsText(rt.Lines, p.Lines), Reason: textOf(l, returnReasonText, rt.Reason), Note: rt.Note}
	if len(rt.Steps) > 0 {
		row.Asked = rt.Steps[0].At
		row.Age = web.AgoIn(l.Tag, c.site.Now(), row.Asked)
	}
	return row
}

// returnPage shows one return: GET /merchant/returns/{part}/{rid}.
func (c *Console) returnPage(w http.ResponseWriter, r *http.Request, mv merchantVisit) {
	p, rt, ok := c.returnOf(w, r, mv)
	if !ok {
		return
	}
	page := c.consolePage(mv, c.site.T(r, "console.returns.request"), "/merchant/returns", c.returnViewOf(r, mv, p, rt, web.NewForm()))
	c.pages.Render(w, r, http.StatusOK, "merchant_return", page)
}

// returnOf reads the return of the request and its part.
func (c *Console) returnOf(w http.ResponseWriter, r *http.Request, mv merchantVisit) (order.HomePart, order.Return, bool) {
	p, err := c.deps.Parts.HomePartOf(r.Context(), mv.merchant.ID, r.PathValue("part"))
	if err != nil {
		c.site.FailOrder(w, r, err)
		return p, order.Return{}, false
	}
	for _, rt := range p.Returns {
		if rt.ID == r.PathValue("rid") {
			return p, rt, true
		}
	}
	c.site.FailOrder(w, r, fmt.Errorf("%w: part %s has no return %s", order.ErrNotFound, p.ID, r.PathValue("rid")))
	return p, order.Return{}, false
}

// approveReturn approves a return with instructions:
// POST /merchant/returns/{part}/{rid}/approve.
func (c *Console) approveReturn(w http.ResponseWriter, r *http.Request, mv merchantVisit) {
	p, rt, ok := c.returnOf(w, r, mv)
	if !ok {
		return
	}
	f := web.NewForm()
	in := readInstructions(c.site.Locale(r), r.PostForm, f)
	if !f.OK() {
		c.renderReturn(w, r, mv, http.StatusUnprocessableEntity, p, rt, f)
		return
	}
	_, err := c.deps.Parts.ApproveReturn(r.Context(), mv.merchant.ID, p.ID, rt.ID, in)
	c.afterReturn(w, r, mv, p, rt, f, "approved", err)
}

// readInstructions reads the approval's inputs into f.
func readInstructions(l words, pf url.Values, f *web.Form) order.ReturnInstructions {
	text := func(name string) string {
		v := strings.TrimSpace(pf.Get(name))
		f.Set(name, v)
		return v
	}
	in := order.ReturnInstructions{DropOffCode: text("drop_off_code"), Address: text("address"), LabelURL: text("label_url")}
	switch {
	case in.DropOffCode == "" && in.Address == "" && in.LabelURL == "":
		f.Add("drop_off_code", l.T("console.returns.how_required"))
	case len(in.DropOffCode) > 100:
		f.Add("drop_off_code", l.T("console.returns.code_long"))
	}
	if len(in.Address) > 500 {
		f.Add("address", l.T("console.returns.address_long"))
	}
	if in.LabelURL != "" && !strings.HasPrefix(strings.ToLower(in.LabelURL), "https://") {
		f.Add("label_url", l.T("console.returns.label_https"))
	}
	return in
}

// refuseReturn refuses a return with a reason:
// POST /merchant/returns/{part}/{rid}/refuse.
func (c *Console) refuseReturn(w http.ResponseWriter, r *http.Request, mv merchantVisit) {
	p, rt, ok := c.returnOf(w, r, mv)
	if !ok {
		return
	}
	f := web.NewForm()
	why := strings.TrimSpace(r.PostForm.Get("reason"))
	f.Set("reason", why)
	switch {
	case why == "":
		f.Add("reason", c.site.T(r, "console.returns.why_required"))
	case len(why) > 512:
		f.Add("reason", c.site.T(r, "console.returns.why_long"))
	}
	if !f.OK() {
		c.renderReturn(w, r, mv, http.StatusUnprocessableEntity, p, rt, f)
		return
	}
	_, err := c.deps.Parts.RefuseReturn(r.Context(), mv.merchant.ID, p.ID, rt.ID, why)
	c.afterReturn(w, r, mv, p, rt, f, "refused", err)
}

// receiveReturn marks an approved return's units received, which
// refunds them: POST /merchant/returns/{part}/{rid}/receive.
func (c *Console) receiveReturn(w http.ResponseWriter, r *http.Request, mv merchantVisit) {
	p, rt, ok := c.returnOf(w, r, mv)
	if !ok {
		return
	}
	_, err := c.deps.Parts.ReceiveReturn(r.Context(), mv.merchant.ID, p.ID, rt.ID)
	c.afterReturn(w, r, mv, p, rt, web.NewForm(), "received", err)
}

// afterReturn answers an answer to return rt: the list with a notice;
// a problem with an input next to it; a return whose state changed
// meanwhile its page again with where it stands (409).
func (c *Console) afterReturn(w http.ResponseWriter, r *http.Request, mv merchantVisit, p order.HomePart, rt order.Return, f *web.Form, done string, err error) {
	var fe order.FieldErrors
	switch {
	case err == nil:
		web.SeeOther(w, r, "/merchant/returns?done="+done)
	case errors.As(err, &fe):
		for _, e := range fe {
			input := strings.TrimPrefix(e.Field, "instructions.")
			if input == "instructions" {
				input = "drop_off_code"
			}
			label := strings.ToUpper(input[:1]) + strings.ReplaceAll(input[1:], "_", " ")
			if id, ok := returnInputLabels[input]; ok {
				label = c.site.T(r, id)
			}
			f.Add(input, c.site.T(r, "console.returns.input_problem", "Label", label, "Problem", c.problemText(r, e.Message)))
		}
		c.renderReturn(w, r, mv, http.StatusUnprocessableEntity, p, rt, f)
	case errors.Is(err, order.ErrConflict):
		if fresh, err := c.deps.Parts.HomePartOf(r.Context(), mv.merchant.ID, p.ID); err == nil {
			p = fresh
			for _, x := range p.Returns {
				if x.ID == rt.ID {
					rt = x
				}
			}
		}
		l := c.site.Locale(r)
		f.Add("", l.T("console.returns.no_longer", "Done", l.T("console.returns.done_"+done), "State", strings.ToLower(textOf(l, returnStateText, rt.State))))
		c.renderReturn(w, r, mv, http.StatusConflict, p, rt, f)
	default:
		c.site.FailOrder(w, r, err)
	}
}

func (c *Console) renderReturn(w http.ResponseWriter, r *http.Request, mv merchantVisit, code int, p order.HomePart, rt order.Return, f *web.Form) {
	page := c.consolePage(mv, c.site.T(r, "console.returns.request"), "/merchant/returns", c.returnViewOf(r, mv, p, rt, f))
	c.pages.Render(w, r, code, "merchant_return", page)
}

// returnViewOf is the page of return rt of part p, with f.
func (c *Console) returnViewOf(r *http.Request, mv merchantVisit, p order.HomePart, rt order.Return, f *web.Form) returnView {
	base := returnPageURL(p.ID, rt.ID)
	l := c.site.Locale(r)
	money := func(v int64, cur string) string { return c.site.Money(r, v, cur) }
	v := returnView{returnRow: c.returnRowOf(r, p, rt), Instructions: rt.Instructions, Refusal: rt.Refusal, Form: f,
		Code: f.Field("drop_off_code"), Address: f.Field("address"), LabelURL: f.Field("label_url"), Why: f.Field("reason")}
	for _, st := range rt.Steps {
		v.Steps = append(v.Steps, returnStep{Text: stepText(l, st), Note: st.Note, At: st.At})
	}
	cur := p.Total.Currency
	switch rt.State {
	case order.ReturnRequested:
		v.ApproveURL, v.RefuseURL = base+"/approve", base+"/refuse"
		if c.deps.Profiles != nil {
			if prof, err := c.deps.Profiles.MerchantProfile(r.Context(), c.deps.Merchants.Platform(), mv.merchant.ID); err == nil {
				v.Policy = policyText(l, prof.Policies)
			}
		}
	case order.ReturnApproved:
		v.ReceiveURL = base + "/receive"
		worth := unitsWorth(p.Lines, rt.Lines)
		fee := worth * int64(rt.RestockingFeeBPS) / 10000
		v.Worth, v.Refund, v.Fee = money(worth, cur), money(worth-fee, cur), money(fee, cur)
		v.FeeRate = web.FormatBPS(int64(rt.RestockingFeeBPS))
	case order.ReturnReceived:
		for _, rf := range p.Refunds {
			if rf.ID == rt.Refund {
				v.Refund = money(rf.Amount.Amount, rf.Amount.Currency)
			}
		}
		if rt.RestockingFee.Amount > 0 {
			v.Fee = money(rt.RestockingFee.Amount, cur)
		}
	}
	switch rt.ShippingPaidBy {
	case catalog.ReturnPaidByMerchant:
		v.PaidBy = l.T("console.returns.paid_by_you")
	case catalog.ReturnPaidByShopper:
		v.PaidBy = l.T("console.returns.paid_by_shopper")
	}
	return v
}

// returnInputLabels name the approval's inputs in the order service's
// problems: the messages' ids.
var returnInputLabels = map[string]string{
	"drop_off_code": "console.returns.code", "address": "console.returns.address", "label_url": "console.returns.label",
}

// stepText says who took a step of a return, and what it was, in l's
// language.
func stepText(l words, st order.ReturnStep) string {
	switch {
	case st.State == order.ReturnRequested:
		return l.T("console.returns.step_asked")
	case st.State == order.ReturnRefused && st.By == order.ByHome:
		return l.T("console.returns.step_refused_home")
	case st.State == order.ReturnRefused:
		return l.T("console.returns.step_refused")
	case st.State == order.ReturnApproved:
		return l.T("console.returns.step_approved")
	case st.State == order.ReturnReceived:
		return l.T("console.returns.step_received")
	}
	return st.State
}

// policyText says the return policy an approval states, in l's
// language: who pays the return's shipping and the restocking fee.
func policyText(l words, p catalog.Policies) string {
	who := l.T("console.returns.policy_shopper_pays")
	if p.ReturnShipping == catalog.ReturnPaidByMerchant {
		who = l.T("console.returns.policy_you_pay")
	}
	fee := l.T("console.returns.policy_no_fee")
	if p.RestockingFeeBPS > 0 {
		fee = l.T("console.returns.policy_fee", "Rate", web.FormatBPS(int64(p.RestockingFeeBPS)))
	}
	return l.T("console.returns.policy", "Who", who, "Fee", fee)
}
