package storefront

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/fedmart/fedmart/catalog"
	"github.com/fedmart/fedmart/federation/order"
	"github.com/fedmart/fedmart/node/web"
)

// maxQuantity is the most units of one SKU a cart line takes, as the
// order service allows.
const maxQuantity = 100

// cartView is a cart as the cart and checkout pages show it: its lines
// grouped by the platform that sells them, since each platform's group
// becomes a part of its own at checkout.
type cartView struct {
	ID     string // the order service's cart id
	Groups []cartGroupView
	Total  string
	Items  int64
}

// cartGroupView is the lines one platform sells.
type cartGroupView struct {
	Platform, PlatformID string
	Lines                []cartLineView
	Total                string
	// Note says what checkout found wrong with the whole group (its
	// platform did not answer).
	Note string
}

// cartLineView is one line of a cart.
type cartLineView struct {
	ListingID, SKU, Title, URL string
	Merchant                   string // who sells it, "" when unknown
	Quantity                   int64
	UnitPrice, Subtotal        string
	// Note says what checkout found wrong with the line (stock, price);
	// NoteID is its element id.
	Note, NoteID string
}

// cartPageView is what the cart template shows.
type cartPageView struct {
	Cart      cartView
	SignedOut bool
	SigninURL string
	SignupURL string
}

// cartView builds the view of a cart, naming platforms from the charter
// and each line's merchant from its listing.
func (sf *Storefront) cartView(ctx context.Context, c order.Cart) cartView {
	v := cartViewOf(c, sf.site.PlatformNames())
	known := map[string]string{}
	for gi := range v.Groups {
		for li := range v.Groups[gi].Lines {
			l := &v.Groups[gi].Lines[li]
			name, ok := known[l.ListingID]
			if !ok {
				if listing, err := sf.deps.Listings.Listing(ctx, l.ListingID); err == nil {
					name = sf.merchantName(ctx, listing)
				}
				known[l.ListingID] = name
			}
			l.Merchant = name
		}
	}
	return v
}

// cartViewOf builds the view of a cart, naming platforms from names.
func cartViewOf(c order.Cart, names map[string]string) cartView {
	v := cartView{ID: c.ID, Total: web.FormatMoney(c.Total.Amount, c.Total.Currency), Items: c.Items}
	for gi, g := range c.Groups {
		gv := cartGroupView{Platform: web.PlatformName(names, g.Platform), PlatformID: g.Platform,
			Total: web.FormatMoney(g.Total.Amount, g.Total.Currency)}
		for li, l := range g.Lines {
			gv.Lines = append(gv.Lines, cartLineView{ListingID: l.ListingID, SKU: l.SKU, Title: l.Title, URL: web.ListingURL(l.ListingID),
				Quantity: l.Quantity, UnitPrice: web.FormatMoney(l.UnitPrice.Amount, l.UnitPrice.Currency),
				Subtotal: web.FormatMoney(l.Subtotal.Amount, l.Subtotal.Currency), NoteID: fmt.Sprintf("line-%d-%d-note", gi, li)})
		}
		v.Groups = append(v.Groups, gv)
	}
	return v
}

// line returns the line of listingID's sku, or nil.
func (v *cartView) line(listingID, sku string) *cartLineView {
	for gi := range v.Groups {
		for li := range v.Groups[gi].Lines {
			if l := &v.Groups[gi].Lines[li]; l.ListingID == listingID && l.SKU == sku {
				return l
			}
		}
	}
	return nil
}

// currentCart returns the shopper's cart; without one (or when the one
// the session names is gone) it creates one when create is set, and
// answers an empty cart otherwise. A new cart's id is saved in the
// session.
func (sf *Storefront) currentCart(ctx context.Context, w http.ResponseWriter, sv shopperVisit, create bool) (order.Cart, error) {
	if id := sv.sess.Values[valueCart]; id != "" {
		c, err := sf.deps.Carts.GetCart(ctx, sv.shopper.ID, id)
		if !errors.Is(err, order.ErrNotFound) {
			return c, err
		}
	}
	if !create {
		return order.Cart{}, nil
	}
	c, err := sf.deps.Carts.CreateCart(ctx, sv.shopper.ID)
	if err != nil {
		return order.Cart{}, err
	}
	if sv.sess.Values == nil {
		sv.sess.Values = map[string]string{}
	}
	sv.sess.Values[valueCart] = c.ID
	return c, sf.sessions.Save(w, sv.sess)
}

