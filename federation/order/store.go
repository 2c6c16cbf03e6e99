package order

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/fedmart/fedmart/internal/storedjson"

	badger "github.com/dgraph-io/badger/v4"
	"github.com/klauspost/compress/s2"
)

// Keys, all under the package's prefix "o/".
//
//	o/shopper/<id>                      shopper
//	o/shoptok/<sha256(token)>           shopper id
//	o/shopmail/<email>                  id of the shopper who signs in with it (accounts with a password)
//	o/shoppass/<shopper>                bcrypt hash of the shopper's password
//	o/shopend/<shopper>                 when the shopper last signed out (Unix seconds)
//	o/cart/<id>                         cart
//	o/scart/<shopper>/<cart>            the shopper's open carts
//	o/ncart/<shopper>                   how many carts the shopper has open (uint64)
//	o/unpaid/<time>/<order>             orders whose manual payment is pending, by creation
//	o/order/<id>                        storefront order with its parts (packed when long: see pack)
//	o/sorders/<shopper>/<time>/<order>  the shopper's orders, oldest first
//	o/idem/<shopper>/<sha256(key)>      idempotent checkout: body digest, order id
//	o/home/<part>                       home part (packed when long)
//	o/latest/<part>                     the signed status of the home part's current state
//	o/hmerch/<merchant>/<time>/<part>   a merchant's parts, oldest first
//	o/hret/<merchant>/<part>/<return>   a merchant's returns
//	o/hiss/<merchant>/<part>/<issue>    a merchant's issues
//	o/hdue/<deadline>/<part>/<issue>/<respond|resolve>  deadlines of live issues, to remind the merchant of
//	o/hold/<deadline>/<part>            holds by deadline
//	o/ended/<time>/<part>               parts that ended without an order (expired, released), to prune
//	o/in/<from>/<message id>            the reply a received message got
//	o/msg/<part>/<time>/<from>/<id>     every message of a part, signed
//	o/pmsg/<peer>/<time>/<part>/<from>/<id>  the same, by the member on the other side (catch-up)
//	o/out/<peer>/<seq>                  outbox: messages not yet acknowledged (seq: creation time, ns)
//	o/park/<peer>/<seq>                 outbox messages that can never succeed, for the operator
//	o/floor                             no status is stamped before this time (Unix ns)
//	o/pay/<id>                          sandbox payments
//	o/refund/<part>[/<refund id>]       refunds owed to shoppers, to be paid
//	o/note/<part>/<time>/<from>/<id>    a part's conversation: every signed note (chat.go)
//	o/noteread/<side>/<part>            when the shopper's or the merchant's side last read it
//	o/hnote/<merchant>/<part>           a merchant's conversations
//	o/arb/<issue>                       a case this node holds as arbiter (arbiter.go)
//	o/arbmsg/<part>/<issue>/<time>/<from>/<id>  the arbiter's notes and decision a side received, and its notes back
const (
	prefixShopper      = "o/shopper/"
	prefixShopTok      = "o/shoptok/"
	prefixShopMail     = "o/shopmail/"
	prefixShopPass     = "o/shoppass/"
	prefixShopEnd      = "o/shopend/"
	prefixShopLink     = "o/shoplink/"  // + issuer + "/" + subject: the local shopper linked to another member's
	prefixShopLeave    = "o/shopleave/" // + shopper: the home's ID token of a linked shopper's newest sign-in
	prefixRemoteOrder  = "o/rorders/"   // + shopper + "/" + time + "/" + member + "/" + order: orders placed elsewhere
	prefixCart         = "o/cart/"
	prefixShopCart     = "o/scart/"
	prefixOpenCarts    = "o/ncart/"
	prefixUnpaid       = "o/unpaid/"
	prefixOrder        = "o/order/"
	prefixShopOrder    = "o/sorders/"
	prefixIdem         = "o/idem/"
	prefixHome         = "o/home/"
	prefixMerchant     = "o/hmerch/"
	prefixHomeReturn   = "o/hret/"
	prefixHomeIssue    = "o/hiss/"
	prefixIssueDue     = "o/hdue/"
	prefixHold         = "o/hold/"
	prefixEnded        = "o/ended/"
	prefixInbox        = "o/in/"
	prefixMessages     = "o/msg/"
	prefixPeerMessages = "o/pmsg/"
	prefixOutbox       = "o/out/"
	prefixParked       = "o/park/"
	prefixLatest       = "o/latest/"
	keyFloor           = "o/floor"
	prefixPayment      = "o/pay/"
	prefixRefund       = "o/refund/"
	// A storefront's coupons: the code, the uses of each shopper, and
	// one record per use (coupon.go).
	prefixCoupon        = "o/coupon/"
	prefixCouponShopper = "o/cpshop/"
	prefixCouponUse     = "o/cpuse/"
)

