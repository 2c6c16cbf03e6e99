package node

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"

	badger "github.com/dgraph-io/badger/v4"
	"github.com/fedmart/fedmart/catalog"
	"github.com/libp2p/go-libp2p/core/crypto"
)

// StoppedMerchant is a merchant read from a stopped node's data folder.
type StoppedMerchant struct {
	catalog.Merchant
	// TokenValid says whether the token the caller offered for this
	// merchant is its current one (false when none was offered).
	TokenValid bool
}

// MerchantsData reads the merchants of the node in cfg's data folder
// while it is stopped, and checks tokens (by merchant id) against the
// hashes the catalog keeps. While the node runs it fails with
// ErrRunning: Badger lets one process at a time open a database, so the
// running node's merchants come from its API (GET /v1/merchants). A
// folder whose node never started has no merchants.
func MerchantsData(ctx context.Context, cfg Config, tokens map[string]string, log *slog.Logger) ([]StoppedMerchant, error) {
	dir := filepath.Join(cfg.DataDir, dbDirName)
	if _, err := os.Stat(dir); errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	key, err := LoadIdentity(cfg.path(cfg.Identity))
	if err != nil {
		return nil, err
	}
	db, err := OpenBadger(dir, cfg.Storage, log)
	if err != nil {
		release, lerr := lockDatabase(dir)
		if lerr != nil { // ErrRunning when the node has it open
			return nil, lerr
		}
		release()
		return nil, err
	}
	out, err := readMerchants(ctx, cfg, db, key, tokens, log)
	return out, errors.Join(err, db.Close())
}

// readMerchants opens the catalog over db as the node would and reads
// its merchants; no record is signed or sent.
func readMerchants(ctx context.Context, cfg Config, db *badger.DB, key crypto.PrivKey, tokens map[string]string, log *slog.Logger) ([]StoppedMerchant, error) {
	cat, err := catalog.Open(cfg.Catalog, db, key, nobody{}, log, nil)
	if err != nil {
		return nil, err
	}
	list, err := cat.Merchants(ctx)
	if err != nil {
		return nil, fmt.Errorf("reading merchants: %w", err)
	}
	out := make([]StoppedMerchant, 0, len(list))
	for _, m := range list {
		sm := StoppedMerchant{Merchant: m}
		if tok := tokens[m.ID]; tok != "" {
			owner, err := cat.MerchantByToken(ctx, tok)
			sm.TokenValid = err == nil && owner.ID == m.ID
		}
		out = append(out, sm)
	}
	return out, nil
}

// nobody is the membership of a catalog opened only to be read: it
// accepts no other member's records.
type nobody struct{}

func (nobody) IsMember(string) bool { return false }
