package storefront

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/fedmart/fedmart/federation/order"
	"github.com/fedmart/fedmart/node/web"
)

// A checkout fails at once, placing and charging nothing, when the home
// platform of any of its lines does not answer: the order service
// releases whatever the other homes were holding for it. The page then
// names those platforms and offers to take their lines out of the cart
// and go on with the rest; the shopper may as well wait and try again,
// since the cart is kept as it was.

// unavailableView is what the checkout shows of the home platforms that
// did not answer.
type unavailableView struct {
	// Names are the platforms' display names, from the charter.
	Names []string
	// Platforms are their peer IDs, which the removal form posts.
	Platforms []string
	// Rest is true when the cart holds lines of other platforms, which
	// can be bought without theirs.
	Rest bool
	// Title names the platforms: "Beta Bazaar is not answering", "Beta
	// Bazaar and Gamma Goods are not answering".
	Title string
}

// prose lists names in sp's language: "A", "A and B", "A, B and C";
// "A", "A和B", "A、B和C".
func (sp speech) prose(names []string) string {
	if len(names) < 2 {
		return strings.Join(names, "")
	}
	return sp.list(names[:len(names)-1]) + sp.t("unavailable.and") + names[len(names)-1]
}

// platformsDown shows which home platforms did not answer: the message,
// a note on each of their groups of lines, and the removal form.
func (sf *Storefront) platformsDown(ctx context.Context, v *checkoutView, platforms []string) {
	sp := sf.speechIn(ctx)
	names := sf.site.PlatformNames()
	u := &unavailableView{}
	for _, p := range platforms {
		u.Names, u.Platforms = append(u.Names, web.PlatformName(names, p)), append(u.Platforms, p)
	}
	for i := range v.Cart.Groups {
		g := &v.Cart.Groups[i]
		if slices.Contains(platforms, g.PlatformID) {
			g.Note = sp.t("unavailable.group_note", "Platform", g.Platform)
		} else {
			u.Rest = true
		}
	}
	u.Title = sp.t("unavailable.many_down", "Names", sp.prose(u.Names))
	if len(u.Names) == 1 {
		u.Title = sp.t("unavailable.one_down", "Name", u.Names[0])
	}
	v.Form.Add("", sp.t("unavailable.message", "Names", sp.prose(u.Names)))
	v.Unavailable = u
}

// removeUnavailable takes the lines of the posted platforms (those the
// checkout found not answering) out of the shopper's cart and shows the
// checkout again with the rest and the address as it was typed (the
// button submits the checkout form here), or goes to the cart when
// nothing is left: POST /checkout/unavailable. Sent again, it removes
// nothing more.
func (sf *Storefront) removeUnavailable(w http.ResponseWriter, r *http.Request, sv shopperVisit) {
	ctx := r.Context()
	c, err := sf.currentCart(ctx, w, sv, false)
	if err != nil {
		sf.site.FailOrder(w, r, err)
		return
	}
	left, err := sf.removePlatforms(ctx, sv, c, r.PostForm["platform"])
	if err != nil {
		sf.site.FailOrder(w, r, err)
		return
	}
	if left == 0 {
		web.SeeOther(w, r, "/cart?done=removed")
		return
	}
	if c, err = sf.deps.Carts.GetCart(ctx, sv.shopper.ID, c.ID); err != nil {
		sf.site.FailOrder(w, r, err)
		return
	}
	method := r.PostForm.Get("payment.method")
	if !slices.Contains(sf.opts.Payments, method) {
		method = ""
	}
	v := sf.newCheckoutView(typedAddress(r.PostForm), method)
	v.Cart, v.Key = sf.cartView(ctx, c), newIdempotencyKey()
	p := sf.shopperPage(sv, sf.site.T(r, "checkout.title"), v)
	p.Notice = sf.site.T(r, "unavailable.removed")
	sf.render(w, r, http.StatusOK, "checkout", p)
}

// typedAddress is a checkout form holding the shipping address as posted,
// with no problems marked: the shopper has not asked to order yet.
func typedAddress(pf url.Values) *web.Form {
	f := web.NewForm()
	for _, in := range addressInputs {
		f.Set(in.name, strings.TrimSpace(pf.Get(in.name)))
	}
	f.Set("shipping_address.country", strings.ToUpper(strings.TrimSpace(pf.Get("shipping_address.country"))))
	f.Set("shipping_address.region", strings.ToUpper(strings.TrimSpace(pf.Get("shipping_address.region"))))
	return f
}

// removePlatforms removes the lines of cart c homed on platforms and
// returns how many lines are left. A line already gone is not an error.
func (sf *Storefront) removePlatforms(ctx context.Context, sv shopperVisit, c order.Cart, platforms []string) (left int, err error) {
	for _, l := range c.Lines {
		if !slices.Contains(platforms, l.Platform) {
			left++
			continue
		}
		_, err := sf.deps.Carts.RemoveItem(ctx, sv.shopper.ID, c.ID, l.SKU, l.ListingID)
		if err != nil && !errors.Is(err, order.ErrNotFound) {
			return 0, err
		}
	}
	return left, nil
}