// timeKey formats t so that keys sort by time.
func timeKey(t time.Time) string { return fmt.Sprintf("%020d", t.UnixNano()) }

// getJSON reads the state stored under key into v, reporting whether
// there was any (see storedjson).
func getJSON(txn *badger.Txn, key string, v any) (bool, error) {
	item, err := txn.Get([]byte(key))
	if errors.Is(err, badger.ErrKeyNotFound) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	return true, item.Value(func(b []byte) error {
		b, err := unpack(b)
		if err == nil {
			err = storedjson.Unmarshal(b, v)
		}
		if err != nil {
			return fmt.Errorf("order: stored %s: %w", key, err)
		}
		return nil
	})
}

func putJSON(txn *badger.Txn, key string, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("order: encoding %s: %w", key, err)
	}
	if len(b) > packAbove && (strings.HasPrefix(key, prefixOrder) || strings.HasPrefix(key, prefixHome)) {
		b = pack(b)
	}
	return txn.Set([]byte(key), b)
}

// A storefront's order and a home part are rewritten whole at each
// status they take. An order of two parts is past Badger's value
// threshold (node.ValueThreshold, 1 KiB) as JSON: Badger then writes it
// to its value log as well, and the flush that makes the status durable
// syncs that log besides the memtable's. A home part is near it. So
// putJSON stores those two, when longer than packAbove, compressed with
// S2 (github.com/klauspost/compress, which Badger already uses for its
// tables) behind the byte packed: about half the bytes, an order of a
// few parts under the threshold, for 2 µs to pack and 1 µs to unpack.
// Other values are short or written once, and stay plain. No JSON value
// starts with a NUL byte, so getJSON tells the two apart, and what an
// earlier build stored reads as it did. A build before this one cannot
// read a packed value: a node is not downgraded past it.
const (
	packed    = 0x00
	packAbove = 512
)

// pack returns b compressed behind the byte packed, or b itself when
// that would not be shorter.
func pack(b []byte) []byte {
	out := make([]byte, 1+s2.MaxEncodedLen(len(b)))
	out[0] = packed
	out = out[:1+len(s2.Encode(out[1:], b))]
	if len(out) >= len(b) {
		return b
	}
	return out
}

// unpack returns the JSON of a stored value: b itself, or b unpacked
// when pack wrote it.
func unpack(b []byte) ([]byte, error) {
	if len(b) == 0 || b[0] != packed {
		return b, nil
	}
	return s2.Decode(nil, b[1:])
}

