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

// notify calls the handlers for changes that have been committed.
func (c *Catalog) notify(changes []Change) {
	if len(changes) == 0 {
		return
	}
	c.hmu.RLock()
	defer c.hmu.RUnlock()
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
