package storefront

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"time"

	"github.com/fedmart/fedmart/catalog"
	"github.com/fedmart/fedmart/catalog/search"
	"github.com/fedmart/fedmart/catalog/shipping"
	"github.com/fedmart/fedmart/federation/order"
	"github.com/fedmart/fedmart/node/budget"
	"github.com/fedmart/fedmart/node/web"
)

//go:embed templates/*.html
var templateFS embed.FS

// Searcher is the federation-wide search index; *search.Index satisfies it.
type Searcher interface {
	// Search runs one query; search.ErrInvalidQuery names a bad parameter.
	Search(q search.Query) (search.Result, error)
	// Correct returns up to limit spellings of a text that matched
	// nothing, with the words the index lacks replaced by close ones it
	// holds; nil when there is nothing to correct.
	Correct(text string, limit int) []string
}

// Listings reads any live listing, this node's or replicated;
// *catalog.Catalog satisfies it.
type Listings interface {
	// Listing returns the listing with its stock, catalog.ErrNotFound or
	// catalog.ErrInvalid for a malformed id.
	Listing(ctx context.Context, id string) (catalog.Listing, error)
}

// Merchants are the sellers whose home platform is this node, named on
// listing pages and listed with their listings in the sitemap;
// *catalog.Catalog satisfies it.
type Merchants interface {
	// Platform is this node's peer ID, the platform part of its listings' ids.
	Platform() string
	// Merchant returns one of this node's merchants, or catalog.ErrNotFound.
	Merchant(ctx context.Context, id string) (catalog.Merchant, error)
	// Merchants lists this node's merchants.
	Merchants(ctx context.Context) ([]catalog.Merchant, error)
	// MerchantListings pages through a merchant's live listings by id.
	MerchantListings(ctx context.Context, merchantID, cursor string, limit int) ([]catalog.Listing, string, error)
}

// Shoppers are the accounts that sign in on this storefront;
// *order.Service satisfies it.
type Shoppers interface {
	// CreateShopper opens an account (with a password for these pages);
	// a taken e-mail address is an order.FieldErrors naming "email".
	CreateShopper(ctx context.Context, in order.ShopperInput) (order.Shopper, string, error)
	// Authenticate checks a password; a wrong one, or an unknown
	// address, is order.ErrBadCredentials.
	Authenticate(ctx context.Context, email, password string) (order.Shopper, error)
	// Shopper returns a shopper by id, or order.ErrNotFound.
	Shopper(ctx context.Context, id string) (order.Shopper, error)
	// LinkedShopper finds or opens the local shopper linked to another
	// member's (issuer, subject).
	LinkedShopper(ctx context.Context, l order.Link) (order.Shopper, error)
	// EndSessions ends the shopper's sessions begun until now (sign-out);
	// SessionsEndedAt says when that last happened.
	EndSessions(ctx context.Context, shopper string) error
	SessionsEndedAt(ctx context.Context, shopper string) (time.Time, error)
}

// Carts keep a shopper's cart and check it out; *order.Service
// satisfies it.
type Carts interface {
	// CreateCart, GetCart, AddItem, SetQuantity and RemoveItem keep a
	// shopper's cart.
	CreateCart(ctx context.Context, shopper string) (order.Cart, error)
	GetCart(ctx context.Context, shopper, id string) (order.Cart, error)
	AddItem(ctx context.Context, shopper, cartID string, in order.ItemInput) (order.Cart, error)
	SetQuantity(ctx context.Context, shopper, cartID string, in order.ItemInput) (order.Cart, error)
	RemoveItem(ctx context.Context, shopper, cartID, sku, listingID string) (order.Cart, error)
	// LatestCart is the shopper's open cart changed last, or
	// order.ErrNotFound: what a shopper signing in again finds.
	LatestCart(ctx context.Context, shopper string) (order.Cart, error)
	// Checkout places the cart's order once per idempotency key; a refusal
	// is an *order.CheckoutError (stock gone, price changed, home platforms
	// not answering), a declined card order.ErrDeclined, bad input
	// order.FieldErrors.
	Checkout(ctx context.Context, shopper, cartID, key string, req order.CheckoutRequest) (order.Order, bool, error)
	// SetShipTo sets where the cart ships to; the cart comes back quoted
	// with shipping (Cart.Shipping), its lines that do not ship there
	// flagged. A bad code is an order.FieldErrors.
	SetShipTo(ctx context.Context, shopper, cartID string, to shipping.Destination) (order.Cart, error)
	// ChooseShipping picks a rate for the part one merchant sells; a rate
	// the part is not offered is an order.FieldErrors naming "rate".
	ChooseShipping(ctx context.Context, shopper, cartID, platform, merchant, rate string) (order.Cart, error)
	// QuoteItems quotes the shipping of items to dest as a cart holding
	// them would be quoted: a guest's cart, kept in the browser.
	QuoteItems(ctx context.Context, dest shipping.Destination, items []order.ItemInput) (order.CartShipping, error)
	// CouponQuote is what a coupon code would take off the cart now; a
	// code that does not apply is an order.FieldErrors naming "coupon".
	CouponQuote(ctx context.Context, shopper, cartID, code string) (order.Money, error)
}