// cartPage shows the cart, or to a visitor who is not signed in, how to
// sign in to fill one: GET /cart.
func (sf *Storefront) cartPage(w http.ResponseWriter, r *http.Request) {
	sv, ok, err := sf.shopperOf(w, r)
	if err != nil {
		sf.site.FailOrder(w, r, err)
		return
	}
	if !ok {
		v := cartPageView{SignedOut: true, SigninURL: shopperSigninURL("/cart"), SignupURL: withNext("/signup", "/cart")}
		sf.pages.Render(w, r, http.StatusOK, "cart", &web.Page{Title: "Your cart", NoIndex: true, Data: v})
		return
	}
	c, err := sf.currentCart(r.Context(), w, sv, false)
	if err != nil {
		sf.site.FailOrder(w, r, err)
		return
	}
	p := sf.shopperPage(sv, "Your cart", cartPageView{Cart: sf.cartView(r.Context(), c)})
	p.Notice = web.NoticeIn(r, shopperNotices)
	sf.pages.Render(w, r, http.StatusOK, "cart", p)
}

// addView is what the add-to-cart page shows, to confirm an item or
// because it could not be added: the listing's variants and the form with
// its problems.
type addView struct {
	ID, Title, URL string
	Variants       []variantView
	SKU            string // the variant chosen
	Form           *web.Form
}

// addToCart puts units of a listing's SKU into the shopper's cart:
// POST /cart/items. A visitor who is not signed in is sent to sign in and
// then back to the listing.
func (sf *Storefront) addToCart(w http.ResponseWriter, r *http.Request) {
	listingID, sku := r.PostForm.Get("listing"), strings.TrimSpace(r.PostForm.Get("sku"))
	sv, ok, err := sf.shopperOf(w, r)
	if err != nil {
		sf.site.FailOrder(w, r, err)
		return
	}
	if !ok {
		next := "/"
		if listingID != "" {
			next = web.ListingURL(listingID)
		}
		web.SeeOther(w, r, shopperSigninURL(next))
		return
	}
	f := web.NewForm()
	typed := strings.TrimSpace(r.PostForm.Get("quantity"))
	f.Set("quantity", typed)
	n, perr := strconv.ParseInt(typed, 10, 64)
	if perr != nil || n < 1 || n > maxQuantity {
		f.Add("quantity", fmt.Sprintf("Quantity must be a whole number from 1 to %d.", maxQuantity))
	}
	if sku == "" {
		f.Add("sku", "Choose a variant.")
	}
	if f.OK() {
		if err := sf.addItem(r.Context(), w, sv, f, order.ItemInput{ListingID: listingID, SKU: sku, Quantity: n}); err != nil {
			sf.site.FailOrder(w, r, err)
			return
		}
	}
	if f.OK() {
		web.SeeOther(w, r, "/cart?done=added")
		return
	}
	sf.addPage(w, r, sv, http.StatusUnprocessableEntity, listingID, sku, f)
}

// addItem adds in to the shopper's cart. What the shopper can correct
// goes into f: a quantity over the stock, a listing no longer there.
func (sf *Storefront) addItem(ctx context.Context, w http.ResponseWriter, sv shopperVisit, f *web.Form, in order.ItemInput) error {
	c, err := sf.currentCart(ctx, w, sv, true)
	if err != nil {
		return err
	}
	_, err = sf.deps.Carts.AddItem(ctx, sv.shopper.ID, c.ID, in)
	var ce *order.CheckoutError
	switch {
	case errors.As(err, &ce) && len(ce.Shortages) > 0:
		s := ce.Shortages[0]
		f.Add("quantity", shortageText(s.Available, s.Wanted, s.Wanted-in.Quantity))
	case addFieldErrors(f, err, map[string]string{"quantity": "Quantity", "sku": "Variant"}):
	default:
		return err
	}
	return nil
}

// shortageText says how many of a SKU are left, when the shopper wanted
// more; inCart is how many of the wanted units the cart already held.
func shortageText(available, wanted, inCart int64) string {
	switch {
	case available <= 0:
		return "This item is out of stock."
	case inCart > 0:
		return fmt.Sprintf("Only %d available, and your cart already holds %d.", available, inCart)
	}
	return fmt.Sprintf("Only %d available; you asked for %d.", available, wanted)
}

