package order

import (
	"encoding/json"
	"errors"
	"fmt"
	"time"

	badger "github.com/dgraph-io/badger/v4"
)

// Keys, all under the package's prefix "o/".
//
//	o/shopper/<id>                      shopper
//	o/shoptok/<sha256(token)>           shopper id
//	o/shopmail/<email>                  id of the shopper who signs in with it (accounts with a password)
//	o/shoppass/<shopper>                bcrypt hash of the shopper's password
//	o/shopend/<shopper>                 when the shopper last signed out (Unix seconds)
//	o/cart/<id>                         cart
//	o/order/<id>                        storefront order with its parts
//	o/sorders/<shopper>/<time>/<order>  the shopper's orders, oldest first
//	o/idem/<shopper>/<sha256(key)>      idempotent checkout: body digest, order id
//	o/home/<part>                       home part
//	o/hmerch/<merchant>/<time>/<part>   a merchant's parts, oldest first
//	o/hold/<deadline>/<part>            holds by deadline
//	o/in/<from>/<message id>            the reply a received message got
//	o/msg/<part>/<time>/<from>/<id>     every message of a part, signed
//	o/out/<peer>/<seq>                  outbox: messages not yet acknowledged
//	o/pay/<id>                          sandbox payments
//	o/refund/<part>                     refunds owed to shoppers, to be paid
const (
	prefixShopper   = "o/shopper/"
	prefixShopTok   = "o/shoptok/"
	prefixShopMail  = "o/shopmail/"
	prefixShopPass  = "o/shoppass/"
	prefixShopEnd   = "o/shopend/"
	prefixCart      = "o/cart/"
	prefixOrder     = "o/order/"
	prefixShopOrder = "o/sorders/"
	prefixIdem      = "o/idem/"
	prefixHome      = "o/home/"
	prefixMerchant  = "o/hmerch/"
	prefixHold      = "o/hold/"
	prefixInbox     = "o/in/"
	prefixMessages  = "o/msg/"
	prefixOutbox    = "o/out/"
	prefixPayment   = "o/pay/"
	prefixRefund    = "o/refund/"
)

// timeKey formats t so that keys sort by time.
func timeKey(t time.Time) string { return fmt.Sprintf("%020d", t.UnixNano()) }

func getJSON(txn *badger.Txn, key string, v any) (bool, error) {
	item, err := txn.Get([]byte(key))
	if errors.Is(err, badger.ErrKeyNotFound) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	return true, item.Value(func(b []byte) error {
		if err := json.Unmarshal(b, v); err != nil {
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
	return txn.Set([]byte(key), b)
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

// logMessage keeps a signed message of a part.
func logMessage(txn *badger.Txn, m *Message, raw []byte) error {
	return txn.Set([]byte(prefixMessages+m.Part+"/"+timeKey(m.At)+"/"+m.From+"/"+m.ID), raw)
}
