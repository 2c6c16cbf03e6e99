package order

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"net/mail"
	"strings"
	"sync"
	"time"

	badger "github.com/dgraph-io/badger/v4"
	"golang.org/x/crypto/bcrypt"
)

// Shopper is an account on this storefront.
type Shopper struct {
	ID    string `json:"id"`
	Name  string `json:"name"`
	Email string `json:"email"`
	// Lang is the language the shopper used on the storefront when
	// signing up (a BCP 47 tag such as "en" or "zh"); "" when unknown.
	// Their e-mail is written in it.
	Lang      string    `json:"lang,omitempty"`
	CreatedAt time.Time `json:"created_at"`
	// Issuer and Subject link an account opened by signing in with
	// another member (OpenID Connect): Issuer is that member's peer ID,
	// the shopper's home, and Subject the shopper's id there. Both are
	// empty for a shopper of this storefront.
	Issuer  string `json:"issuer,omitempty"`
	Subject string `json:"subject,omitempty"`
}

// ShopperInput is what sign-up asks. Password is optional: an account
// opened through the API lives on its bearer token, one opened on the
// storefront's pages signs in with its e-mail address and password.
type ShopperInput struct {
	Name     string `json:"name"`
	Email    string `json:"email"`
	Password string `json:"password,omitempty"`
	// Lang is the language the shopper uses (optional, at most 35 bytes).
	Lang string `json:"lang,omitempty"`
}

// MinPasswordLen is the shortest password accepted.
const MinPasswordLen = 8

