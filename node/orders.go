package node

import (
	"time"

	badger "github.com/dgraph-io/badger/v4"
	"github.com/fedmart/fedmart/federation"
	"github.com/fedmart/fedmart/federation/order"
	"github.com/fedmart/fedmart/federation/orderwire"
	"github.com/fedmart/fedmart/node/webhook"
	"github.com/fedmart/fedmart/settlement"
	"github.com/libp2p/go-libp2p/core/crypto"
	"github.com/libp2p/go-libp2p/core/peer"
	"github.com/prometheus/client_golang/prometheus"
)

// openOrders starts the order service on the catalog's stock (the
// catalog is its Inventory and its Listings, as it is), serving the order
// protocol on the federation.
func (n *Node) openOrders(key crypto.PrivKey, reg prometheus.Registerer) error {
	hooks, err := webhook.Open(n.db, n.cfg.Webhooks, webhook.DefaultOptions(), n.log.With("component", "webhooks"), reg, nil)
	if err != nil {
		return err
	}
	n.hooks = hooks
	n.reviewEvents()
	if err := n.openMail(key, reg); err != nil {
		return err
	}
	wire := orderwire.NewTransport(n.fed)
	svc, err := order.New(n.cfg.Orders, order.Deps{
		DB: n.db, Durable: n.durable, Key: key, Inventory: n.cat, Listings: n.cat, Transport: wire, Sync: wire,
		Payments: n.paymentProviders(),
		Emitter:  hooks,
		Notifier: mailer{n},
		Policy:   n.policyVersion,
		Books:    books{n.ledger, n},
		Loyalty:  n.loyaltyAt,
		// Sponsored sales: the charter's ad terms, and this node's own
		// campaigns, which it alone charges.
		Ads:       n.adsAt,
		Campaigns: campaignBook{n},
		Reach:     reach{n.fed},
		Profiles:  n.cat,
		Terms:     n.serviceTerms,
		// Reports of the reviews this storefront signed, made on others.
		Reports: n.cat,
		// Another member's storefront holds a shopper's points with the
		// ID token this node gave it at the shopper's sign-in there.
		PointsAuth: n.spendLeave,
		// A restored catalog means a restored database: the orders catch
		// up before they hold stock again (see learnBack).
		Recovering: n.cat.Restored(),
		Log:        n.log.With("component", "orders"), Registry: reg, Now: n.now,
	})
	if err != nil {
		return err
	}
	orderwire.Serve(n.fed, svc)
	n.orders = svc
	n.cat.UseReportForwarding(svc.ReportToSigner)
	return nil
}

// books feeds the settlement ledger's posting queue from inside the
// order transactions.
type books struct {
	ledger *settlement.Ledger
	n      *Node
}

// Enqueue queues the settlement event a part's status states, if any.
func (b books) Enqueue(txn *badger.Txn, ev order.PartEvent) error {
	if ev.Points != nil {
		e, ok := b.n.pointsEvent(ev)
		if !ok {
			return nil
		}
		return b.ledger.Enqueue(txn, e)
	}
	if e, ok := adEvent(ev); ok {
		if err := b.ledger.Enqueue(txn, e); err != nil {
			return err
		}
		if err := b.n.recordAdSale(txn, e); err != nil {
			return err
		}
	}
	e, ok := settlementEvent(ev)
	if !ok {
		return nil
	}
	return b.ledger.Enqueue(txn, e)
}

// Notify wakes the ledger's posting.
func (b books) Notify() { b.ledger.Notify() }

// reach tells the order service which members answer now.
type reach struct{ fed *federation.Federation }

// Reachable reports whether member peer answers now.
func (r reach) Reachable(p string) bool {
	id, err := peer.Decode(p)
	return err == nil && r.fed.Reachable(id)
}

// paymentProviders are the payment methods the configuration switches
// on; the order service refuses a checkout with any other, naming
// payment.method.
func (n *Node) paymentProviders() []order.Provider {
	var out []order.Provider
	if n.cfg.Payments.Manual {
		out = append(out, order.Manual{Now: time.Now})
	}
	if n.cfg.Payments.SandboxCard {
		out = append(out, order.SandboxCard{DB: n.db, Now: time.Now})
	}
	return out
}

// paymentMethods names the methods paymentProviders makes, for the pages.
func (n *Node) paymentMethods() []string {
	var out []string
	for _, p := range n.paymentProviders() {
		out = append(out, p.Method())
	}
	return out
}

// warnPayments says at start when the node takes test payments, which
// approve without taking money, or no payment at all.
func (n *Node) warnPayments() {
	switch {
	case n.cfg.Payments.SandboxCard:
		n.log.Warn("test payments are on (payments.sandbox_card): test card numbers are approved and no money is taken; never enable it on a storefront that ships goods")
	case !n.cfg.Payments.Manual:
		n.log.Warn("no payment method is on (payments in fedmart.yaml): this storefront cannot take orders")
	}
}

// policyVersion is the charter version sales are priced under now.
// serviceTerms are the complaint terms of the charter in force: the
// defaults, and no arbiter, before there is one.
func (n *Node) serviceTerms() order.ServiceTerms {
	var t federation.ServiceTerms
	if sc, err := n.fed.Charter(); err == nil {
		t = sc.Charter.Service
	}
	first, res := t.Deadlines()
	return order.ServiceTerms{FirstResponse: first, Resolution: res, Arbiter: t.Arbiter}
}

func (n *Node) policyVersion() uint64 {
	sc, err := n.fed.Charter()
	if err != nil {
		return 0
	}
	return sc.Charter.Version
}
