package console

import (
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/fedmart/fedmart/catalog"
	"github.com/fedmart/fedmart/node/web/webtest"
)

// reviewBulkOf posts the bulk form of the listings page at list with ids
// ticked, op and amount.
func reviewBulkOf(b *webtest.Browser, list, op, amount string, ids ...string) webtest.Response {
	b.T.Helper()
	page := b.Get(list)
	form := url.Values{"csrf": {webtest.CSRF(b.T, page)}, "op": {op}, "amount": {amount}, "id": ids}
	for _, m := range regexp.MustCompile(`(?s)<form method="post" action="/merchant/bulk" id="bulk".*?</form>`).FindAllString(page.Body, 1) {
		for k, v := range hiddenOf(m) {
			if k != "csrf" {
				form[k] = v
			}
		}
	}
	return b.Post("/merchant/bulk", form)
}

// hiddenOf reads the hidden inputs of an HTML fragment, in order.
func hiddenOf(html string) url.Values {
	v := url.Values{}
	for _, m := range regexp.MustCompile(`<input type="hidden" name="([^"]+)" value="([^"]*)">`).FindAllStringSubmatch(html, -1) {
		v.Add(m[1], webtest.UnescapeHTML(m[2]))
	}
	return v
}

// applyForm is the review page's apply form, as the browser would post it.
func applyForm(t *testing.T, review webtest.Response) url.Values {
	t.Helper()
	m := regexp.MustCompile(`(?s)<form method="post" action="/merchant/bulk/apply" class="bulk-apply">.*?</form>`).FindString(review.Body)
	if m == "" {
		t.Fatalf("the review has no apply form:\n%s", review.Body)
	}
	return hiddenOf(m)
}

// rowOfBulk is the review's row of a listing titled title.
func rowOfBulk(body, title string) string {
	return regexp.MustCompile(`(?s)<tr class="bulk-listing[^"]*">\s*<th scope="row"><a href="[^"]+">` + regexp.QuoteMeta(title) + `</a>.*?</tr>`).FindString(body)
}

func stockOf(t *testing.T, h *harness, id string) int64 {
	t.Helper()
	l, err := h.Self.Cat.Listing(t.Context(), id)
	if err != nil {
		t.Fatal(err)
	}
	return l.Variants[0].Stock
}

func TestBulkStockChangeIsReviewedThenApplied(t *testing.T) {
	h := newHarness(t)
	a := h.List(webtest.Input("Mug A", "Clay", "Home", 1999, 5))
	c := h.List(webtest.Input("Mug C", "Clay", "Home", 1999, 2))
	b := h.browser()
	b.SignInMerchant(h.Token)
	// Taking 3 units: Mug C has 2. The review says so next to its row and
	// offers no way to apply.
	r := reviewBulkOf(b, "/merchant?q=mug", "take_stock", "3", a.ID, c.ID)
	webtest.WantStatus(t, r, http.StatusOK)
	if !strings.Contains(r.Body, `<strong>Take 3 units from the stock of every variant</strong> of 2 listings.`) {
		t.Error("the review does not say what the change is")
	}
	if row := rowOfBulk(r.Body, "Mug A"); !strings.Contains(row, `<li class="changed">`) || !strings.Contains(row, "5 <span aria-hidden=\"true\">→</span><span class=\"visually-hidden\"> becomes</span> <strong>2</strong>") {
		t.Errorf("Mug A's row:\n%s", row)
	}
	if row := rowOfBulk(r.Body, "Mug C"); !strings.Contains(row, `<li class="invalid">`) || !strings.Contains(row, `<p class="field-error">Only 2 in stock, so 3 cannot be taken.</p>`) {
		t.Errorf("Mug C's row does not say why:\n%s", row)
	}
	if strings.Contains(r.Body, `id="apply-bulk"`) || !strings.Contains(r.Body, "Nothing will be changed") {
		t.Error("a change with a problem can be applied")
	}
	if !strings.Contains(r.Body, `<a href="/merchant?q=mug">Back to your listings</a>`) {
		t.Error("the review does not lead back to the filtered table")
	}
	// Adding 4 units: reviewed, then applied.
	r = reviewBulkOf(b, "/merchant?q=mug", "add_stock", "4", a.ID, c.ID)
	if !strings.Contains(r.Body, `<button type="submit" id="apply-bulk">Apply 2 changes</button>`) {
		t.Fatalf("the review of adding 4 units:\n%s", r.Body)
	}
	if stockOf(t, h, a.ID) != 5 {
		t.Fatal("the review changed the stock")
	}
	applied := b.Post("/merchant/bulk/apply", applyForm(t, r))
	webtest.WantRedirect(t, applied, "/merchant?done=bulk&q=mug")
	if stockOf(t, h, a.ID) != 9 || stockOf(t, h, c.ID) != 6 {
		t.Errorf("after adding 4: %d and %d units", stockOf(t, h, a.ID), stockOf(t, h, c.ID))
	}
	webtest.WantText(t, b.Get("/merchant?done=bulk&q=mug"), inEnglish(t, notices["bulk"]))
}

