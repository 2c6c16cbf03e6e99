package node

import (
	"crypto/hmac"
	"crypto/sha256"
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/fedmart/fedmart/federation/order"
	"github.com/fedmart/fedmart/node/web"
	"github.com/fedmart/fedmart/node/web/console"
	"github.com/fedmart/fedmart/node/web/dashboard"
	"github.com/fedmart/fedmart/node/web/storefront"
	"github.com/libp2p/go-libp2p/core/crypto"
)

// pages mounts the storefront, merchant console and operator dashboard at
// "/" beside the API, which keeps /v1, /healthz, /readyz and /metrics.
// The three are built over one site (node/web), which the node closes at
// shutdown.
func (n *Node) pages(key crypto.PrivKey, operatorToken string, api http.Handler) (http.Handler, error) {
	secret, err := sessionSecret(key)
	if err != nil {
		return nil, err
	}
	methods := n.paymentMethods()
	n.web, err = web.New(web.Deps{Charter: n.fed, Platform: n.cat.Platform(), DB: n.db, Budgets: n.budgets,
		Media: n.media, Log: n.log.With("component", "web")},
		web.Options{NodeName: n.cfg.Name, BaseURL: n.apiURL, SessionSecret: secret,
			TestPayments: slices.Contains(methods, order.MethodSandboxCard)})
	if err != nil {
		return nil, fmt.Errorf("web: %w", err)
	}
	mux := http.NewServeMux()
	members, err := n.openAlliance(key, mux)
	if err != nil {
		return nil, err
	}
	store, err := storefront.New(n.web, storefront.Deps{Search: n.index, Listings: n.cat, Merchants: n.cat,
		Shoppers: n.orders, Carts: n.orders, Orders: n.orders, Profiles: n.cat, Mail: n.mail, Points: n.orders, Alliance: members,
		Sponsored: sponsoredPages{n, newCampaignCache(n.cat)}, AdCounts: n.ads, Reviews: reviewDesk{n.cat, n}, Records: n.orders, Content: n.content},
		storefront.Options{Payments: methods, GuestCheckout: n.cfg.Storefront.GuestCheckout, Country: n.cfg.Storefront.Country})
	if err != nil {
		return nil, err
	}
	merchants, err := console.New(n.web, console.Deps{Merchants: n.cat, Editor: n.cat, Parts: n.orders, Earnings: n.settle,
		Pictures: n.media.Store(), Profiles: n.cat, Offers: n.cat, Uptake: n.orders, Reviews: n.cat, Help: n.content,
		Campaigns: n.cat, AdSpend: n.orders})
	if err != nil {
		return nil, err
	}
	operator, err := dashboard.New(n.web, dashboard.Deps{Federation: n.fed, Amendments: n.fed, Merchants: n.cat,
		Orders: n.orders, Settlement: n.settle, Replication: n.repl, Shards: n.cat.Shards(), Mail: n.mail, Points: n.orders, Coupons: n.orders,
		Categories: n.index, Reviews: n.cat, Content: n.content, AdStats: n.ads, Campaigns: n.cat}, dashboard.Options{OperatorToken: operatorToken})
	if err != nil {
		return nil, err
	}
	api = strictTransport(n.apiURL, api) // the pages set it on their own
	for _, p := range []string{"/v1/", "/healthz", "/readyz", "/metrics"} {
		mux.Handle(p, api)
	}
	mux.Handle("/", n.web.Handler(store, merchants, operator))
	return mux, nil
}

// strictTransport makes h's answers carry Strict-Transport-Security when
// the node is reached over https (api.public_url), so that a client that
// has talked to it once never falls back to plain http.
func strictTransport(publicURL string, h http.Handler) http.Handler {
	if !strings.HasPrefix(publicURL, "https://") {
		return h
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Strict-Transport-Security", "max-age=31536000")
		h.ServeHTTP(w, r)
	})
}

// sessionSecret derives the key that signs page sessions from the node's
// identity, so that sessions survive a restart without another secret
// file, and nothing else signed by the node can be mistaken for one.
func sessionSecret(key crypto.PrivKey) ([]byte, error) {
	raw, err := key.Raw()
	if err != nil {
		return nil, err
	}
	mac := hmac.New(sha256.New, raw)
	mac.Write([]byte("fedmart/web/session/v1"))
	return mac.Sum(nil), nil
}
