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
// # Entries and periods
//
// An entry's id is the SHA-256 of (part, event kind, refund name, payer,
// payee, entry kind): S, H and T derive the same entries from the same event
// without talking to each other, and a replayed event derives ids that exist
// already, so it creates nothing. Entries are immutable; the same id with
// other content is an ErrConflict.
//
// Time is cut into fixed Periods of the policy's length, aligned to the
// Unix epoch and named by their UTC start ("2026-11-24T14:00:00Z"). An
// entry belongs to the period containing the time the home node stated for
// the event. Once a node closes a period (ClosePeriod), nothing is posted
// into it again: an entry that would belong to it goes to the period
// containing the node's current time (or the first open one after it). A
// refund therefore lands in the period of the refund, never in the closed
// period of the sale. The one exception is a reconciliation session of that
// period (below), which restores into it the entries with its counterparty
// that the counterparty holds there and proves.
//
// # Ledger
//
// A Ledger keeps one node's books in Badger under the key prefix "s/": the
// entries in which the node is payer or payee, every event it posted and
// which event produced each entry (EntryEvent), the state of each part, a
// signed double-entry balance per account (receivable:<peer>,
// payable:<peer>, revenue:commission, revenue:fee,
// merchant_payable:<merchant>, clearing:storefront), updated in the same
// transaction as the entries, and which periods are closed. CheckBalances
// recomputes every balance from the entries. Lifecycle: Open on a shared
// Badger handle, then Post events as they arrive, ClosePeriod when a period
// ends, and read Entries, Statements and MerchantEarnings; there is no
// goroutine and nothing to close.
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
// Ledger.ReconcilePeriod is the whole pairwise procedure for one closed
// period, over one stream (SessionProtocol; the federation layer opens it,
// this package only reads and writes): the two sides trade a hello with
// their statement summaries; if the digests differ, they run the range
// reconciliation above, and each sends, for every entry the other lacks,
// a proof of the event behind it (Evidence: the orders layer proves events
// with the home node's signed status messages). The receiver verifies
// each proof, checks that the event causes an entry it lacks, and posts
// it, the entries with the counterparty going into the reconciled period.
// If the statements are then equal, both sign, check each other's
// signature with the key they know, and save the statement agreed only
// when both checks passed. Otherwise they reconcile once more and both
// save it disputed, listing each entry missing on one side or differing in
// content: a dispute is resolved upstream, never by adjusting an amount.
// Both sides end with the same status. Session frames (SessionFrame) are
// versioned, length-prefixed, capped at MaxSessionFrame and decoded
// defensively (DecodeSessionFrame).
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
