package node

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	badger "github.com/dgraph-io/badger/v4"

	"github.com/fedmart/fedmart/catalog"
	"github.com/fedmart/fedmart/federation/order"
	"github.com/fedmart/fedmart/node/web"
)

// reviewDesk serves reviews to the API: the catalog's, and WriteReview
// from the node, which also reads the order.
type reviewDesk struct {
	*catalog.Catalog
	n *Node
}

// WriteReview is Node.WriteReview.
func (d reviewDesk) WriteReview(ctx context.Context, shopperID, orderID string, in catalog.ReviewInput) (catalog.Review, error) {
	return d.n.WriteReview(ctx, shopperID, orderID, in)
}

// WriteReview signs, as this storefront, a shopper's review of a line of
// one of its orders placed here; the part must have been delivered (its
// home's signed delivered status is the review's proof). The reviewer's
// name is the shopper's as the operator chose to show them (first name
// and initial by default, see web.ReviewerNames); in's Reviewer is
// ignored.
func (n *Node) WriteReview(ctx context.Context, shopperID, orderID string, in catalog.ReviewInput) (catalog.Review, error) {
	o, err := n.orders.GetOrder(ctx, shopperID, orderID)
	if err != nil {
		return catalog.Review{}, err
	}
	var part *order.Part
	for i := range o.Parts {
		if o.Parts[i].ID == in.Part {
			part = &o.Parts[i]
		}
	}
	if part == nil {
		return catalog.Review{}, &catalog.ValidationError{Errors: []catalog.FieldError{{Field: "part", Message: fmt.Sprintf("is not a part of order %s", orderID)}}}
	}
	found := false
	for _, l := range part.Items {
		found = found || l.ListingID == in.ListingID && l.SKU == in.SKU
	}
	if !found {
		return catalog.Review{}, &catalog.ValidationError{Errors: []catalog.FieldError{{Field: "sku", Message: fmt.Sprintf("is not a line of part %s", in.Part)}}}
	}
	if part.Status != order.StatusDelivered {
		return catalog.Review{}, &catalog.ValidationError{Errors: []catalog.FieldError{{Field: "part", Message: fmt.Sprintf("is %s; only a delivered part can be reviewed", part.Status)}}}
	}
	sh, err := n.orders.Shopper(ctx, shopperID)
	if err != nil {
		return catalog.Review{}, err
	}
	naming := web.ReviewerFirstInitial
	if n.web != nil {
		if naming, err = n.web.ReviewerNames(); err != nil {
			return catalog.Review{}, err
		}
	}
	in.Reviewer = ReviewerNamed(naming, sh.Name)
	if in.Variant == "" {
		in.Variant = n.variantLabel(ctx, in.ListingID, in.SKU)
	}
	proof, _, err := n.orders.DeliveredProof(ctx, in.Part)
	if err != nil {
		return catalog.Review{}, err
	}
	return n.cat.PutReview(ctx, in, proof)
}

// variantLabel is how a listing's variant reads ("Blue / M"), "" when the
// variant has no options or is not known.
func (n *Node) variantLabel(ctx context.Context, listing, sku string) string {
	l, err := n.cat.Listing(ctx, listing)
	if err != nil {
		return ""
	}
	for _, v := range l.Variants {
		if v.SKU == sku {
			keys := slices.Sorted(maps.Keys(v.Options))
			parts := make([]string, len(keys))
			for i, k := range keys {
				parts[i] = v.Options[k]
			}
			return strings.Join(parts, " / ")
		}
	}
	return ""
}

// ReviewerName is how a storefront names a reviewer: the first name and
// the initial of the last ("Ada L."), never more of the account.
func ReviewerName(name string) string {
	fields := strings.FieldsFunc(name, func(r rune) bool { return unicode.IsSpace(r) || r == '@' })
	switch len(fields) {
	case 0:
		return "A shopper"
	case 1:
		return fields[0]
	}
	r, _ := utf8.DecodeRuneInString(fields[len(fields)-1])
	return fields[0] + " " + string(unicode.ToUpper(r)) + "."
}

// ReviewerNamed names a reviewer as naming (a web.ReviewerNamings
// choice) says: "Ada L.", "Ada" or "Verified buyer".
func ReviewerNamed(naming, name string) string {
	switch naming {
	case web.ReviewerVerifiedBuyer:
		return "Verified buyer"
	case web.ReviewerFirstName:
		if fields := strings.FieldsFunc(name, func(r rune) bool { return unicode.IsSpace(r) || r == '@' }); len(fields) > 0 {
			return fields[0]
		}
	}
	return ReviewerName(name)
}

// EventReviewCreated is the webhook event of a new review: on the
// storefront that signed it and on the listing's home node.
const EventReviewCreated = "review.created"

// reviewEvents sends the back office a webhook for each new review, in
// the transaction that stores it.
func (n *Node) reviewEvents() {
	n.cat.UseReviewEvents(func(txn *badger.Txn, e catalog.ReviewEvent) error {
		return n.hooks.Enqueue(txn, EventReviewCreated, e)
	})
	n.cat.OnChange(func(ch catalog.Change) {
		if ch.Record != nil && ch.Record.Kind == catalog.KindReview {
			n.hooks.Notify()
		}
	})
}
