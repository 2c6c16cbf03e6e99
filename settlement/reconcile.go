package settlement

import (
	"bytes"
	"errors"
	"fmt"
	"slices"
	"sort"
)

// Item is one element of a reconciled set: an entry id and the first 16
// bytes of the entry's content digest.
type Item struct {
	// ID is the raw entry id.
	ID [32]byte
	// Hash is the truncated content digest; equal ids with different
	// hashes are entries whose content (amount, period, ...) differs.
	Hash [16]byte
}

// ItemSet is a set of items sorted by strictly increasing id.
type ItemSet []Item

// NewItemSet sorts a copy of items; duplicate ids are an ErrInvalid.
func NewItemSet(items []Item) (ItemSet, error) {
	s := slices.Clone(items)
	slices.SortFunc(s, func(a, b Item) int { return bytes.Compare(a.ID[:], b.ID[:]) })
	return s, ItemSet(s).Validate()
}

// Validate checks that ids strictly increase.
func (s ItemSet) Validate() error {
	for i := 1; i < len(s); i++ {
		if bytes.Compare(s[i-1].ID[:], s[i].ID[:]) >= 0 {
			return fmt.Errorf("%w: item set not sorted or has a duplicate at %d", ErrInvalid, i)
		}
	}
	return nil
}

// Diff is what one side learned from reconciliation, each list sorted.
type Diff struct {
	// Have lists ids this side holds and the other lacks.
	Have [][32]byte `json:"have"`
	// Need lists ids the other side holds and this side lacks.
	Need [][32]byte `json:"need"`
	// Differ lists ids both hold with different content hashes.
	Differ [][32]byte `json:"differ"`
}

// Empty reports whether both sides hold the same items.
func (d Diff) Empty() bool { return len(d.Have)+len(d.Need)+len(d.Differ) == 0 }

// ReconcileConfig tunes one side of the protocol. The two sides need not
// agree on it: every choice only shapes what a side sends.
type ReconcileConfig struct {
	// Buckets is how many sub-ranges a differing range splits into
	// (2..256, default 16).
	Buckets int
	// ListThreshold: a differing range in which this side holds at most
	// this many items is answered with the item list instead of being split
	// (1..MaxListItems, default 32).
	ListThreshold int
	// ReplyLimit: an item list is answered directly when this side holds at
	// most this many items in its range; otherwise the range is split, so a
	// reply never carries more than ReplyLimit ids (1..MaxReplyIDs,
	// default 1024).
	ReplyLimit int
	// FrameLimit is the size at which a message stops growing: the rest of
	// the id space is summed into one fingerprint and handled in later
	// rounds (1 KiB..2 MiB, default 1 MiB). The same happens when a message
	// nears MaxRanges ranges.
	FrameLimit int
}

// DefaultReconcileConfig returns the defaults documented on ReconcileConfig.
func DefaultReconcileConfig() ReconcileConfig {
	return ReconcileConfig{Buckets: 16, ListThreshold: 32, ReplyLimit: 1024, FrameLimit: 1 << 20}
}

// Validate names the first field out of range.
func (c ReconcileConfig) Validate() error {
	var errs []error
	check := func(key string, v, lo, hi int) {
		if v < lo || v > hi {
			errs = append(errs, fmt.Errorf("%w: reconcile.%s: %d outside %d..%d", ErrInvalid, key, v, lo, hi))
		}
	}
	check("buckets", c.Buckets, 2, 256)
	check("list_threshold", c.ListThreshold, 1, MaxListItems)
	check("reply_limit", c.ReplyLimit, 1, MaxReplyIDs)
	check("frame_limit", c.FrameLimit, 1<<10, 2<<20)
	return errors.Join(errs...)
}

// Reconciler is one side of a range-based set reconciliation in the
// manner of Negentropy, without I/O: the initiator calls Initiate and sends
// the message; then each side feeds every received message to Step and
// sends what Step returns, until Done. Both sides end with the complete
// Diff. A Reconciler is not safe for concurrent use.
type Reconciler struct {
	cfg   ReconcileConfig
	items ItemSet
	elems []element
	diff  Diff
	done  bool
}

// NewReconciler prepares one side over items (which it does not modify).
func NewReconciler(items ItemSet, cfg ReconcileConfig) (*Reconciler, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if err := items.Validate(); err != nil {
		return nil, err
	}
	elems := make([]element, len(items))
	for i := range items {
		elems[i] = elementOf(&items[i])
	}
	return &Reconciler{cfg: cfg, items: items, elems: elems}, nil
}

