package order

import (
	"context"
	"fmt"
	"net/mail"
	"strings"

	badger "github.com/dgraph-io/badger/v4"
)

// A shopper whose account lives on another member (its home) signs in
// here through that member's OpenID Provider. The storefront then keeps
// a local shopper linked to (issuer, subject): the cart, the addresses
// and the orders placed here are here; the account is the home's. No
// password is kept for it, and its e-mail address claims nothing here.

// Link is who another member says a shopper is.
type Link struct {
	// Issuer is the home member's peer ID, Subject the shopper's id there.
	Issuer, Subject string
	// Name and Email are what the home tells; either may be empty.
	Name, Email string
	// Lang is the language the shopper uses here.
	Lang string
	// Leave is the home's ID token of this sign-in, which the home takes
	// back as the shopper's leave for this storefront to hold its points
	// (spendLeave); the newest sign-in's is kept.
	Leave []byte
}

// LinkedShopper returns the local shopper linked to l's issuer and
// subject, opening one at the first sign-in. Later sign-ins find the
// same shopper, whatever name or address the home tells then.
func (s *Service) LinkedShopper(ctx context.Context, l Link) (Shopper, error) {
	var errs FieldErrors
	if l.Issuer == "" || len(l.Issuer) > 128 {
		errs.add("issuer", "must be 1..128 bytes")
	}
	if l.Subject == "" || len(l.Subject) > 255 || strings.Contains(l.Subject, "/") {
		errs.add("subject", "must be 1..255 bytes without a slash")
	}
	if err := errs.err(); err != nil {
		return Shopper{}, err
	}
	key := prefixShopLink + l.Issuer + "/" + l.Subject
	unlock := s.lockKey(key)
	defer unlock()
	var sh Shopper
	err := s.update(func(txn *badger.Txn) error {
		id, err := getRaw(txn, key)
		if err != nil {
			return err
		}
		if id != nil && len(l.Leave) > 0 {
			if err := txn.Set([]byte(prefixShopLeave+string(id)), l.Leave); err != nil {
				return err
			}
		}
		if id != nil {
			ok, err := getJSON(txn, prefixShopper+string(id), &sh)
			if err == nil && !ok {
				err = fmt.Errorf("%w: shopper %s", ErrNotFound, id)
			}
			return err
		}
		sh = Shopper{ID: "shp_" + randomHex(8), Name: linkName(l), Email: linkEmail(l.Email), Lang: l.Lang,
			CreatedAt: s.now().UTC(), Issuer: l.Issuer, Subject: l.Subject}
		if len(sh.Lang) > 35 {
			sh.Lang = ""
		}
		if err := putJSON(txn, prefixShopper+sh.ID, sh); err != nil {
			return err
		}
		if len(l.Leave) > 0 {
			if err := txn.Set([]byte(prefixShopLeave+sh.ID), l.Leave); err != nil {
				return err
			}
		}
		return txn.Set([]byte(key), []byte(sh.ID))
	})
	if err != nil {
		return Shopper{}, err
	}
	return sh, ctx.Err()
}

func linkName(l Link) string {
	n := strings.TrimSpace(l.Name)
	if n == "" {
		n = linkEmail(l.Email)
	}
	if n == "" {
		n = "Shopper"
	}
	if len(n) > 200 {
		n = n[:200]
	}
	return strings.ToValidUTF8(n, "")
}

func linkEmail(e string) string {
	if a, err := mail.ParseAddress(e); err == nil && a.Address == e && len(e) <= 254 {
		return strings.ToLower(e)
	}
	return ""
}

// ShopperHome returns the member a shopper's account lives on and its id
// there: the issuer and subject of a linked shopper, this node and the
// shopper's own id for a shopper of this storefront.
func (s *Service) ShopperHome(sh Shopper) (home, subject string) {
	if sh.Issuer != "" {
		return sh.Issuer, sh.Subject
	}
	return s.self, sh.ID
}