func getRaw(txn *badger.Txn, key string) ([]byte, error) {
	item, err := txn.Get([]byte(key))
	if errors.Is(err, badger.ErrKeyNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return item.ValueCopy(nil)
}

// keys lists the keys under prefix, after start (exclusive, "" for all),
// at most limit (0 for all).
func keys(txn *badger.Txn, prefix, after string, limit int) []string {
	opts := badger.DefaultIteratorOptions
	opts.PrefetchValues = false
	opts.Prefix = []byte(prefix)
	it := txn.NewIterator(opts)
	defer it.Close()
	var out []string
	start := prefix
	if after != "" {
		start = after + "\x00"
	}
	for it.Seek([]byte(start)); it.Valid(); it.Next() {
		out = append(out, string(it.Item().Key()))
		if limit > 0 && len(out) == limit {
			break
		}
	}
	return out
}

// logMessage keeps a signed message of a part, indexed by the member on
// the other side of it (for catch-up), unless both sides are this node.
func (s *Service) logMessage(txn *badger.Txn, m *Message, raw []byte) error {
	suffix := timeKey(m.At) + "/" + m.Part + "/" + m.From + "/" + m.ID
	if err := txn.Set([]byte(prefixMessages+m.Part+"/"+timeKey(m.At)+"/"+m.From+"/"+m.ID), raw); err != nil {
		return err
	}
	other := m.From
	if other == s.self {
		other = m.To
	}
	if other == s.self || (m.Status != nil && !knownStatus(m.Status.Status)) { // home-only states never travel
		return nil
	}
	return txn.Set([]byte(prefixPeerMessages+other+"/"+suffix), nil)
}

// loggedMessage reports whether the log of part holds message id from.
func loggedMessage(txn *badger.Txn, part, from, id string) bool {
	for _, k := range keys(txn, prefixMessages+part+"/", "", 0) {
		if strings.HasSuffix(k, "/"+from+"/"+id) {
			return true
		}
	}
	return false
}

// loggedID is loggedMessage in a transaction of its own.
func (s *Service) loggedID(part, from, id string) bool {
	found := false
	_ = s.db.View(func(txn *badger.Txn) error { found = loggedMessage(txn, part, from, id); return nil })
	return found
}

// loggedStatus returns the logged status message of part signed by from
// with sequence seq (the highest, when seq is 0), or nil.
func loggedStatus(txn *badger.Txn, part, from string, seq uint64) ([]byte, error) {
	var best []byte
	var bestSeq uint64
	for _, k := range keys(txn, prefixMessages+part+"/", "", 0) {
		raw, err := getRaw(txn, k)
		if err != nil {
			return nil, err
		}
		m, err := DecodeMessage(raw)
		if err != nil || m.Kind != KindStatus || m.From != from {
			continue
		}
		if m.Status.Seq == seq || (seq == 0 && m.Status.Seq > bestSeq) {
			best, bestSeq = raw, m.Status.Seq
		}
	}
	return best, nil
}

// reverseKeys lists keys under prefix, newest (greatest) first, before
// prefix+cursor when cursor is set.
func reverseKeys(txn *badger.Txn, prefix, cursor string, limit int) []string {
	opts := badger.DefaultIteratorOptions
	opts.PrefetchValues, opts.Reverse, opts.Prefix = false, true, []byte(prefix)
	it := txn.NewIterator(opts)
	defer it.Close()
	start := prefix + "\xff"
	if cursor != "" {
		start = prefix + cursor
	}
	var out []string
	for it.Seek([]byte(start)); it.Valid() && len(out) < limit; it.Next() {
		k := string(it.Item().Key())
		if cursor != "" && k == prefix+cursor {
			continue
		}
		out = append(out, k)
	}
	return out
}

// loggedRequestTxn is loggedRequest in txn.
func (s *Service) loggedRequestTxn(txn *badger.Txn, part, kind, from string) (*Message, error) {
	var out *Message
	for _, k := range keys(txn, prefixMessages+part+"/", "", 0) {
		raw, err := getRaw(txn, k)
		if err != nil {
			return nil, err
		}
		if m, err := DecodeMessage(raw); err == nil && m.Kind == kind && m.From == from {
			out = m
		}
	}
	if out == nil {
		return nil, fmt.Errorf("%w: no %s of part %s from %s", ErrNotFound, kind, part, shortPeer(from))
	}
	return out, nil
}