// Initiate returns the first message: the whole id space split into
// fingerprinted buckets, or the full item list when it is short.
func (r *Reconciler) Initiate() Message {
	var b builder
	r.listOrSplit(&b, 0, len(r.items), Bound{Inf: true})
	return b.message()
}

// Done reports whether the exchange is over for this side.
func (r *Reconciler) Done() bool { return r.done }

// Diff returns what this side learned, sorted and without duplicates.
func (r *Reconciler) Diff() Diff {
	norm := func(ids [][32]byte) [][32]byte {
		ids = slices.Clone(ids)
		slices.SortFunc(ids, func(a, b [32]byte) int { return bytes.Compare(a[:], b[:]) })
		return slices.Compact(ids)
	}
	return Diff{Have: norm(r.diff.Have), Need: norm(r.diff.Need), Differ: norm(r.diff.Differ)}
}

// Step processes a received message. It returns the answer and whether to
// send it; after a message that needs no answer, it returns send=false and
// the side is done. It is done too after returning an answer that needs
// none itself.
func (r *Reconciler) Step(in Message) (out Message, send bool, err error) {
	if r.done {
		return Message{}, false, fmt.Errorf("%w: message after the exchange ended", ErrProtocol)
	}
	if err := in.Validate(); err != nil {
		return Message{}, false, err
	}
	final := !in.needsReply()
	out, err = r.process(in)
	if err != nil {
		return Message{}, false, err
	}
	if final {
		r.done = true
		return Message{}, false, nil
	}
	r.done = !out.needsReply()
	return out, true, nil
}

// process answers every range of in, stopping to grow the answer once it
// passes FrameLimit: the rest of the id space then goes back as a single
// fingerprint. Replies are still applied after that point, since they
// need no answer.
func (r *Reconciler) process(in Message) (Message, error) {
	var b builder
	var lo Bound
	collapsed := false
	for k := range in.Ranges {
		rg := &in.Ranges[k]
		i, j := r.index(lo), r.index(rg.Upper)
		switch {
		case rg.Mode == ModeReply:
			if err := r.applyReply(rg, i, j); err != nil {
				return Message{}, err
			}
			if !collapsed {
				b.add(Range{Upper: rg.Upper, Mode: ModeSkip})
			}
		case collapsed:
		case rg.Mode != ModeSkip && r.full(&b):
			b.add(Range{Upper: Bound{Inf: true}, Mode: ModeFingerprint, Fingerprint: fingerprintOf(r.elems[i:])})
			collapsed = true
		default:
			r.answer(&b, rg, i, j)
		}
		lo = rg.Upper
	}
	return b.message(), nil
}

// full reports whether the answer must stop growing: past FrameLimit, or
// too close to MaxRanges for one more split and the closing fingerprint.
// The largest single answer (a reply of ReplyLimit ids, or a list of
// ListThreshold items) still fits MaxMessageSize on top of FrameLimit.
func (r *Reconciler) full(b *builder) bool {
	return b.size > r.cfg.FrameLimit || len(b.ranges) > MaxRanges-r.cfg.Buckets-2
}

// answer handles a skip, fingerprint or id list range [i, j) of own items.
func (r *Reconciler) answer(b *builder, rg *Range, i, j int) {
	switch rg.Mode {
	case ModeSkip:
		b.add(Range{Upper: rg.Upper, Mode: ModeSkip})
	case ModeFingerprint:
		if fingerprintOf(r.elems[i:j]) == rg.Fingerprint {
			b.add(Range{Upper: rg.Upper, Mode: ModeSkip})
			return
		}
		r.listOrSplit(b, i, j, rg.Upper)
	case ModeIDList:
		if j-i > r.cfg.ReplyLimit {
			r.split(b, i, j, rg.Upper)
			return
		}
		b.add(r.reply(rg, i, j))
	}
}

// listOrSplit describes own items [i, j) up to upper: as a list when short,
// else as fingerprinted buckets.
func (r *Reconciler) listOrSplit(b *builder, i, j int, upper Bound) {
	if j-i <= r.cfg.ListThreshold {
		b.add(Range{Upper: upper, Mode: ModeIDList, Items: r.items[i:j]})
		return
	}
	r.split(b, i, j, upper)
}