// Profiles are the merchants' published profiles and shipping rules, any
// member's as replicated here; *catalog.Catalog satisfies it.
type Profiles interface {
	// MerchantProfile returns a merchant's profile, or catalog.ErrNotFound
	// when it published none.
	MerchantProfile(ctx context.Context, platform, merchant string) (catalog.MerchantProfile, error)
	// ShippingProfiles are a merchant's live shipping profiles.
	ShippingProfiles(ctx context.Context, platform, merchant string) ([]catalog.ShippingProfile, error)
	// ShippingFor resolves the shipping profile and handling days a
	// listing ships under.
	ShippingFor(ctx context.Context, l *catalog.Listing) (catalog.ShippingTerms, error)
	// ListingsOf pages through the live listings of any member's
	// merchant, by id.
	ListingsOf(ctx context.Context, platform, merchant, cursor string, limit int) ([]catalog.Listing, string, error)
	// Carriers is the table of carriers parts ship with.
	Carriers() shipping.Table
	// Offers are a merchant's offers that are not ended, as this node
	// holds them.
	Offers(ctx context.Context, platform, merchant string) ([]catalog.Offer, error)
}

// Orders are the orders a shopper placed here; *order.Service satisfies it.
type Orders interface {
	GetOrder(ctx context.Context, shopper, id string) (order.Order, error)
	// RemoteOrders are the orders a shopper of this node placed on other
	// members' storefronts, newest first.
	RemoteOrders(ctx context.Context, shopper string, limit int) ([]order.RemoteOrder, error)
	Orders(ctx context.Context, shopper, cursor string, limit int) ([]order.Order, string, error)
	// CancelParts cancels the named parts of an order; one the order
	// does not have is order.ErrNotFound, one already shipped or ended
	// order.ErrConflict, and then nothing is cancelled.
	CancelParts(ctx context.Context, shopper, id string, parts []string) (order.Order, error)
	// CancelUnits cancels some units of an accepted part; units beyond
	// what is left are an order.FieldErrors naming "lines[i].quantity"
	// of lines, a part that shipped order.ErrConflict. The same key
	// cancels once.
	CancelUnits(ctx context.Context, shopper, id, part string, lines []order.Units, key string) (order.Order, error)
	// RequestReturn asks the home of a delivered part to take back some
	// of its units; bad input is an order.FieldErrors naming
	// "lines[i].quantity" of in.Lines, "reason" or "note", a part outside
	// its merchant's window order.ErrConflict. The same key asks once.
	RequestReturn(ctx context.Context, shopper, id, part string, in order.ReturnInput, key string) (order.Return, error)
	// Messages are a part's signed messages: the statuses say when each
	// refund was made.
	Messages(ctx context.Context, part string) ([]*order.Message, error)
	// ShopperThread is a part's conversation with its merchant; read
	// marks it read. WriteNote writes in it: bad input is an
	// order.FieldErrors naming "text" or "attachments[i]", a full thread
	// order.ErrConflict.
	ShopperThread(ctx context.Context, shopper, id, part string, read bool) (order.Thread, error)
	WriteNote(ctx context.Context, shopper, id, part string, in order.NoteInput) (order.ChatMessage, error)
	// OpenIssue reports a problem with a part to its home; bad input is
	// an order.FieldErrors naming "category", "description",
	// "evidence[i]", "remedy" or "amount", a part that may not have one
	// (now) order.ErrConflict. The same key opens once.
	OpenIssue(ctx context.Context, shopper, id, part string, in order.IssueInput, key string) (order.Issue, error)
	// ReplyIssue answers the merchant on an issue (info, accept or
	// reject the offer); EscalateIssue takes it to the charter's arbiter.
	// A step the issue does not allow now is order.ErrConflict saying why.
	ReplyIssue(ctx context.Context, shopper, id, part, iid string, in order.IssueReplyInput) (order.Issue, error)
	EscalateIssue(ctx context.Context, shopper, id, part, iid, text string) (order.Issue, error)
	// ServiceTerms are the charter's complaint deadlines and arbiter.
	ServiceTerms() order.ServiceTerms
	// ArbiterMessages are the arbiter's questions and decision about an
	// escalated issue and this node's answers, oldest first; AnswerArbiter
	// sends an answer (the caller checks the issue is the shopper's): bad
	// text is an order.FieldErrors naming "text", an issue not with its
	// arbiter order.ErrConflict.
	ArbiterMessages(ctx context.Context, part, iid string) ([]order.ArbiterMessage, error)
	AnswerArbiter(ctx context.Context, part, iid, text string) (order.ArbiterMessage, error)
}

