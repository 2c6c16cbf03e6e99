package storefront

import (
	"cmp"
	"context"
	"errors"
	"slices"
	"strconv"
	"strings"

	"github.com/fedmart/fedmart/catalog"
	"github.com/fedmart/fedmart/federation/order"
	"github.com/fedmart/fedmart/node/web"
)

// A visitor who has not signed in fills a guest cart. Its lines (listing,
// SKU, quantity) live in the visitor's session cookie, which the kit
// signs, and nowhere on the node: a stranger costs no storage and needs
// no budget, and no line can be forged or changed, since a cookie that
// does not carry the node's signature is no session at all. Titles,
// prices and stock are read from the catalog whenever the cart is shown,
// so a guest always sees what checkout would charge. At sign-in or
// sign-up the lines go into the account's latest cart (Carts.LatestCart,
// a new one when it has none) and leave the cookie. A guest cart holds
// at most maxGuestLines lines, so that the cookie stays under the 4 KiB
// browsers keep whatever the lengths of ids and SKUs.

// valueGuest is the key of Session.Values that holds a guest's lines.
const valueGuest = "guest"

// maxGuestLines is the most lines a guest cart holds.
const maxGuestLines = 15

// msgGuestFull is the message a guest is told past maxGuestLines.
const msgGuestFull = "refusal.guest_full"

// guestLine is one line of a guest cart.
type guestLine struct {
	ListingID, SKU string
	Quantity       int64
}

// guestLines reads the guest cart of sess: lines "quantity listing sku"
// joined by "|". The cookie is signed, so only this node wrote it; a line
// that does not read is dropped all the same.
func guestLines(sess *web.Session) []guestLine {
	if sess == nil || sess.Values[valueGuest] == "" {
		return nil
	}
	var out []guestLine
	for _, raw := range strings.Split(sess.Values[valueGuest], "|") {
		f := strings.Fields(raw)
		if len(f) != 3 {
			continue
		}
		n, err := strconv.ParseInt(f[0], 10, 64)
		if err != nil || n < 1 || n > maxQuantity {
			continue
		}
		out = append(out, guestLine{ListingID: f[1], SKU: f[2], Quantity: n})
	}
	return out
}

// setGuestLines writes lines into sess; none clears the guest cart.
func setGuestLines(sess *web.Session, lines []guestLine) {
	if len(lines) == 0 {
		delete(sess.Values, valueGuest)
		return
	}
	parts := make([]string, len(lines))
	for i, l := range lines {
		parts[i] = strconv.FormatInt(l.Quantity, 10) + " " + l.ListingID + " " + l.SKU
	}
	if sess.Values == nil {
		sess.Values = map[string]string{}
	}
	sess.Values[valueGuest] = strings.Join(parts, "|")
}

// guestCart is the cart a guest sees: each line at its listing's current
// title, price and home platform, grouped as the order service groups
// an account's, and quoted to the destination the session keeps. Lines
// whose listing or SKU is gone are left out.
func (sf *Storefront) guestCart(ctx context.Context, sess *web.Session) (order.Cart, error) {
	c := order.Cart{Groups: []order.CartGroup{}}
	for _, gl := range guestLines(sess) {
		l, err := sf.deps.Listings.Listing(ctx, gl.ListingID)
		if errors.Is(err, catalog.ErrNotFound) || errors.Is(err, catalog.ErrInvalid) {
			continue
		}
		if err != nil {
			return order.Cart{}, err
		}
		i := slices.IndexFunc(l.Variants, func(v catalog.Variant) bool { return v.SKU == gl.SKU })
		if i < 0 {
			continue
		}
		price := order.Money{Amount: l.Variants[i].Price.Amount, Currency: l.Variants[i].Price.Currency}
		c.Lines = append(c.Lines, order.CartLine{ListingID: l.ID, SKU: gl.SKU, Title: l.Title, Category: l.Category, Platform: l.Platform,
			Merchant: l.Merchant, Quantity: gl.Quantity, UnitPrice: price,
			Subtotal: order.Money{Amount: gl.Quantity * price.Amount, Currency: price.Currency}})
	}
	if err := sf.discountGuest(ctx, c.Lines); err != nil {
		return order.Cart{}, err
	}
	for _, line := range c.Lines {
		price := line.UnitPrice
		if line.Discount.Amount > 0 {
			c.Discount = order.Money{Amount: c.Discount.Amount + line.Discount.Amount, Currency: price.Currency}
		}
		g := slices.IndexFunc(c.Groups, func(g order.CartGroup) bool { return g.Platform == line.Platform })
		if g < 0 {
			c.Groups = append(c.Groups, order.CartGroup{Platform: line.Platform, Total: order.Money{Currency: price.Currency}})
			g = len(c.Groups) - 1
		}
		c.Groups[g].Lines = append(c.Groups[g].Lines, line)
		c.Groups[g].Total.Amount += line.Subtotal.Amount
		c.Total.Amount += line.Subtotal.Amount
		c.Total.Currency = price.Currency
		c.Items += line.Quantity
	}
	slices.SortStableFunc(c.Groups, func(a, b order.CartGroup) int { return cmp.Compare(a.Platform, b.Platform) })
	return c, sf.quoteGuest(ctx, sess, &c)
}

