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
// S and H exchange signed Messages over /fedmart/order/2.0.0, each
// answered by one framed Reply; the sender keeps the stream open for its
// next message to the same member (/fedmart/order/2.0.0/session, package
// orderwire), and every message is checked on its own either way:
//
//	reserve  S -> H  hold these lines at these prices until a deadline
//	confirm  S -> H  the payment is taken: accept the part
//	cancel   S -> H  the shopper cancels a part not yet shipped, or some
//	                 of its units (Message.Cancel)
//	release  S -> H  the checkout failed: give the hold back
//	return   S -> H  the shopper asks to return some units of a delivered
//	                 part, with a reason (Message.Return)
//	issue    S -> H  the shopper or the operator complains about a part
//	                 (Message.Issue)
//	issue_reply S -> H  the shopper answers the merchant on an issue
//	escalate S -> H  take an issue to the charter's arbiter
//	status   H -> S  the part's state after a change (seq orders them)
//	note     S <-> H one message of the part's conversation between its
//	                 shopper and its merchant (Message.Note, chat.go)
//	case     S, H -> C  an escalated issue's signed thread, to the
//	                 arbiter C the issue names (Message.Case, arbiter.go)
//	arbiter_note C <-> S, H  the arbiter's question about a case, or a
//	                 side's answer
//	decision C -> H, S  the arbiter's decision; H applies it
//	points   H -> I  a status that states loyalty points, with the
//	                 storefront's reserve that named the shopper's
//	                 issuer I; S -> I hold, confirm or release points
//	                 for a checkout, answered with I's signed hold
//	                 (Message.Points; points*.go)
//	shopper_order S -> A  an order S placed for a shopper whose account
//	                 lives on member A (signed in with A): A lists it on
//	                 the shopper's orders page (shopper_order.go)
//
// A request is answered with H's signed status; H's own changes (shipped,
// delivered, refunded) travel as status messages. Part states:
// reserved -> accepted -> shipped -> delivered, with rejected, cancelled
// and refunded as endings; H also knows expired (a hold nobody confirmed)
// and released, which no storefront order holds. A release of a part H
// never held (its reserve was lost, or is still on its way) leaves a
// released part, so the release is done and a late reserve holds nothing.
//
// A part is refunded and cancelled in pieces too: the shopper cancels
// some units of an accepted part, the merchant refunds some units and/or
// an amount, with or without the shipping left, the units back to stock or
// not (RefundRequest). Each piece is a Refund with its own id, stated by
// one signed status (Status.Refund) while the part stays where it is; a
// part with no unit (or no item money) left ends cancelled or refunded.
// The home keeps the list, the storefront folds it from every status
// (whatever their order) and pays each refund once, and settlement books
// each by its id. What is left (Left) bounds every piece: more is refused,
// naming the field, and changes nothing.
//
// A delivered part is returned in pieces as well, under its merchant's
// policy (Profiles: the return window, who pays the return's shipping,
// the restocking fee). The storefront checks a shopper's request against
// what it knows and sends it as a return message through its outbox; H
// checks it again (delivered, asked within the window after the delivery
// H stated, units neither refunded nor in another open return) and states
// the Return requested, or refused with the reason, in a status. The
// merchant approves it (instructions; the policy's terms are stated with
// it) or refuses it, and marks the units received: the same status then
// states the return received and a Refund of the units, restocked, less
// the fee, which the storefront pays and settlement books like any other.
// Each step is a status that states the return as it stands after it
// (Status.Return); both sides fold the list, newest seq winning.
//
// Complaints follow the same shape. The storefront opens an Issue on a
// placed part (category, description, https evidence, the remedy asked)
// with an issue message through its outbox; H records it open with its
// deadlines, counted from the message's signed time (no later than H's
// clock allows) under the charter's ServiceTerms then (Deps.Terms), or
// refuses it with the reason. The merchant asks for information, offers a
// remedy or refuses (AnswerIssue); the shopper answers, accepts (an
// offered refund is paid by a Refund the same status states) or rejects
// (issue_reply). A missed deadline, a rejected offer or a refusal lets the
// storefront escalate to the charter's arbiter (Issue.Escalatable): S
// checks first on its clock, H again on its record and clock. A step H
// will not take is stated as a denied step with the reason, so the
// refusal travels back like any answer. Each step is a status that states
// the issue as it stands (Status.Issue). IssueThread and VerifyIssueThread
// give an arbiter the signed thread both sides hold; decideIssue and
// ApplyIssueDecision apply a decision at H. H indexes an opened issue's
// deadlines and reminds the merchant (NoticeIssueDue) of each one the
// merchant has yet to meet, once, Config.IssueDueWarning before it falls
// (home_issue_due.go).
//
// The arbiter's side is arbiter.go. The status that escalates an issue
// sends the arbiter a case from H, and S sends its own copy when the
// status reaches it, each in the transaction that commits the status. C
// checks every message, that the sender is the storefront or the home the
// thread establishes, that the home's statuses agree with the opening and
// each other, that the thread allowed the escalation at the escalate
// message's signed time, and that the issue and the charter name C now;
// it keeps the case (the copies merged) or keeps it refused with the
// reason. C's operator asks either side (AskCase; a side answers with
// AnswerArbiter, a note back) and decides once (DecideCase): a signed
// decision to H, which applies it with decideIssue in one transition when
// it comes from the arbiter both the issue and the charter name (a refund
// is a refund status), and to S, which keeps it with the issue.
// ServiceRecords (service_record.go) derives each home's scorecard from
// the issues a node holds as storefront, home and arbiter.
//
// A refusal carries a numbered Code (only ever appended) and words the
// receiver chose to share, never its internal errors. The sender retries
// what may succeed later (unavailable, over budget), and parks what never
// will (forged, malformed, a conflict, or a part the receiver still does
// not know after Config.ParkAfter): parked messages wait for the operator
// (Parked, RetryParked, DropParked) and are never retried by themselves.
//
// # Durability
//
// Every change and the messages it causes commit in one synced Badger
// transaction: a message to another node goes into an outbox there and is
// retried with backoff until it is acknowledged, in order per member, and
// a receiver stores its reply under (sender, message id), so a repeat has
// no second effect and gets the same answer, byte for byte. Commits made
// at once share their flush to disk, with each other and with the node's
// merchants' feeds (Deps.Durable, internal/groupsync). A request is
// looked up in that inbox under the part's lock, so two copies of one
// request arriving at once get one answer; and a request H refuses (a
// confirm of a cancelled part) is answered with the status message that
// stated the part's state, never a newly signed one: one state, one
// signed status. A hold takes units from the catalog's stock in the same
// transaction as the part (see Inventory), so no storefront can sell more
// than H has. Both sides keep every signed message of a part (settlement's
// evidence, see Proof); its state is the fold of H's statuses (Fold): the
// storefront keeps the highest seq it applied (Part.Seq) across restarts,
// so an older or repeated status changes nothing.
//
// Every status a storefront's order holds goes through H's outbox, even
// one that also rides in the answer to the storefront's request: the
// outbox is the one record of what the storefront may not have yet. S
// acknowledges such a copy once its first commit of the status is
// durable, without a flush of its own when one has run since
// (takenMarks), and H's outbox removes what a drain sent in one commit. With
// the stamp floor (no status is stamped before a watermark already
// declared) it gives settlement its watermarks (Watermark). Each status
// that moves money is booked (Books) inside the transaction that commits
// it, on both sides of the part.
//
// Merchants' offers (offer.go) are applied by the storefront from its
// copy of the published records and again by the home at reserve; a
// line carries its discount and the offer that gives it, the part's
// total is after it, and a different discount is refused with the home's
// quote like a changed price. A storefront's coupons (coupon.go) are its
// own: checked before the reserves and again in the transaction that
// places the order, which counts the use; the shopper pays the order
// less the coupon, the homes are paid the undiscounted parts.
//
// A checkout fails at once, naming them, when home platforms of its lines
// do not answer (Reachability), so that no stock is held elsewhere while
// requests time out; the shopper can remove those lines and buy the rest.
//
// # What a member can make another believe
//
// Every member holds a real key and speaks the protocol; a malicious one
// may sign anything with its own key, send it at any time, and repeat or
// withhold messages. What it cannot do is sign with another's key. So each
// side checks a member's claim against what it holds itself:
//
//   - A home holds a part only for a reserve whose lines are listings it
//     keeps, of the merchant the reserve names, at their current prices;
//     the home, not the storefront, says a line's title and category (the
//     category selects the commission). No storefront can sell one
//     merchant's stock in another's name or at another price.
//   - A home counts another member's unconfirmed holds, its reserves per
//     second and its expired holds per hour against budgets (Config): no
//     storefront can lock a home's stock up, or keep it locked by letting
//     holds expire and reserving again. Parts that never became orders are
//     forgotten after PruneAfter, with their messages.
//   - A storefront applies a status only from the home it sent the part
//     to, and only when it repeats the part's merchant, total and policy
//     version: a home can state a part's progress, never change what was
//     bought or for how much. A refund it states must fit the part: units
//     the part has, no more than the status says was refunded in all.
//   - A status proves a settlement event to a third member only with the
//     storefront's own signed reserve and confirm of the part (Proof): a
//     home cannot invent a sale the storefront never placed; a storefront
//     cannot invent a status the home never stated.
//   - A refusal carries a code and the receiver's chosen words, never its
//     internal errors, and a message refused for good is parked, not
//     retried without end: no member can make another loop.
//
// # Where to read what
//
// The storefront's side is in shop_*.go: shoppers (shop_shopper.go), carts
// (shop_cart.go), checkout (shop_checkout.go: quote, reserve every part,
// pay once; shop_place.go: reserve, release, place the order with its
// confirms), the statuses it folds (shop_status.go), its orders and
// cancels, whole or of some units (shop_orders.go), refunds it pays
// (shop_refund.go), unpaid orders (shop_unpaid.go), payment providers (shop_payment.go), and the
// orders it rebuilds after a restore (shop_recover.go). The home node's
// side is in home_*.go: a reserve and the part it creates
// (home_part.go), every later change (home_transition.go), refunds and
// partial cancellations (home_refund.go; the Refund they make and what is
// left of a part are in refund.go), returns (home_return.go, and
// shop_return.go on the storefront; the Return both hold is in
// return.go), issues (home_issue.go, shop_issue.go; the Issue in
// issue.go; the arbiter's cases in arbiter.go), hold expiry
// (home_hold.go), budgets (home_budget.go), merchants' parts and actions
// (home_parts.go), the stamp floor and watermarks (home_watermark.go),
// stock through the catalog (home_inventory.go), pruning (home_prune.go)
// and recovery (home_recover.go). Between them: the messages
// (message.go, code.go, evidence.go), the entry point that answers them
// (handle.go), the outbox and parked messages (outbox.go, parked.go),
// catch-up (catchup.go), and the keys (store.go). Loyalty points: the
// issuer's accounts (points.go), what a home states and how a claim is
// checked (points_terms.go), the points messages and the issuer's answers
// (points_wire.go), the storefront's holds at checkout (points_hold.go)
// and the views (points_view.go). federation/orderwire
// carries the messages over libp2p; in tests, an in-memory network
// (memnet_test.go) joins services in one process.
//
// # Lifecycle
//
// New, then Run(ctx) for the outbox, hold expiry and refunds; Serve
// registers the protocol on the federation. State lives under "o/" (see
// store.go for the keys).
package order