// Deps are the services the storefront reads and changes; every web.Field is
// required. The node's *search.Index, *catalog.Catalog and *order.Service
// satisfy them as they are.
type Deps struct {
	Search    Searcher
	Listings  Listings
	Merchants Merchants
	Shoppers  Shoppers
	Carts     Carts
	Orders    Orders
	Profiles  Profiles
	// Mail, when set, serves the unsubscribe page of notification
	// e-mails (/mail/unsubscribe); optional.
	Mail MailPreferences
	// Points, when set, shows the shopper's loyalty points (/points) and
	// offers them at checkout; optional.
	Points Points
	// Alliance, when set, lets other members' shoppers sign in here and
	// this node's shoppers sign in on other members (alliance.go).
	Alliance Alliance
	// Sitemap are the sources of the sitemap's pages beside the home,
	// the categories and the listings (the operator's pages, help
	// articles); optional.
	Sitemap []SitemapSource
	// Sponsored, when set, fills sponsored slots on search and category
	// pages and remembers shoppers' clicks on them (sponsored.go);
	// optional.
	Sponsored Sponsored
	// AdCounts, when set, counts the sponsored slots shown and the
	// clicks on them for the operator's dashboard; optional.
	AdCounts AdCounts
	// Reviews, when set, shows listings' reviews and ratings and lets
	// shoppers review what was delivered to them (reviews.go); optional.
	Reviews Reviews
	// Records, when set, shows each merchant's measured record on its
	// page and on its listings' pages (record.go); optional.
	Records Records
	// Content, when set, serves the storefront's pages and its help
	// centre, and links them from every page (content.go).
	Content Content
}

// Options configure the storefront.
type Options struct {
	// Payments are the payment methods the storefront takes
	// (order.MethodManual, order.MethodSandboxCard); the checkout offers
	// these only (default none). With the sandbox card the site's
	// Options.TestPayments must be on, so that every page says that
	// payments are tests.
	Payments []string
	// GuestCheckout lets a visitor without an account check out with a
	// name and an e-mail address (node config storefront.guest_checkout);
	// by default checking out needs an account, and a guest's cart waits
	// for the sign-in or sign-up.
	GuestCheckout bool
	// Country is where most of the storefront's shoppers live (ISO
	// 3166-1 alpha-2, node config storefront.country): listing pages
	// quote shipping there until a shopper chooses where a cart ships.
	// "" quotes each listing's cheapest zone.
	Country string
	// SitemapURLs is the most URLs one sitemap file holds (0: 50,000,
	// the most sitemaps.org allows); tests make it small to see the
	// files split.
	SitemapURLs int
}

