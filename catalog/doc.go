// Package catalog holds a node's share of the federation's catalog: the
// merchants whose home platform the node is, the listings they own, and
// every listing replicated from the other members. It is plain Go over the
// shared Badger database (keys under "c/"); the replication transport
// (gossip and catch-up streams) and the search index are built on top of it
// elsewhere and reach it only through the methods here.
//
// # Listings and records
//
// A listing's global id is <platform>.<merchant>.<listing>: the home
// node's peer ID and two random base32 ids (ParseID). Every change to a
// listing is a Record signed by its home node with the libp2p record
// envelope (domain RecordDomain); the envelope's exact bytes are stored and
// forwarded, never re-encoded, so any member can relay any other's records.
// A record is of one of two kinds:
//
//   - a listing record carries the signed description (title, category,
//     variants with prices, ...) with a version, or a tombstone for a
//     takedown;
//   - a stock record carries the units of every SKU with a stock version.
//     Stock changes far more often than descriptions, so it travels apart.
//
// For each listing and kind only the newest record is kept; when a newer
// one is stored, the one it supersedes is deleted. The store therefore
// grows with the live catalog (plus one tombstone per taken-down listing,
// which keeps older records of it from coming back), not with its history.
//
// # Seqs and marks
//
// The home node numbers its records with one counter per origin (Seq).
// For every origin, a node keeps a mark: mark = m means every record of the
// origin with seq <= m is stored here or was superseded. A record at mark+1
// moves the mark (over any stored records that follow); a record above
// mark+1 is stored but leaves a gap, which Apply reports so that the caller
// runs a catch-up. In a catch-up a node sends its Marks, the peer answers
// with Since (its records above them, in batches), and once they are
// applied the node raises its marks to the peer's with AdvanceMark:
// whatever the peer no longer has below its mark was superseded. Traffic is
// proportional to what is missing. A node's mark for itself is its latest seq.
//
// # After a restore
//
// A catalog loaded from an older backup lacks the records its node signed
// since; members hold them. Until it has learnt them back in a catch-up
// (MarkRestored, LearntBack), it signs nothing, so that its next seq and
// listing versions follow the highest that members hold rather than
// repeating them with other content (see restore.go).
//
// # Writes
//
// Merchants (CreateMerchant, bearer tokens stored as SHA-256) write through
// CreateListing, ReplaceListing, TakeDown, SetStock and UpsertBatch. Each
// write validates first (ValidateListing: every problem at once, as field
// paths), then in one Badger transaction assigns the next seqs, signs,
// stores the records, moves the heads (the per-listing pointers to the
// newest records) and the merchant's SKU index. Records from other nodes
// enter through Apply, which verifies signature, origin, membership, size,
// form and limits, and refuses stale, conflicting and duplicate records
// without storing anything. Writers are serialized; reads are concurrent.
//
// A listing's pictures are http(s) URLs or references of pictures
// uploaded to its home node ("sha256:<hash>", see image.go). The catalog
// indexes which live listings show each uploaded picture, in the
// transaction that stores the record (ImageHomes), and lets a merchant
// reference only a picture the node holds that it uploaded or that a
// live listing already shows (UseImages).
//
// Merchants' profiles, shipping profiles and offers are records of their
// own kinds (KindMerchant, KindShipping, KindOffer), one current version
// per subject id and a tombstone to take a shipping profile down or end
// an offer (profile.go, offer.go). ApplyOffers computes what a merchant's
// offers take off a part's lines, the same on the home node and on every
// storefront. Ad campaigns (KindCampaign, campaign.go) are records of the
// same shape: what a merchant sponsors, its budget and fee (no more than
// the charter's cap, SetAdFeeCap) and its state (live, paused, exhausted).
//
// Every price is in the federation's settlement currency (Config.Currency,
// then SetCurrency when the charter changes); until it is known, every
// listing is refused.
//
// Bulk changes (PlanBulk, ApplyBulk) set or add stock, or set or change
// by a percentage the prices of every variant of up to MaxBulkListings of
// a merchant's listings, in one transaction or not at all.
//
// # The merchants' own listings
//
// For each live listing of this node's merchants the catalog keeps a
// small summary (folded title and SKUs, units per variant; summary.go),
// written with every change to the listing, so that QueryListings
// filters a merchant's listings by text, SKU and stock state and counts
// them without decoding the signed records, in pages by number or by
// cursor.
//
// After each commit, OnChange handlers see every stored record with the
// listing as it now reads; the node publishes the raw bytes to gossip and
// updates the search index from them. All walks every live listing to
// rebuild the index, and Stamp names the content a saved index was built
// from.
//
// # Lifecycle
//
// Open loads the catalog from the database; it starts no goroutines and
// needs no Close. The database is the caller's to close.
package catalog
