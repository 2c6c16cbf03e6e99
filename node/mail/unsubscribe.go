package mail

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"net/url"
	"strings"

	badger "github.com/dgraph-io/badger/v4"
)

// Unsubscribing: a notification letter (IsNotification) carries a link
// to the storefront's unsubscribe page, in its footer and in the
// List-Unsubscribe header with List-Unsubscribe-Post (RFC 8058: a mail
// client unsubscribes with one POST). The link holds the address and an
// HMAC of it under the node's secret, so no sign-in is needed and nobody
// can unsubscribe an address they were not mailed at. The preference is
// kept per address under "e/u/"; Enqueue does not queue a notification to
// an address that unsubscribed, in the transaction of the change that
// causes it. Transactional letters are always queued.

const prefixUnsub = "e/u/" // + sha256(address) hex -> nil: notifications off

func unsubKey(addr string) []byte {
	sum := sha256.Sum256([]byte(strings.ToLower(addr)))
	return []byte(prefixUnsub + hex.EncodeToString(sum[:]))
}

// Token is the HMAC of an address that proves an unsubscribe link came
// in a letter to it.
func (q *Queue) Token(addr string) string {
	m := hmac.New(sha256.New, q.opt.Secret)
	m.Write([]byte("unsubscribe\x00" + strings.ToLower(addr)))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil)[:18])
}

// ValidToken reports whether token is addr's.
func (q *Queue) ValidToken(addr, token string) bool {
	return len(q.opt.Secret) > 0 && addr != "" && hmac.Equal([]byte(token), []byte(q.Token(addr)))
}

// UnsubscribeURL is the link that turns notifications off for addr: the
// storefront's page (Options.UnsubscribeURL) with the address, its token
// and the language of the page (lang, when letters are written in it);
// "" when the node has no page or secret for it.
func (q *Queue) UnsubscribeURL(addr, lang string) string {
	if q.opt.UnsubscribeURL == nil || q.opt.UnsubscribeURL() == "" || len(q.opt.Secret) == 0 {
		return ""
	}
	v := url.Values{"a": {strings.ToLower(addr)}, "t": {q.Token(addr)}}
	if l := Language(lang); l != "" {
		v.Set("l", l)
	}
	return q.opt.UnsubscribeURL() + "?" + v.Encode()
}

// Unsubscribed reports whether addr turned notifications off.
func (q *Queue) Unsubscribed(_ context.Context, addr string) (bool, error) {
	var off bool
	err := q.db.View(func(txn *badger.Txn) (err error) { off, err = unsubscribedIn(txn, addr); return err })
	return off, err
}

// SetUnsubscribed turns notifications to addr off (off) or back on.
func (q *Queue) SetUnsubscribed(_ context.Context, addr string, off bool) error {
	return q.db.Update(func(txn *badger.Txn) error {
		if off {
			return txn.Set(unsubKey(addr), nil)
		}
		return txn.Delete(unsubKey(addr))
	})
}

func unsubscribedIn(txn *badger.Txn, addr string) (bool, error) {
	switch _, err := txn.Get(unsubKey(addr)); err {
	case nil:
		return true, nil
	case badger.ErrKeyNotFound:
		return false, nil
	default:
		return false, err
	}
}

// Queued reports whether a message with key was queued in txn's view:
// one event's letter, whether or not it is still kept.
func (q *Queue) Queued(txn *badger.Txn, key string) (bool, error) {
	switch _, err := txn.Get(keyOf(key)); err {
	case nil:
		return true, nil
	case badger.ErrKeyNotFound:
		return false, nil
	default:
		return false, err
	}
}