// Validate checks the options; each message names the web.Field.
func (o Options) Validate() error {
	for i, m := range o.Payments {
		if m != order.MethodManual && m != order.MethodSandboxCard {
			return fmt.Errorf("storefront: Options.Payments[%d]: must be %s or %s, not %q", i, order.MethodManual, order.MethodSandboxCard, m)
		}
	}
	if o.SitemapURLs < 0 || o.SitemapURLs > maxSitemapURLs {
		return fmt.Errorf("storefront: Options.SitemapURLs: must be 0 to %d, not %d", maxSitemapURLs, o.SitemapURLs)
	}
	if o.Country != "" && !shipping.IsCountry(o.Country) {
		return fmt.Errorf("storefront: Options.Country: must be an ISO 3166-1 alpha-2 code in capitals, not %q", o.Country)
	}
	return nil
}

// Storefront serves the shoppers' pages at "/": home, search, listings,
// the sitemap, sign-up and sign-in, the cart, the checkout and the
// orders. It is safe for concurrent use.
type Storefront struct {
	site     *web.Site
	sessions *web.Sessions
	pages    *web.Pages
	deps     Deps
	opts     Options
	signins  *web.Throttle // failed shopper sign-ins
	sitemaps sitemapCache  // the sitemap index last built
	ships    shipCache     // where sponsored listings ship (sponsored_ships.go)
	slots    slotMemo      // the index of the campaigns running now (sponsored.go)
}

// New builds the storefront's pages on site.
func New(site *web.Site, deps Deps, opts Options) (*Storefront, error) {
	if deps.Search == nil || deps.Listings == nil || deps.Merchants == nil || deps.Shoppers == nil || deps.Carts == nil || deps.Orders == nil ||
		deps.Profiles == nil {
		return nil, errors.New("storefront: Deps needs Search, Listings, Merchants, Shoppers, Carts, Orders and Profiles")
	}
	if err := opts.Validate(); err != nil {
		return nil, err
	}
	pages, err := site.Pages(templateFS, "templates/partials.html")
	if err != nil {
		return nil, err
	}
	sf := &Storefront{site: site, sessions: site.Sessions(), pages: pages, deps: deps, opts: opts, signins: web.NewThrottle(site.Now)}
	if deps.Content != nil {
		sf.deps.Sitemap = append(slices.Clip(deps.Sitemap), contentSitemap{sf})
	}
	return sf, nil
}