// addForm asks a signed-in shopper to confirm adding a listing's SKU:
// GET /cart/add?listing=&sku=&quantity=. A listing page that carries no
// CSRF token (it starts no session) sends its add-to-cart form here;
// anyone not signed in is sent to sign in and back to the listing.
func (sf *Storefront) addForm(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	listingID := q.Get("listing")
	sv, ok, err := sf.shopperOf(w, r)
	if err != nil {
		sf.site.FailOrder(w, r, err)
		return
	}
	if !ok {
		web.SeeOther(w, r, shopperSigninURL(web.ListingURL(listingID)))
		return
	}
	f := web.NewForm()
	f.Set("quantity", "1")
	if n := strings.TrimSpace(q.Get("quantity")); n != "" {
		f.Set("quantity", n)
	}
	sf.addPage(w, r, sv, http.StatusOK, listingID, q.Get("sku"), f)
}

// addPage shows the add-to-cart form, with its problems if any.
func (sf *Storefront) addPage(w http.ResponseWriter, r *http.Request, sv shopperVisit, status int, listingID, sku string, f *web.Form) {
	l, err := sf.deps.Listings.Listing(r.Context(), listingID)
	if errors.Is(err, catalog.ErrInvalid) || errors.Is(err, catalog.ErrNotFound) {
		sf.site.NotFound(w, r)
		return
	}
	if err != nil {
		sf.site.Fail(w, r, err)
		return
	}
	lv := listingView(l, sf.site.PlatformNames())
	v := addView{ID: l.ID, Title: l.Title, URL: web.ListingURL(l.ID), Variants: lv.Variants, SKU: sku, Form: f}
	sf.pages.Render(w, r, status, "shopper_add", sf.shopperPage(sv, "Add to cart", v))
}

// setQuantity changes how many units of a line the cart holds:
// POST /cart/quantity. More than the stock is said next to the line.
func (sf *Storefront) setQuantity(w http.ResponseWriter, r *http.Request, sv shopperVisit) {
	id := sv.sess.Values[valueCart]
	if id == "" {
		web.SeeOther(w, r, "/cart")
		return
	}
	in := order.ItemInput{ListingID: r.PostForm.Get("listing"), SKU: r.PostForm.Get("sku")}
	n, err := strconv.ParseInt(strings.TrimSpace(r.PostForm.Get("quantity")), 10, 64)
	note := ""
	switch {
	case err != nil || n < 1 || n > 100:
		note = "Enter a quantity from 1 to 100; Remove takes the item out."
	default:
		in.Quantity = n
		_, err = sf.deps.Carts.SetQuantity(r.Context(), sv.shopper.ID, id, in)
		var ce *order.CheckoutError
		switch {
		case errors.As(err, &ce) && len(ce.Shortages) > 0:
			note = shortageText(ce.Shortages[0].Available, n, 0)
		case errors.Is(err, order.ErrNotFound):
			web.SeeOther(w, r, "/cart")
			return
		case err != nil:
			sf.site.FailOrder(w, r, err)
			return
		}
	}
	if note == "" {
		web.SeeOther(w, r, "/cart?done=updated")
		return
	}
	c, err := sf.currentCart(r.Context(), w, sv, false)
	if err != nil {
		sf.site.FailOrder(w, r, err)
		return
	}
	v := cartPageView{Cart: sf.cartView(r.Context(), c)}
	if l := v.Cart.line(in.ListingID, in.SKU); l != nil {
		l.Note = note
	}
	sf.pages.Render(w, r, http.StatusUnprocessableEntity, "cart", sf.shopperPage(sv, "Your cart", v))
}

// removeFromCart takes a line out of the cart: POST /cart/remove. A line
// already gone is not an error.
func (sf *Storefront) removeFromCart(w http.ResponseWriter, r *http.Request, sv shopperVisit) {
	id := sv.sess.Values[valueCart]
	if id == "" {
		web.SeeOther(w, r, "/cart")
		return
	}
	_, err := sf.deps.Carts.RemoveItem(r.Context(), sv.shopper.ID, id, r.PostForm.Get("sku"), r.PostForm.Get("listing"))
	if err != nil && !errors.Is(err, order.ErrNotFound) {
		sf.site.FailOrder(w, r, err)
		return
	}
	web.SeeOther(w, r, "/cart?done=removed")
}