// addGuestLine adds n units of v of listing l to the guest cart of sess;
// what the guest can correct (more than the stock, a full cart) goes into
// f, and then nothing changes.
func addGuestLine(sp speech, sess *web.Session, l catalog.Listing, v catalog.Variant, n int64, f *web.Form) {
	lines := guestLines(sess)
	i := slices.IndexFunc(lines, func(gl guestLine) bool { return gl.ListingID == l.ID && gl.SKU == v.SKU })
	inCart := int64(0)
	if i >= 0 {
		inCart = lines[i].Quantity
	}
	switch {
	case inCart+n > v.Stock:
		f.Add("quantity", sp.shortage(v.Stock, inCart+n, inCart))
	case inCart+n > maxQuantity:
		f.Add("quantity", sp.t("refusal.line_max", "Max", maxQuantity, "Count", inCart))
	case i < 0 && len(lines) >= maxGuestLines:
		f.Add("", sp.t(msgGuestFull, "Max", maxGuestLines))
	case i < 0:
		lines = append(lines, guestLine{ListingID: l.ID, SKU: v.SKU, Quantity: n})
	default:
		lines[i].Quantity += n
	}
	if f.OK() {
		setGuestLines(sess, lines)
	}
}

// mergeGuest adds a guest's lines to the account's latest cart (a new
// one when there is none, or lines to add) and returns that cart's id,
// "" when the account has no cart and there were no lines. dropped counts
// the lines that could not be added in full: gone from the catalog, or
// more than the stock now holds (as many as are left are added). A
// failure of the order service after a first line went in is counted as
// a drop rather than returned, so that a retried sign-in cannot add the
// same lines twice.
func (sf *Storefront) mergeGuest(ctx context.Context, shopper string, lines []guestLine) (cartID string, dropped int, err error) {
	c, err := sf.deps.Carts.LatestCart(ctx, shopper)
	switch {
	case errors.Is(err, order.ErrNotFound) && len(lines) == 0:
		return "", 0, nil
	case errors.Is(err, order.ErrNotFound):
		if c, err = sf.deps.Carts.CreateCart(ctx, shopper); err != nil {
			return "", 0, err
		}
	case err != nil:
		return "", 0, err
	}
	for _, gl := range lines {
		in := order.ItemInput{ListingID: gl.ListingID, SKU: gl.SKU, Quantity: gl.Quantity}
		_, err := sf.deps.Carts.AddItem(ctx, shopper, c.ID, in)
		var ce *order.CheckoutError
		var fe order.FieldErrors
		switch {
		case err == nil:
			continue
		case errors.As(err, &ce) && len(ce.Shortages) > 0:
			s := ce.Shortages[0]
			if left := s.Available - (s.Wanted - gl.Quantity); left > 0 {
				in.Quantity = left
				if _, err := sf.deps.Carts.AddItem(ctx, shopper, c.ID, in); err != nil {
					sf.site.Log().Warn("web: merging a guest cart", "shopper", shopper, "listing", gl.ListingID, "err", err)
				}
			}
		case errors.As(err, &fe):
		default:
			sf.site.Log().Warn("web: merging a guest cart", "shopper", shopper, "listing", gl.ListingID, "err", err)
		}
		dropped++
	}
	return c.ID, dropped, nil
}

// discountGuest gives a guest's lines the discounts their merchants'
// offers give them now, as an account's cart has them.
func (sf *Storefront) discountGuest(ctx context.Context, lines []order.CartLine) error {
	type merchant struct{ platform, id string }
	idx := map[merchant][]int{}
	for i, l := range lines {
		idx[merchant{l.Platform, l.Merchant}] = append(idx[merchant{l.Platform, l.Merchant}], i)
	}
	for m, is := range idx {
		offers, err := sf.deps.Profiles.Offers(ctx, m.platform, m.id)
		if err != nil || len(offers) == 0 {
			return err
		}
		in := make([]catalog.OfferLine, len(is))
		for j, i := range is {
			in[j] = catalog.OfferLine{ListingID: lines[i].ListingID, Category: lines[i].Category, Quantity: lines[i].Quantity, UnitPrice: lines[i].UnitPrice.Amount}
		}
		applied := catalog.ApplyOffers(offers, in, sf.site.Now())
		for j, i := range is {
			d := applied.Lines[j]
			k := slices.IndexFunc(offers, func(o catalog.Offer) bool { return o.ID == d.Offer })
			if d.Amount == 0 || k < 0 {
				continue
			}
			l := &lines[i]
			l.Discount = order.Money{Amount: d.Amount, Currency: l.UnitPrice.Currency}
			l.Offer, l.OfferVersion, l.OfferLabel = d.Offer, d.Version, offers[k].Label()
			l.Subtotal.Amount -= d.Amount
		}
	}
	return nil
}