// Mount adds the storefront's routes. Patterns are net/http's; a GET
// pattern also answers HEAD.
func (sf *Storefront) Mount(mux *http.ServeMux) {
	if sf.deps.Mail != nil {
		mux.HandleFunc("GET /mail/unsubscribe", sf.unsubscribePage)
		mux.HandleFunc("POST /mail/unsubscribe", sf.unsubscribe)
		sf.site.AllowSignedPost("POST /mail/unsubscribe")
	}
	if sf.deps.Content != nil {
		sf.mountContent(mux)
	}
	mux.HandleFunc("GET /{$}", sf.home)
	mux.HandleFunc("GET /search", sf.search)
	mux.HandleFunc("GET /c/{path...}", sf.category)
	mux.HandleFunc("GET /sponsored/click", sf.sponsoredClick)
	mux.HandleFunc("GET /listings/{id}", sf.listing)
	mux.HandleFunc("GET /sitemap.xml", sf.sitemap)
	mux.HandleFunc("GET /sitemap-pages.xml", sf.sitemapPagesFile)
	mux.HandleFunc("GET /sitemap-listings.xml", sf.sitemapListings)
	mux.HandleFunc("GET /robots.txt", sf.robots)
	mux.HandleFunc("GET /signin", sf.signinChooser)
	mux.HandleFunc("GET /signin/shopper", sf.shopperSigninForm)
	mux.HandleFunc("POST /signin/shopper", sf.site.Spending(budget.SignIns, sf.shopperSignin))
	mux.HandleFunc("GET /signin/with/{peer}", sf.site.Spending(budget.SignIns, sf.signinWith))
	mux.HandleFunc("GET /signin/alliance/callback", sf.site.Spending(budget.SignIns, sf.allianceCallback))
	mux.HandleFunc("GET /signin/alliance/approve", sf.asShopper(nil, sf.approveForm))
	mux.HandleFunc("POST /signin/alliance/approve", sf.asShopper(approveBack, sf.approve))
	mux.HandleFunc("GET /signup", sf.signupForm)
	mux.HandleFunc("POST /signup", sf.site.Spending(budget.Accounts, sf.signup))
	mux.HandleFunc("GET /signout", sf.shopperSignoutForm)
	mux.HandleFunc("POST /signout", sf.shopperSignout)
	mux.HandleFunc("GET /cart", sf.cartPage)
	mux.HandleFunc("GET /cart/add", sf.addForm)
	mux.HandleFunc("POST /cart/items", sf.addToCart)
	mux.HandleFunc("POST /cart/quantity", sf.setQuantity)
	mux.HandleFunc("POST /cart/remove", sf.removeFromCart)
	mux.HandleFunc("POST /cart/ship-to", sf.setShipTo)
	mux.HandleFunc("POST /cart/shipping", sf.chooseShipping)
	mux.HandleFunc("GET /merchants/{id}", sf.merchantPage)
	mux.HandleFunc("GET /checkout", sf.checkoutForm)
	mux.HandleFunc("POST /checkout/guest", sf.site.Spending(budget.Accounts, sf.guestCheckout))
	mux.HandleFunc("POST /checkout", sf.site.Spending(budget.Checkouts, sf.asShopper(backTo("/checkout"), sf.checkout)))
	mux.HandleFunc("POST /checkout/unavailable", sf.asShopper(backTo("/checkout"), sf.removeUnavailable))
	mux.HandleFunc("GET /orders", sf.asShopper(nil, sf.ordersPage))
	mux.HandleFunc("GET /points", sf.asShopper(nil, sf.pointsPage))
	mux.HandleFunc("GET /orders/{id}", sf.asShopper(nil, sf.orderPage))
	mux.HandleFunc("GET /orders/{id}/cancel", sf.asShopper(nil, sf.cancelForm))
	mux.HandleFunc("POST /orders/{id}/cancel", sf.asShopper(orderBack, sf.cancelParts))
	mux.HandleFunc("GET /orders/{id}/parts/{part}/cancel", sf.asShopper(nil, sf.cancelUnitsForm))
	mux.HandleFunc("POST /orders/{id}/parts/{part}/cancel", sf.asShopper(orderBack, sf.cancelUnits))
	mux.HandleFunc("GET /orders/{id}/parts/{part}/review", sf.asShopper(nil, sf.reviewPage))
	mux.HandleFunc("POST /orders/{id}/parts/{part}/review", sf.asShopper(orderBack, sf.writeReview))
	mux.HandleFunc("GET /orders/{id}/parts/{part}/return", sf.asShopper(nil, sf.returnForm))
	mux.HandleFunc("POST /orders/{id}/parts/{part}/return", sf.asShopper(orderBack, sf.requestReturn))
	mux.HandleFunc("POST /orders/{id}/parts/{part}/messages", sf.asShopper(orderBack, sf.writeMessage))
	mux.HandleFunc("GET /orders/{id}/parts/{part}/issues/new", sf.asShopper(nil, sf.issueForm))
	mux.HandleFunc("POST /orders/{id}/parts/{part}/issues", sf.asShopper(orderBack, sf.openIssue))
	mux.HandleFunc("GET /orders/{id}/parts/{part}/issues/{iid}", sf.asShopper(nil, sf.issuePage))
	mux.HandleFunc("POST /orders/{id}/parts/{part}/issues/{iid}/reply", sf.asShopper(orderBack, sf.replyIssue))
	mux.HandleFunc("POST /orders/{id}/parts/{part}/issues/{iid}/escalate", sf.asShopper(orderBack, sf.escalateIssue))
	mux.HandleFunc("POST /orders/{id}/parts/{part}/issues/{iid}/arbiter", sf.asShopper(orderBack, sf.answerArbiter))
}

// render renders one of the storefront's pages with its own style sheet
// and script (option buttons' prices, the gallery's failed images, the
// filters opened on a wide screen), which the pages work without.
func (sf *Storefront) render(w http.ResponseWriter, r *http.Request, status int, name string, p *web.Page) {
	p.Styles = append(p.Styles, "store.css")
	p.Scripts = append(p.Scripts, "store.js")
	sf.decorate(r.Context(), name, p)
	sf.pages.Render(w, r, status, name, p)
}