// Validate names every bad field.
func (in ShopperInput) Validate() error {
	var errs FieldErrors
	if n := strings.TrimSpace(in.Name); n == "" || len(n) > 200 {
		errs.add("name", "must be 1..200 characters")
	}
	if a, err := mail.ParseAddress(in.Email); err != nil || a.Address != in.Email || len(in.Email) > 254 {
		errs.add("email", "must be a plain e-mail address such as ada@example.org")
	}
	// bcrypt reads at most 72 bytes: a longer password would be cut silently.
	if n := len(in.Password); n > 0 && (n < MinPasswordLen || n > 72) {
		errs.add("password", "must be %d..72 characters", MinPasswordLen)
	}
	if len(in.Lang) > 35 || strings.ContainsAny(in.Lang, " \t\r\n") {
		errs.add("lang", "must be a language tag such as en or zh")
	}
	return errs.err()
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

func tokenKey(token string) string {
	sum := sha256.Sum256([]byte(token))
	return prefixShopTok + hex.EncodeToString(sum[:])
}

// CreateShopper opens an account and returns it with its bearer token,
// which is shown once: only its hash is kept.
//
// Only an account with a password signs in by e-mail address, so only it
// claims the address on this storefront: a second one is a FieldErrors
// naming "email". An account without one (opened through the API, which
// cannot prove the address is the caller's) keeps its address as a
// contact that other accounts may share, so that the API can neither
// tell whether an address is registered nor take it from its owner.
func (s *Service) CreateShopper(ctx context.Context, in ShopperInput) (Shopper, string, error) {
	if err := in.Validate(); err != nil {
		return Shopper{}, "", err
	}
	sh := Shopper{ID: "shp_" + randomHex(8), Name: strings.TrimSpace(in.Name), Email: strings.ToLower(in.Email), Lang: in.Lang, CreatedAt: s.now().UTC()}
	token := "st_" + randomHex(24)
	var hash []byte
	if in.Password != "" {
		var err error
		if hash, err = bcrypt.GenerateFromPassword([]byte(in.Password), bcrypt.DefaultCost); err != nil {
			return Shopper{}, "", fmt.Errorf("order: hashing password: %w", err)
		}
	}
	if hash != nil {
		unlock := s.lockKey("email/" + sh.Email)
		defer unlock()
	}
	err := s.update(func(txn *badger.Txn) error {
		if hash != nil {
			if err := claimEmail(txn, sh, hash); err != nil {
				return err
			}
		}
		if err := putJSON(txn, prefixShopper+sh.ID, sh); err != nil {
			return err
		}
		return txn.Set([]byte(tokenKey(token)), []byte(sh.ID))
	})
	if err != nil {
		return Shopper{}, "", err
	}
	return sh, token, ctx.Err()
}

// claimEmail makes sh's address its sign-in name, with the password's
// hash, unless another account signs in with it.
func claimEmail(txn *badger.Txn, sh Shopper, hash []byte) error {
	if raw, err := getRaw(txn, prefixShopMail+sh.Email); err != nil || raw != nil {
		if err == nil {
			err = FieldErrors{{Field: "email", Message: "is already registered on this storefront"}}
		}
		return err
	}
	if err := txn.Set([]byte(prefixShopMail+sh.Email), []byte(sh.ID)); err != nil {
		return err
	}
	return txn.Set([]byte(prefixShopPass+sh.ID), hash)
}

// ShopperByToken authenticates a shopper's bearer token.
func (s *Service) ShopperByToken(_ context.Context, token string) (Shopper, error) {
	var sh Shopper
	err := s.db.View(func(txn *badger.Txn) error {
		id, err := getRaw(txn, tokenKey(token))
		if err != nil || id == nil {
			if err == nil {
				err = fmt.Errorf("%w: shopper token", ErrNotFound)
			}
			return err
		}
		ok, err := getJSON(txn, prefixShopper+string(id), &sh)
		if err == nil && !ok {
			err = fmt.Errorf("%w: shopper %s", ErrNotFound, id)
		}
		return err
	})
	return sh, err
}

// ShopperByEmail finds the shopper who signs in with an e-mail address
// (for sign-in pages); accounts without a password are not found by it.
func (s *Service) ShopperByEmail(_ context.Context, email string) (Shopper, error) {
	var sh Shopper
	err := s.db.View(func(txn *badger.Txn) error {
		id, err := getRaw(txn, prefixShopMail+strings.ToLower(email))
		if err != nil || id == nil {
			if err == nil {
				err = fmt.Errorf("%w: shopper %s", ErrNotFound, email)
			}
			return err
		}
		_, err = getJSON(txn, prefixShopper+string(id), &sh)
		return err
	})
	return sh, err
}

// ErrBadCredentials is Authenticate's answer to an unknown address, a
// wrong password or an account without one; it does not say which.
var ErrBadCredentials = errors.New("e-mail address or password is wrong")

// Authenticate signs a shopper in with e-mail address and password.
func (s *Service) Authenticate(ctx context.Context, email, password string) (Shopper, error) {
	sh, err := s.ShopperByEmail(ctx, email)
	var hash []byte
	if err == nil {
		err = s.db.View(func(txn *badger.Txn) (err error) { hash, err = getRaw(txn, prefixShopPass+sh.ID); return err })
	}
	switch {
	case errors.Is(err, ErrNotFound):
	case err != nil:
		return Shopper{}, err
	}
	if hash == nil {
		// Compare anyway, so that an unknown address takes as long as a
		// wrong password.
		_ = bcrypt.CompareHashAndPassword(dummyHash(), []byte(password))
		return Shopper{}, ErrBadCredentials
	}
	if bcrypt.CompareHashAndPassword(hash, []byte(password)) != nil {
		return Shopper{}, ErrBadCredentials
	}
	return sh, nil
}

// dummyHash is compared against when there is no hash to compare; made
// at the first need, not in every program that links the package.
var dummyHash = sync.OnceValue(func() []byte {
	h, _ := bcrypt.GenerateFromPassword([]byte("fedmart-no-such-shopper"), bcrypt.DefaultCost)
	return h
})

// Shopper returns the shopper with id, or ErrNotFound.
func (s *Service) Shopper(_ context.Context, id string) (Shopper, error) {
	var sh Shopper
	err := s.db.View(func(txn *badger.Txn) error {
		ok, err := getJSON(txn, prefixShopper+id, &sh)
		if err == nil && !ok {
			err = fmt.Errorf("%w: shopper %s", ErrNotFound, id)
		}
		return err
	})
	return sh, err
}

// EndSessions ends every storefront page session of shopper begun before
// now: a signed cookie cannot be taken back, so the pages ask
// SessionsEndedAt at each request, and signing out ends the shopper's
// sessions everywhere, a copied cookie's included.
func (s *Service) EndSessions(_ context.Context, shopper string) error {
	at := binary.BigEndian.AppendUint64(nil, uint64(s.now().Unix()))
	return s.update(func(txn *badger.Txn) error { return txn.Set([]byte(prefixShopEnd+shopper), at) })
}

// SessionsEndedAt returns when shopper's sessions were last ended, to the
// second; zero if never.
func (s *Service) SessionsEndedAt(_ context.Context, shopper string) (time.Time, error) {
	var raw []byte
	err := s.db.View(func(txn *badger.Txn) (err error) { raw, err = getRaw(txn, prefixShopEnd+shopper); return err })
	if err != nil || len(raw) != 8 {
		return time.Time{}, err
	}
	return time.Unix(int64(binary.BigEndian.Uint64(raw)), 0), nil
}
