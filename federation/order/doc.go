// Package order carries a shopper's cart from any member storefront to the
// home nodes of its merchants, and every part of it to delivery.
//
// # Roles
//
// Every node plays two roles. As storefront S it keeps shoppers, carts,
// checkouts and the orders shoppers follow, and it collects the payment.
// As home node H it is the only authority on its merchants' stock and on
// the status of the parts they sell, wherever they were sold.
//
// # Protocol
//
// S and H exchange signed Messages over /fedmart/order/1.0.0, one stream
// per message and one framed Reply:
//
//	reserve  S -> H  hold these lines at these prices until a deadline
//	confirm  S -> H  the payment is taken: accept the part
//	cancel   S -> H  the shopper cancels a part not yet shipped
//	release  S -> H  the checkout failed: give the hold back
//	status   H -> S  the part's state after a change (seq orders them)
//
// A request is answered with H's signed status; H's own changes (shipped,
// delivered, refunded) travel as status messages. Part states:
// reserved -> accepted -> shipped -> delivered, with rejected, cancelled
// and refunded as endings; H also knows expired (a hold nobody confirmed)
// and released, which no storefront order holds.
//
// # Durability
//
// Every change and the messages it causes commit in one synced Badger
// transaction: a message to another node goes into an outbox there and is
// retried with backoff until it is acknowledged, and a receiver stores its
// reply under (sender, message id), so a repeat has no second effect. A
// hold takes units from the catalog's stock in the same transaction as the
// part (see Inventory), so no storefront can sell more than H has. Both
// sides keep every signed message of a part; its state is their fold
// (Fold), which settlement uses as evidence.
//
// # Lifecycle
//
// New, then Run(ctx) for the outbox, hold expiry and refunds; Serve
// registers the protocol on the federation. State lives under "o/".
package order