// A row that fails when the change is applied (an order took the units
// meanwhile) refuses the whole change: nothing is written, and the
// review shows again with the problem next to the row.
func TestBulkChangeWithAFailingRowChangesNothing(t *testing.T) {
	h := newHarness(t)
	a := h.List(webtest.Input("Mug A", "Clay", "Home", 1999, 5))
	c := h.List(webtest.Input("Mug C", "Clay", "Home", 1999, 2))
	b := h.browser()
	b.SignInMerchant(h.Token)
	r := reviewBulkOf(b, "/merchant", "take_stock", "2", a.ID, c.ID)
	form := applyForm(t, r)
	h.buy(1, c) // a shopper takes one of Mug C's two
	refused := b.Post("/merchant/bulk/apply", form)
	webtest.WantStatus(t, refused, http.StatusUnprocessableEntity)
	if !strings.Contains(refused.Body, "Nothing was changed") ||
		!strings.Contains(rowOfBulk(refused.Body, "Mug C"), `<p class="field-error">Only 1 in stock, so 2 cannot be taken.</p>`) {
		t.Errorf("the refusal does not say why next to the row:\n%s", refused.Body)
	}
	if stockOf(t, h, a.ID) != 5 {
		t.Errorf("Mug A changed though the change was refused: %d units", stockOf(t, h, a.ID))
	}
	// A description changed since the review refuses the change too.
	r = reviewBulkOf(b, "/merchant", "set_price", "10", a.ID)
	form = applyForm(t, r)
	in := webtest.Input("Mug A, glazed", "Clay", "Home", 1999, 5)
	in.Variants[0].SKU = a.Variants[0].SKU
	if _, err := h.Self.Cat.ReplaceListing(t.Context(), h.Merchant.ID, a.ID, in); err != nil {
		t.Fatal(err)
	}
	refused = b.Post("/merchant/bulk/apply", form)
	webtest.WantStatus(t, refused, http.StatusUnprocessableEntity)
	webtest.WantText(t, refused, "Was changed since you reviewed it; review the change again.")
	if l, _ := h.Self.Cat.Listing(t.Context(), a.ID); l.Variants[0].Price.Amount != 1999 {
		t.Errorf("a change reviewed on an older version was applied: %+v", l.Variants[0].Price)
	}
}

func TestBulkPriceChanges(t *testing.T) {
	h := newHarness(t)
	a := h.List(webtest.Input("Mug A", "Clay", "Home", 1999, 5))
	c := h.List(webtest.Input("Mug C", "Clay", "Home", 2500, 2))
	b := h.browser()
	b.SignInMerchant(h.Token)
	cases := []struct {
		op, amount, heading string
		a, c                int64
	}{
		{"raise_price", "10", "Raise the price of every variant by 10%", 2199, 2750},
		{"lower_price", "12.5", "Lower the price of every variant by 12.5%", 1924, 2406}, // 1924.125, 2406.25
		{"set_price", "9.90", "Set the price of every variant to €9.90", 990, 990},
	}
	for _, cs := range cases {
		r := reviewBulkOf(b, "/merchant", cs.op, cs.amount, a.ID, c.ID)
		webtest.WantText(t, r, cs.heading)
		webtest.WantRedirect(t, b.Post("/merchant/bulk/apply", applyForm(t, r)), "/merchant?done=bulk")
		la, _ := h.Self.Cat.Listing(t.Context(), a.ID)
		lc, _ := h.Self.Cat.Listing(t.Context(), c.ID)
		if la.Variants[0].Price.Amount != cs.a || lc.Variants[0].Price.Amount != cs.c {
			t.Errorf("%s %s: prices %d and %d, want %d and %d", cs.op, cs.amount, la.Variants[0].Price.Amount, lc.Variants[0].Price.Amount, cs.a, cs.c)
		}
		a, c = la, lc
	}
}

