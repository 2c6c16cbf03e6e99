// Package settlement works out who owes whom in a commerce alliance, and
// gets every pair of members to agree on it.
//
// # Model
//
// A shopper buys on storefront S from a merchant whose home platform is H.
// S collects the money. The charter's Policy (versioned; an order keeps the
// version it was priced under) splits the gross of a part into S's
// storefront commission, the federation fee owed to the treasury T, and the
// merchant share owed to H, which takes the rounding remainder, so the three
// always sum to the gross (see Policy.Split). Domestic sales (S = H) create
// no obligation between members; without a treasury there is no fee, and a
// treasury that is the storefront itself keeps its fee.
//
// Order parts reach this package as Events stated by H: accepted,
// delivered, refunded, cancelled. When a part becomes payable (delivered by
// default, or accepted), S owes H the merchant share (a "sale" Entry) and T
// the fee (a "fee" Entry). A refund or cancellation of a payable part
// reverses the corresponding share ("refund" and "fee_refund" entries);
// partial refunds reverse proportional shares that add up exactly to the
// original sale once all is refunded.
//
// Loyalty points (points.go) are events too, stated by signed order
// messages: a part's points earned (the funder, home or storefront or
// both in a split, owes the shopper's home member, the issuer, their
// value: "points_funding"), taken back by a refund in proportion
// ("points_reversal", so that a part's reversals add up to exactly its
// funding), spent at a storefront ("points_redemption": the issuer
// owes the storefront), and given back to the shopper by a refund of the
// order they paid ("points_return": the storefront gives the issuer back
// the value of the points returned). Each points event states all its entries depend
// on, so they need no part record, and sit in the same statements,
// reconciliation and netting as sales. Expiry moves nothing between
// members.
//
// # Entries and periods
//
// An entry's id is the SHA-256 of (part, event kind, refund name, payer,
// payee, entry kind): S, H and T derive the same entries from the same event
// without talking to each other, and a replayed event derives ids that exist
// already, so it creates nothing. Entries are immutable; the same id with
// other content is an ErrConflict.
//
// Time is cut into fixed Periods of the policy's length, aligned to the
// Unix epoch and named by their UTC start ("2026-11-24T14:00:00Z").
//
// Placement, the rule both sides compute alike: an entry belongs to the
// period containing the time the home node stated for its event (At, from
// the signed status), unless the two parties of the entry have already
// agreed and both signed that period's statement; then it belongs to the
// first period after it that they have not. Nothing else (no node's clock,
// no node's local decision to close a period) enters the rule, so the two
// sides of a pair place every entry alike, however late, twice or out of
// order its event arrives, and across crashes. A refund lands in the period
// of the refund, never in the period of the sale.
//
// # Watermarks: when a period can be settled
//
// A pair settles a period only once neither side can still learn an event
// stated in it, as stream processors close an event-time window on a
// watermark. Each side declares to the other, in every session's hello, a
// watermark: a time before which every settlement event it stated for the
// pair's parts has been delivered to the other side and acknowledged, and
// before which it will never state another. The orders layer computes it
// (the oldest status still in the node's outbox to that member, and a
// stamp floor raised to now, durably, before the outbox is read: a status
// is never stamped before a watermark already declared, even when the
// clock steps back). Fees owed to the treasury are stated by third
// parties (the home nodes of the storefront's sales), so a member's
// watermark to the treasury is also no later than what every other member
// last declared to it. A session of period P goes on past its hellos only
// when both watermarks have passed P's end; otherwise both sides record the
// other's watermark and end, and the statement waits ("waiting for Gamma's
// entries up to 07:07"). A member that was offline when a period ended
// settles it when it returns; one with no sales settles it too: every
// period of every pair is settled, empty ones with an empty statement both
// sides sign.
//
// With watermarks, the exception in placement (an entry stated in an
// agreed period) does not happen in a federation that keeps the protocol:
// it is the safety net that keeps both sides alike if it ever does.
//
// # Ledger
//
// A Ledger keeps one node's books in Badger under the key prefix "s/": the
// entries in which the node is payer or payee, every event it posted and
// which event produced each entry (EntryEvent), the state of each part, a
// signed double-entry balance per account (receivable:<peer>,
// payable:<peer>, revenue:commission, revenue:fee,
// merchant_payable:<merchant>, clearing:storefront), updated in the same
// transaction as the entries, the statements sessions saved, and what it
// knows of each counterparty (Pair: watermarks, last contact, the first
// period not yet settled). CheckBalances recomputes every balance from the
// entries.
//
// Events arrive through a posting queue: the orders layer calls Enqueue
// inside the Badger transaction that commits the order status stating the
// event, on the storefront and on the home node alike, so no crash can
// commit a status and lose its booking on both sides (the failure a post
// after commit had). Run posts the queue in order, each event in the
// transaction that removes it; every session drains it before it counts.
// An event the ledger refuses (a conflict, an unknown policy) is kept aside
// (Refused) and never blocks the ones behind it. Lifecycle: Open on a
// shared Badger handle, Run(ctx) until the node stops; Post remains for
// tools and tests.
//
// # Statements and reconciliation
//
// For each period and counterparty a node computes a Statement: totals by
// kind and direction, the entry count, and a digest over every entry.
// Statements go open -> reconciling (period closed) -> agreed (both parties
// signed the same canonical bytes) or disputed (reconciliation found
// entries that differ; they stay listed, nothing is adjusted silently).
//
// Two nodes find differing entries with a range-based set reconciliation
// in the manner of Negentropy (Reconciler, Reconcile): each side's items
// (entry id, truncated content digest) are compared through fingerprints
// of id ranges, recursing only into ranges that differ, so traffic grows
// with the number of differences times log N rather than with N. The
// protocol is transport-agnostic: plain Go messages with a compact,
// defensive binary codec, a driver over any io.ReadWriter, and I/O-free step
// functions. NaiveExchange is the send-everything baseline.
//
// # Reconciliation sessions
//
// Ledger.ReconcilePeriod is the whole pairwise procedure for one ended
// period, over one stream (SessionProtocol; the federation layer opens it,
// this package only reads and writes): the two sides trade a hello with
// their watermarks and statement summaries; unless both watermarks have
// passed the period's end, that is all. If the digests differ, they run the range
// reconciliation above, and each sends, for every entry the other lacks,
// a proof of the event behind it (Evidence: the orders layer proves events
// with the home node's signed status messages). The receiver verifies
// each proof, checks that the event causes an entry it lacks, and posts
// it, the entries with the counterparty going into the reconciled period
// (where the counterparty holds them). If the statements are then equal, both sign, check each other's
// signature with the key they know, and save the statement agreed only
// when both checks passed. Otherwise they reconcile once more and both
// save it disputed, listing each entry missing on one side or differing in
// content: a dispute is resolved upstream, never by adjusting an amount.
// A disputed statement is not final: the node runs its session again when
// new entries arrive on either side (a late status, a restored entry), and
// what stays disputed is listed with each side's signed evidence for people
// to settle.
// Both sides end with the same status. Session frames (SessionFrame) are
// versioned, length-prefixed, capped at MaxSessionFrame and decoded
// defensively (DecodeSessionFrame).
//
// # What a member can make another believe
//
// A malicious member holds a real key and can sign statements, proofs and
// hellos of its own. Each check below stops one of its claims with what
// the checking side holds itself:
//
//   - An entry a member lacks is restored only from a proof the Evidence
//     verifies: in a federation, the home's signed status together with
//     the storefront's signed reserve and confirm of the part. A member
//     cannot make another owe for a sale it never placed (it cannot sign
//     the other's reserve), nor change an amount (the signatures cover
//     it). A proof of an event that causes no entry the session found
//     missing is refused too.
//   - Entries that differ in content are never adjusted: they stay
//     disputed, listed, for people to settle with both sides' evidence.
//   - A statement is agreed only with both parties' signatures over the
//     same canonical bytes, checked with the keys each side knows.
//   - Netting uses only agreed statements of the period asked, offered by
//     a party to each, between active members, and needs one for every
//     pair: a member cannot pass off another period's statement, another
//     pair's, or leave a pair out.
//   - A member that declares a watermark too early gains nothing: entries
//     the other side does not hold yet then surface in the session as
//     differences, restored from proofs or left disputed, and the dispute
//     is settled again when the statuses arrive; nothing is agreed away.
//
// # The settler
//
// Settler runs all of the above for a node: it settles every period with
// every member, empty ones too (the member with the smaller peer ID opens
// a pair's sessions, the other opens one for a period still unsettled half
// a minute after its end, one session with a member at a time), tries a
// disputed statement again when new entries arrive, and serves the views
// (Periods, Statements with what each waits for, Netting, NettingReport).
// It declares what it needs: the Federation's Roster, Sessions to open,
// a StatementSource for netting, the order service's Watermarks, and
// Evidence; federation/settlewire carries sessions and statements over
// libp2p, and the node wires the rest.
//
// # Netting
//
// From the agreed statements of a period, Net computes each member's net
// position (they sum to exactly zero) and at most N-1 transfers that
// settle them.
//
// The package imports neither gin nor libp2p networking; its types are
// plain Go values, and the federation layer carries its messages.
package settlement
