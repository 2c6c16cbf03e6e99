package order

import (
	"context"
	"fmt"

	badger "github.com/dgraph-io/badger/v4"
	"github.com/fedmart/fedmart/catalog"
)

// A review is a catalog record the storefront signs; it carries, as its
// proof of purchase, the home node's signed status that stated the
// reviewed part delivered, byte for byte as the storefront received it.
// DeliveredProof finds those bytes on the storefront; ReviewProofs lets
// the catalog of any member read and verify them.

// DeliveredProof returns the signed bytes of the first status this node
// holds from part's home node that states the part delivered to this
// node, and the status. ErrNotFound when there is none (the part was
// never delivered, or not through this storefront).
func (s *Service) DeliveredProof(ctx context.Context, part string) ([]byte, *Message, error) {
	if err := ctx.Err(); err != nil {
		return nil, nil, err
	}
	var raw []byte
	var msg *Message
	err := s.db.View(func(txn *badger.Txn) error {
		for _, k := range keys(txn, prefixMessages+part+"/", "", 0) {
			b, err := getRaw(txn, k)
			if err != nil {
				return err
			}
			m, err := DecodeMessage(b)
			if err != nil {
				return err
			}
			if m.Kind == KindStatus && m.To == s.self && m.Status.Status == StatusDelivered && len(m.Status.Items) > 0 {
				raw, msg = b, m
				return nil
			}
		}
		return nil
	})
	if err != nil {
		return nil, nil, err
	}
	if raw == nil {
		return nil, nil, fmt.Errorf("%w: part %s: no delivered status from its home node", ErrNotFound, part)
	}
	return raw, msg, nil
}

// ReviewProofs reads the proof of purchase of reviews for the catalog
// (catalog.ProofChecker): a home node's signed status message.
type ReviewProofs struct{}

// CheckDelivered verifies raw as a signed status message and returns
// what it states. Who signed it, to whom, and whether the status is
// delivered are the catalog's to judge.
func (ReviewProofs) CheckDelivered(raw []byte) (catalog.Delivered, error) {
	m, err := DecodeMessage(raw)
	if err != nil {
		return catalog.Delivered{}, err
	}
	if m.Kind != KindStatus {
		return catalog.Delivered{}, fmt.Errorf("%w: proof is a %s message, not a status", ErrInvalid, m.Kind)
	}
	d := catalog.Delivered{Home: m.From, Storefront: m.To, Part: m.Part, Status: m.Status.Status, Merchant: m.Status.Merchant, At: m.Status.DeliveredAt}
	for _, u := range m.Status.Items {
		d.Items = append(d.Items, catalog.DeliveredItem{ListingID: u.ListingID, SKU: u.SKU})
	}
	return d, nil
}
