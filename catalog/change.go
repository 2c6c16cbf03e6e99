package catalog

// Change tells a handler that a record was stored: created by one of this
// node's merchants, or applied from another node.
type Change struct {
	// ID is the listing's global id.
	ID string
	// Record is the record's body.
	Record *Record
	// Raw is the record's signed bytes, to publish as they are.
	Raw []byte
	// Listing is the listing as it now reads, stock filled in; nil when it
	// was taken down, or when only its stock is known so far.
	Listing *Listing
	// Quiet marks a record of a bulk commit other than its last (see
	// bulkSignal): a publisher skips it, and peers fetch it by catch-up,
	// which the commit's last record, published, sets off by the gap it
	// reveals.
	Quiet bool
	// Away marks a listing this node held that moved to a category it
	// does not hold (shard.go): like a takedown to every reader here, but
	// Raw is nil (the record is not stored) and the listing may come back.
	Away bool

	// rating is what a review record changes in the ratings.
	rating ratingDelta
}

// OnChange registers fn to be called after every commit that stores a
// record, once per record, in seq order per origin. fn runs synchronously
// while the catalog's write lock is held: it must return quickly (hand the
// change to a queue), must not modify the change, and must not call the
// catalog's write methods. Reads are allowed.
func (c *Catalog) OnChange(fn func(Change)) {
	c.hmu.Lock()
	defer c.hmu.Unlock()
	c.handlers = append(c.handlers, fn)
}

// OnChanges registers fn to be called after every commit that stores
// records, once per commit with all its changes in seq order per origin,
// before the OnChange handlers see them one by one. A bulk import or a
// catch-up commits hundreds of records at once, which a handler can
// then treat together (the search index analyses them on every core).
// The rules of OnChange hold, and fn must not keep the slice.
func (c *Catalog) OnChanges(fn func([]Change)) {
	c.hmu.Lock()
	defer c.hmu.Unlock()
	c.batchHandlers = append(c.batchHandlers, fn)
}

// notify calls the handlers for changes that have been committed.
func (c *Catalog) notify(changes []Change) {
	if len(changes) == 0 {
		return
	}
	c.hmu.RLock()
	defer c.hmu.RUnlock()
	for _, fn := range c.batchHandlers {
		fn(changes)
	}
	for _, ch := range changes {
		for _, fn := range c.handlers {
			fn(ch)
		}
	}
}

// RatedListing is the listing whose rating the change changed, "" when
// it changed none.
func (ch Change) RatedListing() string {
	if ch.rating.old == ch.rating.new {
		return ""
	}
	return ch.rating.listing
}