func TestBulkFormProblems(t *testing.T) {
	h := newHarness(t)
	a := h.List(webtest.Input("Mug A", "Clay", "Home", 1999, 5))
	other, _, err := h.Self.Cat.CreateMerchant(t.Context(), "Other shop")
	if err != nil {
		t.Fatal(err)
	}
	theirs, err := h.Self.Cat.CreateListing(t.Context(), other.ID, webtest.Input("Their mug", "Clay", "Home", 1999, 5))
	if err != nil {
		t.Fatal(err)
	}
	b := h.browser()
	b.SignInMerchant(h.Token)
	cases := []struct {
		name, op, amount, input, want string
		ids                           []string
	}{
		{"nothing ticked", "add_stock", "3", "", "Tick the listings to change first: the box before each title.", nil},
		{"no amount", "add_stock", "", "amount", "Enter the amount.", []string{a.ID}},
		{"not a number", "add_stock", "three", "amount", "Enter a whole number of units, such as 12.", []string{a.ID}},
		{"adding nothing", "add_stock", "0", "amount", "Enter how many units, 1 or more.", []string{a.ID}},
		{"a price of nothing", "set_price", "0", "amount", "Price must be more than zero.", []string{a.ID}},
		{"a price in cents", "set_price", "9.999", "amount", "Price has more decimals than the currency allows.", []string{a.ID}},
		{"lowering by all", "lower_price", "100", "amount", "A price can be lowered by less than 100%.", []string{a.ID}},
		{"a rise too far", "raise_price", "1000.01", "amount", "A price can be raised by 1000% at most.", []string{a.ID}},
		{"an unknown change", "double", "2", "op", "Choose what to change.", []string{a.ID}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := reviewBulkOf(b, "/merchant", c.op, c.amount, c.ids...)
			webtest.WantStatus(t, r, http.StatusUnprocessableEntity)
			if c.input != "" {
				webtest.HasFieldError(t, r.Body, c.input, c.want)
			} else {
				webtest.WantText(t, r, c.want)
			}
			for _, id := range c.ids {
				if !strings.Contains(r.Body, `value="`+id+`" id="pick-0" checked>`) {
					t.Error("the ticked listing is no longer ticked")
				}
			}
		})
	}
	// Another merchant's listing, named in a forged form: a problem of the
	// review, never a change.
	r := reviewBulkOf(b, "/merchant", "set_stock", "0", a.ID, theirs.ID)
	webtest.WantStatus(t, r, http.StatusOK)
	if strings.Contains(r.Body, `id="apply-bulk"`) || !strings.Contains(r.Body, "Is not one of your live listings") || strings.Contains(r.Body, "Their mug") {
		t.Errorf("the review of another merchant's listing:\n%s", r.Body)
	}
	form := applyForm(t, r)
	form.Set("csrf", webtest.CSRF(t, r))
	webtest.WantStatus(t, b.Post("/merchant/bulk/apply", form), http.StatusUnprocessableEntity)
	if l, _ := h.Self.Cat.Listing(t.Context(), theirs.ID); l.Variants[0].Stock != 5 {
		t.Error("a bulk change reached another merchant's listing")
	}
	// More listings than a change may name.
	many := make([]string, catalog.MaxBulkListings+1)
	for i := range many {
		many[i] = fmt.Sprintf("%s%d", a.ID, i)
	}
	webtest.WantStatus(t, reviewBulkOf(b, "/merchant", "set_stock", "1", many...), http.StatusUnprocessableEntity)
}