// split cuts own items [i, j) (at least two) into up to Buckets ranges of
// nearly equal size and fingerprints each.
func (r *Reconciler) split(b *builder, i, j int, upper Bound) {
	n := j - i
	k := min(r.cfg.Buckets, n)
	start := i
	for t := 1; t <= k; t++ {
		end := i + n*t/k
		ub := upper
		if t < k {
			ub = boundBetween(&r.items[end-1].ID, &r.items[end].ID)
		}
		b.add(Range{Upper: ub, Mode: ModeFingerprint, Fingerprint: fingerprintOf(r.elems[start:end])})
		start = end
	}
}

// reply answers the peer's id list for own items [i, j) and records what
// it shows.
func (r *Reconciler) reply(rg *Range, i, j int) Range {
	out := Range{Upper: rg.Upper, Mode: ModeReply, Codes: make([]ReplyCode, len(rg.Items))}
	mergeItems(r.items[i:j], rg.Items, func(ours, theirs *Item, t int) {
		switch {
		case theirs == nil:
			out.Missing = append(out.Missing, ours.ID)
			r.diff.Have = append(r.diff.Have, ours.ID)
		case ours == nil:
			out.Codes[t] = ReplyMissing
			r.diff.Need = append(r.diff.Need, theirs.ID)
		case ours.Hash != theirs.Hash:
			out.Codes[t] = ReplyDiffers
			r.diff.Differ = append(r.diff.Differ, ours.ID)
		}
	})
	return out
}

// mergeItems walks two sorted item lists in id order and calls fn once per
// id: with both items, or with nil for the side that lacks it; t is the
// index in theirs when theirs is not nil.
func mergeItems(ours, theirs []Item, fn func(ours, theirs *Item, t int)) {
	a, t := 0, 0
	for a < len(ours) || t < len(theirs) {
		c := -1
		switch {
		case a == len(ours):
			c = 1
		case t < len(theirs):
			c = bytes.Compare(ours[a].ID[:], theirs[t].ID[:])
		}
		switch {
		case c < 0:
			fn(&ours[a], nil, -1)
			a++
		case c > 0:
			fn(nil, &theirs[t], t)
			t++
		default:
			fn(&ours[a], &theirs[t], t)
			a, t = a+1, t+1
		}
	}
}

// applyReply records the peer's answer to our id list of own items [i, j).
func (r *Reconciler) applyReply(rg *Range, i, j int) error {
	ours := r.items[i:j]
	if len(rg.Codes) != len(ours) {
		return fmt.Errorf("%w: reply has %d codes for the %d items listed", ErrProtocol, len(rg.Codes), len(ours))
	}
	for k, c := range rg.Codes {
		switch c {
		case ReplyMissing:
			r.diff.Have = append(r.diff.Have, ours[k].ID)
		case ReplyDiffers:
			r.diff.Differ = append(r.diff.Differ, ours[k].ID)
		}
	}
	for _, id := range rg.Missing {
		if _, found := slices.BinarySearchFunc(ours, id, func(it Item, id [32]byte) int {
			return bytes.Compare(it.ID[:], id[:])
		}); found {
			return fmt.Errorf("%w: reply says we lack an id we listed", ErrProtocol)
		}
		r.diff.Need = append(r.diff.Need, id)
	}
	return nil
}

// index returns the number of own items below bound b.
func (r *Reconciler) index(b Bound) int {
	if b.Inf {
		return len(r.items)
	}
	return sort.Search(len(r.items), func(k int) bool { return !b.above(&r.items[k].ID) })
}

// builder accumulates an outgoing message, merging adjacent skips and
// tracking the encoded size.
type builder struct {
	ranges []Range
	size   int
}

func (b *builder) add(rg Range) {
	if n := len(b.ranges); rg.Mode == ModeSkip && n > 0 && b.ranges[n-1].Mode == ModeSkip {
		b.ranges[n-1].Upper = rg.Upper
		return
	}
	b.ranges = append(b.ranges, rg)
	b.size += rg.encodedSize()
}

// message returns the canonical message: without a trailing skip.
func (b *builder) message() Message {
	rs := b.ranges
	if n := len(rs); n > 0 && rs[n-1].Mode == ModeSkip {
		rs = rs[:n-1]
	}
	return Message{Ranges: rs}
}
