package storefront

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
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
	ID     string // the order service's cart id; "" for a guest cart
	Groups []cartGroupView
	Total  string
	Items  int64
	// Discount is what merchants' offers take off the items, "" for none.
	Discount string
	// Ship is where the cart ships, its totals with shipping and the
	// selector.
	Ship *shipView
}

// cartGroupView is the lines one platform sells.
type cartGroupView struct {
	Platform, PlatformID string
	Lines                []cartLineView
	Total                string
	// Note says what checkout found wrong with the whole group (its
	// platform did not answer).
	Note string
	// Parts are the shipping of each merchant's lines, once the cart
	// has a destination.
	Parts []partShipView
}

// cartLineView is one line of a cart. SKU and ListingID identify the
// line to the forms; the shopper reads Title and Options.
type cartLineView struct {
	ListingID, SKU, Title, URL string
	Options                    string // "Size: 20 cm"; "" for a listing of one variant
	Image                      string // the listing's first picture, "" for none
	Merchant                   string // who sells it, "" when unknown
	MerchantID                 string
	Quantity                   int64
	UnitPrice, Subtotal        string
	// OfferLabel names the merchant's offer that discounts the line
	// ("−15 %", "buy 2 get 1") and Discount what it takes off; "" for none.
	OfferLabel, Discount string
	// Note says what checkout found wrong with the line (stock, price);
	// NoteID is its element id.
	Note, NoteID string
	// NoShip says that the line does not ship where the cart does.
	NoShip string
	amount int64 // the subtotal, in minor units
}

// cartPageView is what the cart template shows.
type cartPageView struct {
	Cart cartView
	// Guest is true for a visitor who has not signed in: the cart is in
	// the browser, and checkout asks to sign in (or, when the storefront
	// allows it, for an e-mail address).
	Guest bool
}

// cartView builds the view of a cart, naming platforms from the charter
// and each line's merchant, options and picture from its listing.
func (sf *Storefront) cartView(ctx context.Context, c order.Cart) cartView {
	if c.ShipTo != nil && c.Shipping == nil && c.ID != "" && len(c.Lines) > 0 { // LatestCart answers unquoted
		if quoted, err := sf.deps.Carts.GetCart(ctx, c.Shopper, c.ID); err == nil {
			c = quoted
		}
	}
	v := sf.cartViewOf(ctx, c, sf.site.PlatformNames())
	listings := map[string]*catalog.Listing{}
	for gi := range v.Groups {
		for li := range v.Groups[gi].Lines {
			l := &v.Groups[gi].Lines[li]
			listing, ok := listings[l.ListingID]
			if !ok {
				if found, err := sf.deps.Listings.Listing(ctx, l.ListingID); err == nil {
					found.MerchantName = sf.merchantName(ctx, found)
					listing = &found
				}
				listings[l.ListingID] = listing
			}
			if listing == nil {
				continue
			}
			l.Merchant, l.Image = listing.MerchantName, firstImage(listing.Images, web.ImageThumb)
			if t, ok := listing.Translations[sf.site.LocaleIn(ctx).Tag]; ok {
				l.Title = t.Title // as the listing page names it for this shopper
			}
			if i := slices.IndexFunc(listing.Variants, func(v catalog.Variant) bool { return v.SKU == l.SKU }); i >= 0 && len(listing.Variants) > 1 {
				l.Options = optionsText(listing.Variants[i].Options)
			}
		}
	}
	sf.shippingView(ctx, &v, c, listings)
	return v
}

