package order

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	badger "github.com/dgraph-io/badger/v4"
)

// A shopper whose account lives on another member (its home, see
// shop_link.go) may order on this storefront. Placing such an order tells
// the home, through the outbox, in the order's own transaction: a
// shopper_order message with the order's id, time and total, signed by
// this storefront. The home keeps it with its shopper, so that the
// shopper's orders page at home lists orders placed on any member, each
// linking to its page on the storefront that took it (the storefront's
// charter URL: the message carries no link). The home accepts it once
// per (sender, message id), from an active member (the wire checks), only
// about a shopper of its own, and at most MaxRemoteOrders per shopper.

// MaxRemoteOrders bounds the orders placed elsewhere a home keeps per
// shopper.
const MaxRemoteOrders = 2000

// ShopperOrder is what a storefront tells a shopper's home about an
// order the shopper placed there.
type ShopperOrder struct {
	// Subject is the shopper's id at the home.
	Subject string `json:"subject"`
	// Order is the storefront's order id, PlacedAt when it was placed
	// and Total what the shopper pays.
	Order    string    `json:"order"`
	PlacedAt time.Time `json:"placed_at"`
	Total    Money     `json:"total"`
}

func (so *ShopperOrder) check(errs *FieldErrors) {
	switch {
	case so.Subject == "" || len(so.Subject) > 255:
		errs.add("subject", "must be 1..255 bytes")
	case so.Order == "" || len(so.Order) > 64 || strings.Trim(so.Order, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-") != "":
		errs.add("order", "must be 1..64 letters, digits, _ or -")
	case so.PlacedAt.IsZero():
		errs.add("placed_at", "missing")
	case so.Total.Amount < 0 || len(so.Total.Currency) != 3:
		errs.add("total", "needs an amount of 0 or more and a currency code")
	}
}

// RemoteOrder is an order one of this node's shoppers placed on another
// member's storefront.
type RemoteOrder struct {
	// Member is the storefront's peer ID.
	Member   string    `json:"member"`
	Order    string    `json:"order_id"`
	PlacedAt time.Time `json:"placed_at"`
	Total    Money     `json:"total"`
}

// tellHome queues, in txn, the shopper_order message of o to its
// shopper's home when the shopper is linked to another member.
func (s *Service) tellHome(txn *badger.Txn, o *Order) error {
	var sh Shopper
	ok, err := getJSON(txn, prefixShopper+o.Shopper, &sh)
	if err != nil || !ok || sh.Issuer == "" || sh.Issuer == s.self {
		return err
	}
	_, raw, err := s.newSigned(KindShopperOrder, sh.Issuer, o.ID, func(m *Message) {
		m.ShopperOrder = &ShopperOrder{Subject: sh.Subject, Order: o.ID, PlacedAt: o.CreatedAt.UTC(), Total: o.Total}
	})
	if err != nil {
		return err
	}
	s.out.wake()
	return s.out.put(txn, sh.Issuer, raw)
}

// receiveShopperOrder keeps what a storefront says one of this node's
// shoppers ordered there, once.
func (s *Service) receiveShopperOrder(m *Message, raw []byte) ([]byte, error) {
	so := m.ShopperOrder
	unlock := s.lockKey("remote-orders/" + so.Subject)
	defer unlock()
	if answer, err := s.answered(m); answer != nil || err != nil {
		return answer, err
	}
	if err := s.budget.admitNote(m.From, s.now()); err != nil {
		return nil, err
	}
	if m.At.After(s.now().Add(maxClockSkew)) {
		return nil, fmt.Errorf("%w: message.at: %s is later than the receiver's clock", ErrInvalid, m.At.UTC().Format(time.RFC3339))
	}
	reply := mustJSON(Reply{Ack: true})
	err := s.update(func(txn *badger.Txn) error {
		var sh Shopper
		ok, err := getJSON(txn, prefixShopper+so.Subject, &sh)
		if err != nil {
			return err
		}
		if !ok || sh.Issuer != "" {
			return fmt.Errorf("%w: shopper_order.subject: %s is not a shopper of this member", ErrNotFound, so.Subject)
		}
		prefix := prefixRemoteOrder + so.Subject + "/"
		if n := len(keys(txn, prefix, "", MaxRemoteOrders)); n >= MaxRemoteOrders {
			return fmt.Errorf("%w: shopper %s has %d orders from other members kept", ErrBudget, so.Subject, n)
		}
		ro := RemoteOrder{Member: m.From, Order: so.Order, PlacedAt: so.PlacedAt.UTC(), Total: so.Total}
		if err := putJSON(txn, prefix+timeKey(ro.PlacedAt)+"/"+m.From+"/"+so.Order, ro); err != nil {
			return err
		}
		return txn.Set([]byte(prefixInbox+m.From+"/"+m.ID), reply)
	})
	if err != nil {
		return nil, err
	}
	return reply, nil
}

// RemoteOrders returns up to limit of the orders shopper placed on other
// members' storefronts, newest first.
func (s *Service) RemoteOrders(_ context.Context, shopper string, limit int) ([]RemoteOrder, error) {
	var out []RemoteOrder
	err := s.db.View(func(txn *badger.Txn) error {
		ks := keys(txn, prefixRemoteOrder+shopper+"/", "", 0)
		slices.Reverse(ks)
		for _, k := range ks {
			if limit > 0 && len(out) == limit {
				break
			}
			var ro RemoteOrder
			if _, err := getJSON(txn, k, &ro); err != nil {
				return err
			}
			out = append(out, ro)
		}
		return nil
	})
	return out, err
}