// cartViewOf builds the view of a cart, naming platforms from names, its
// prices in the language of ctx's request.
func (sf *Storefront) cartViewOf(ctx context.Context, c order.Cart, names map[string]string) cartView {
	v := cartView{ID: c.ID, Total: sf.site.MoneyIn(ctx, c.Total.Amount, c.Total.Currency), Items: c.Items}
	if c.Discount.Amount > 0 {
		v.Discount = sf.site.MoneyIn(ctx, c.Discount.Amount, c.Discount.Currency)
	}
	for gi, g := range c.Groups {
		gv := cartGroupView{Platform: web.PlatformName(names, g.Platform), PlatformID: g.Platform,
			Total: sf.site.MoneyIn(ctx, g.Total.Amount, g.Total.Currency)}
		for li, l := range g.Lines {
			gv.Lines = append(gv.Lines, cartLineView{ListingID: l.ListingID, SKU: l.SKU, Title: l.Title, URL: web.ListingURL(l.ListingID),
				MerchantID: l.Merchant, Quantity: l.Quantity, amount: l.Subtotal.Amount, UnitPrice: sf.site.MoneyIn(ctx, l.UnitPrice.Amount, l.UnitPrice.Currency),
				Subtotal: sf.site.MoneyIn(ctx, l.Subtotal.Amount, l.Subtotal.Currency), NoteID: fmt.Sprintf("line-%d-%d-note", gi, li)})
			if l.Discount.Amount > 0 {
				n := len(gv.Lines) - 1
				gv.Lines[n].OfferLabel, gv.Lines[n].Discount = l.OfferLabel, sf.site.MoneyIn(ctx, l.Discount.Amount, l.Discount.Currency)
			}
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

// currentCart returns the shopper's cart: the one the session names, or
// else the account's latest (left on another visit); without one it
// creates one when create is set, and answers an empty cart otherwise.
// A cart newly found or made is saved in the session.
func (sf *Storefront) currentCart(ctx context.Context, w http.ResponseWriter, sv shopperVisit, create bool) (order.Cart, error) {
	if id := sv.sess.Values[valueCart]; id != "" {
		c, err := sf.deps.Carts.GetCart(ctx, sv.shopper.ID, id)
		if !errors.Is(err, order.ErrNotFound) {
			return c, err
		}
	}
	c, err := sf.deps.Carts.LatestCart(ctx, sv.shopper.ID)
	switch {
	case errors.Is(err, order.ErrNotFound) && !create:
		return order.Cart{}, nil
	case errors.Is(err, order.ErrNotFound):
		c, err = sf.deps.Carts.CreateCart(ctx, sv.shopper.ID)
		if dest, ok := sessionShipTo(sv.sess); ok && err == nil { // chosen before this cart was made
			c, err = sf.deps.Carts.SetShipTo(ctx, sv.shopper.ID, c.ID, dest)
		}
	}
	if err != nil {
		return order.Cart{}, err
	}
	if sv.sess.Values == nil {
		sv.sess.Values = map[string]string{}
	}
	sv.sess.Values[valueCart] = c.ID
	return c, sf.sessions.Save(w, sv.sess)
}

// guestPage is a page of a visitor who has not signed in, with a session
// for its forms; never cached.
func (sf *Storefront) guestPage(w http.ResponseWriter, r *http.Request, title string, data any) *web.Page {
	return sf.site.WithSession(w, r, &web.Page{Title: title, NoIndex: true, Data: data})
}

// cartPage shows the cart, a signed-in shopper's or a guest's: GET /cart.
func (sf *Storefront) cartPage(w http.ResponseWriter, r *http.Request) {
	sv, ok, err := sf.shopperOf(w, r)
	if err != nil {
		sf.site.FailOrder(w, r, err)
		return
	}
	v, err := sf.cartPageOf(w, r, sv, ok)
	if err != nil {
		sf.site.FailOrder(w, r, err)
		return
	}
	p := sf.guestPage(w, r, sf.site.T(r, "cart.title"), v)
	if ok {
		p = sf.shopperPage(sv, sf.site.T(r, "cart.title"), v)
	}
	p.Notice = sf.noticeOf(r)
	sf.render(w, r, http.StatusOK, "cart", p)
}

// cartPageOf is the view of the visitor's cart, a signed-in shopper's or
// a guest's.
func (sf *Storefront) cartPageOf(w http.ResponseWriter, r *http.Request, sv shopperVisit, signedIn bool) (cartPageView, error) {
	var c order.Cart
	var err error
	if signedIn {
		c, err = sf.currentCart(r.Context(), w, sv, false)
	} else {
		c, err = sf.guestCart(r.Context(), sv.sess)
	}
	if err != nil {
		return cartPageView{}, err
	}
	return cartPageView{Cart: sf.cartView(r.Context(), c), Guest: !signedIn}, nil
}

// addView is what the add-to-cart page shows, to confirm an item or
// because it could not be added: the listing's option buttons and the
// form with its problems.
type addView struct {
	ID, Title, URL string
	Picker         picker
	Form           *web.Form
}

// addToCart puts units of a listing's variant into the cart, a signed-in
// shopper's or a guest's: POST /cart/items. The variant is the one the
// option buttons chose, or the posted SKU.
func (sf *Storefront) addToCart(w http.ResponseWriter, r *http.Request) {
	sv, signedIn, err := sf.shopperOf(w, r)
	if err != nil {
		sf.site.FailOrder(w, r, err)
		return
	}
	l, ok := sf.listingToAdd(w, r, r.PostForm.Get("listing"))
	if !ok {
		return
	}
	f, sp := web.NewForm(), sf.speechOf(r)
	typed := strings.TrimSpace(r.PostForm.Get("quantity"))
	f.Set("quantity", typed)
	n, perr := strconv.ParseInt(typed, 10, 64)
	if perr != nil || n < 1 || n > maxQuantity {
		f.Add("quantity", sp.t("refusal.quantity_range", "Max", maxQuantity))
	}
	v, chosen := chooseVariant(l, r.PostForm)
	if !chosen {
		f.Add("sku", variantPrompt(l))
	}
	if f.OK() && signedIn {
		title, _ := l.Translated(sp.tag)
		if err := sf.addItem(r.Context(), w, sv, f, title, order.ItemInput{ListingID: l.ID, SKU: v.SKU, Quantity: n}); err != nil {
			sf.site.FailOrder(w, r, err)
			return
		}
	} else if f.OK() {
		sess := sv.sess // the CSRF check lets no POST in without one
		if addGuestLine(sp, sess, l, v, n, f); f.OK() {
			if err := sf.sessions.Save(w, sess); err != nil {
				sf.site.Fail(w, r, err)
				return
			}
		}
	}
	if f.OK() {
		web.SeeOther(w, r, "/cart?done=added")
		return
	}
	sf.addPage(w, r, sv, signedIn, http.StatusUnprocessableEntity, l, v.SKU, f)
}

// listingToAdd reads the listing an add-to-cart form names; a listing
// gone or never there answers "not found" and false.
func (sf *Storefront) listingToAdd(w http.ResponseWriter, r *http.Request, id string) (catalog.Listing, bool) {
	l, err := sf.deps.Listings.Listing(r.Context(), id)
	if errors.Is(err, catalog.ErrInvalid) || errors.Is(err, catalog.ErrNotFound) {
		sf.site.NotFound(w, r)
		return l, false
	}
	if err != nil {
		sf.site.Fail(w, r, err)
		return l, false
	}
	return l, true
}

// addItem adds in, the listing titled title, to the shopper's cart. What
// the shopper can correct goes into f: a quantity over the stock, a
// listing no longer there, one that does not ship where the cart goes.
func (sf *Storefront) addItem(ctx context.Context, w http.ResponseWriter, sv shopperVisit, f *web.Form, title string, in order.ItemInput) error {
	c, err := sf.currentCart(ctx, w, sv, true)
	if err != nil {
		return err
	}
	_, err = sf.deps.Carts.AddItem(ctx, sv.shopper.ID, c.ID, in)
	sp := sf.speechIn(ctx)
	var ce *order.CheckoutError
	switch {
	case errors.As(err, &ce) && len(ce.Shortages) > 0:
		s := ce.Shortages[0]
		f.Add("quantity", sp.shortage(s.Available, s.Wanted, s.Wanted-in.Quantity))
	case sp.notShippableAdd(f, err, title, c.ShipTo):
	case addFieldErrors(sp, f, err, itemLabels):
	default:
		return err
	}
	return nil
}

// addForm asks to confirm adding a listing's variant, to a shopper's cart
// or a guest's: GET /cart/add?listing=&sku=&quantity=, the add-to-cart
// form of a listing page shown without a session (a browser that keeps
// no cookies, or a copied page).
func (sf *Storefront) addForm(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	sv, signedIn, err := sf.shopperOf(w, r)
	if err != nil {
		sf.site.FailOrder(w, r, err)
		return
	}
	l, ok := sf.listingToAdd(w, r, q.Get("listing"))
	if !ok {
		return
	}
	f := web.NewForm()
	f.Set("quantity", "1")
	if n := strings.TrimSpace(q.Get("quantity")); n != "" {
		f.Set("quantity", n)
	}
	sku := ""
	if v, ok := chooseVariant(l, q); ok {
		sku = v.SKU
	}
	sf.addPage(w, r, sv, signedIn, http.StatusOK, l, sku, f)
}

// addPage shows the add-to-cart form for l with sku chosen, with its
// problems if any.
func (sf *Storefront) addPage(w http.ResponseWriter, r *http.Request, sv shopperVisit, signedIn bool, status int, l catalog.Listing, sku string, f *web.Form) {
	v := addView{ID: l.ID, Title: l.Title, URL: web.ListingURL(l.ID), Picker: newPicker(l, sku, sf.speechOf(r)), Form: f}
	p := sf.guestPage(w, r, "Add to cart", v)
	if signedIn {
		p = sf.shopperPage(sv, "Add to cart", v)
	}
	sf.render(w, r, status, "shopper_add", p)
}

// lineInput reads the line a cart form names.
func lineInput(r *http.Request) order.ItemInput {
	return order.ItemInput{ListingID: r.PostForm.Get("listing"), SKU: r.PostForm.Get("sku")}
}

// setQuantity changes how many units of a line the cart holds:
// POST /cart/quantity. More than the stock is said next to the line.
func (sf *Storefront) setQuantity(w http.ResponseWriter, r *http.Request) {
	sv, signedIn, err := sf.shopperOf(w, r)
	if err != nil {
		sf.site.FailOrder(w, r, err)
		return
	}
	in := lineInput(r)
	n, err := strconv.ParseInt(strings.TrimSpace(r.PostForm.Get("quantity")), 10, 64)
	note := ""
	switch {
	case err != nil || n < 1 || n > maxQuantity:
		note = sf.site.T(r, "refusal.quantity_note", "Max", maxQuantity)
	case signedIn:
		in.Quantity = n
		if note, err = sf.setShopperQuantity(r.Context(), sv, in); err != nil {
			sf.site.FailOrder(w, r, err)
			return
		}
	default:
		in.Quantity = n
		if note, err = sf.setGuestQuantity(w, r, sv.sess, in); err != nil {
			sf.site.Fail(w, r, err)
			return
		}
	}
	if note == "" {
		web.SeeOther(w, r, "/cart?done=updated")
		return
	}
	sf.cartWithNote(w, r, sv, signedIn, in, note)
}

// setShopperQuantity sets a line of the shopper's cart; a quantity over
// the stock is the note returned.
func (sf *Storefront) setShopperQuantity(ctx context.Context, sv shopperVisit, in order.ItemInput) (string, error) {
	id := sv.sess.Values[valueCart]
	if id == "" {
		return "", nil
	}
	_, err := sf.deps.Carts.SetQuantity(ctx, sv.shopper.ID, id, in)
	var ce *order.CheckoutError
	switch {
	case errors.As(err, &ce) && len(ce.Shortages) > 0:
		return sf.speechIn(ctx).shortage(ce.Shortages[0].Available, in.Quantity, 0), nil
	case errors.Is(err, order.ErrNotFound):
		return "", nil
	}
	return "", err
}

// setGuestQuantity sets a line of the guest's cart, checking the stock
// the catalog shows; a quantity over it is the note returned.
func (sf *Storefront) setGuestQuantity(w http.ResponseWriter, r *http.Request, sess *web.Session, in order.ItemInput) (string, error) {
	lines := guestLines(sess)
	i := slices.IndexFunc(lines, func(gl guestLine) bool { return gl.ListingID == in.ListingID && gl.SKU == in.SKU })
	if i < 0 {
		return "", nil
	}
	l, err := sf.deps.Listings.Listing(r.Context(), in.ListingID)
	if err != nil && !errors.Is(err, catalog.ErrNotFound) {
		return "", err
	}
	stock := int64(0)
	if v := slices.IndexFunc(l.Variants, func(v catalog.Variant) bool { return v.SKU == in.SKU }); v >= 0 {
		stock = l.Variants[v].Stock
	}
	if in.Quantity > stock {
		return sf.speechOf(r).shortage(stock, in.Quantity, 0), nil
	}
	lines[i].Quantity = in.Quantity
	setGuestLines(sess, lines)
	return "", sf.sessions.Save(w, sess)
}

// cartWithNote shows the cart again with note next to the line of in.
func (sf *Storefront) cartWithNote(w http.ResponseWriter, r *http.Request, sv shopperVisit, signedIn bool, in order.ItemInput, note string) {
	v, err := sf.cartPageOf(w, r, sv, signedIn)
	if err != nil {
		sf.site.FailOrder(w, r, err)
		return
	}
	if l := v.Cart.line(in.ListingID, in.SKU); l != nil {
		l.Note = note
	}
	p := sf.guestPage(w, r, sf.site.T(r, "cart.title"), v)
	if signedIn {
		p = sf.shopperPage(sv, sf.site.T(r, "cart.title"), v)
	}
	sf.render(w, r, http.StatusUnprocessableEntity, "cart", p)
}

// removeFromCart takes a line out of the cart: POST /cart/remove. A line
// already gone is not an error.
func (sf *Storefront) removeFromCart(w http.ResponseWriter, r *http.Request) {
	sv, signedIn, err := sf.shopperOf(w, r)
	if err != nil {
		sf.site.FailOrder(w, r, err)
		return
	}
	in := lineInput(r)
	switch id := ""; {
	case signedIn:
		if id = sv.sess.Values[valueCart]; id == "" {
			break
		}
		_, err = sf.deps.Carts.RemoveItem(r.Context(), sv.shopper.ID, id, in.SKU, in.ListingID)
	default:
		lines := slices.DeleteFunc(guestLines(sv.sess), func(gl guestLine) bool { return gl.ListingID == in.ListingID && gl.SKU == in.SKU })
		setGuestLines(sv.sess, lines)
		err = sf.sessions.Save(w, sv.sess)
	}
	if err != nil && !errors.Is(err, order.ErrNotFound) {
		sf.site.FailOrder(w, r, err)
		return
	}
	web.SeeOther(w, r, "/cart?done=removed")
}
