package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/fedmart/fedmart/node"
)

// The demo prints its merchants' tokens on every start, a restart with
// --data included, so that the walk-through can always be followed. A
// node keeps only a hash of each token, so the demo keeps the tokens it
// handed out itself, in demoTokensFile in each member's folder: beside
// operator.token, with the same mode 0600, and like it a secret of that
// folder. Keeping them (rather than giving every merchant a new token at
// every start) leaves the merchants' console sessions, and any token a
// visitor copied, working across restarts. A kept token that no longer
// works (the file was lost, or the token was replaced in the dashboard or
// through the API meanwhile) is replaced at start, and the demo says so.

// demoTokensFile holds, in a demo member's folder, its merchants' tokens
// by merchant id (JSON).
const demoTokensFile = "demo-merchant-tokens.json"

// demoMerchant is a merchant of a demo member, with a working token.
type demoMerchant struct {
	Member, ID, Name, Token string
	Listings                int
	// Replaced says that the kept token did not work and this start gave
	// the merchant a new one.
	Replaced bool
}

// loadDemoTokens reads the tokens kept in dir; a folder without the
// file keeps none.
func loadDemoTokens(dir string) (map[string]string, error) {
	b, err := os.ReadFile(filepath.Join(dir, demoTokensFile))
	if errors.Is(err, fs.ErrNotExist) {
		return map[string]string{}, nil
	}
	if err != nil {
		return nil, err
	}
	tokens := map[string]string{}
	if err := json.Unmarshal(b, &tokens); err != nil {
		return nil, fmt.Errorf("%s: %w", filepath.Join(dir, demoTokensFile), err)
	}
	return tokens, nil
}

// saveDemoTokens replaces the tokens kept in dir: written to a
// temporary file (mode 0600), synced, then renamed over the old one.
func saveDemoTokens(dir string, tokens map[string]string) error {
	b, err := json.MarshalIndent(tokens, "", "  ")
	if err != nil {
		return err
	}
	path := filepath.Join(dir, demoTokensFile)
	f, err := os.CreateTemp(dir, demoTokensFile+".*")
	if err != nil {
		return err
	}
	defer os.Remove(f.Name()) // fails once renamed
	if err := f.Chmod(0o600); err == nil {
		_, err = f.Write(append(b, '\n'))
		if err == nil {
			err = f.Sync()
		}
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return os.Rename(f.Name(), path)
}

// demoMerchants returns every member's merchants, each with a token
// that works: the one seeded just now, the one kept from an earlier
// start, or, when the kept one does not work, a new one. It keeps the
// tokens for the next start.
func demoMerchants(ctx context.Context, c *node.Cluster, seeded []node.SeededMerchant) ([]demoMerchant, error) {
	var out []demoMerchant
	for _, n := range c.Nodes {
		cat := n.Catalog()
		kept, err := loadDemoTokens(n.DataDir())
		if err != nil {
			return nil, err
		}
		listings := map[string]int{}
		for _, s := range seeded {
			if s.Member != n.Name() {
				continue
			}
			m, err := cat.MerchantByToken(ctx, s.Token)
			if err != nil {
				return nil, fmt.Errorf("%s: seeded merchant %s: %w", n.Name(), s.Name, err)
			}
			kept[m.ID], listings[m.ID] = s.Token, s.Listings
		}
		merchants, err := cat.Merchants(ctx)
		if err != nil {
			return nil, err
		}
		keep := map[string]string{}
		for _, m := range merchants {
			dm := demoMerchant{Member: n.Name(), ID: m.ID, Name: m.Name, Token: kept[m.ID]}
			if owner, err := cat.MerchantByToken(ctx, dm.Token); dm.Token == "" || err != nil || owner.ID != m.ID {
				if dm.Token, err = cat.RotateMerchantToken(ctx, m.ID); err != nil {
					return nil, fmt.Errorf("%s: a new token for %s: %w", n.Name(), m.Name, err)
				}
				dm.Replaced = true
			}
			if count, ok := listings[m.ID]; ok {
				dm.Listings = count
			} else if dm.Listings, err = countListings(ctx, n, m.ID); err != nil {
				return nil, err
			}
			keep[m.ID] = dm.Token
			out = append(out, dm)
		}
		if err := saveDemoTokens(n.DataDir(), keep); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// countListings counts a merchant's live listings on its home node.
func countListings(ctx context.Context, n *node.Node, merchantID string) (int, error) {
	count, cursor := 0, ""
	for {
		page, next, err := n.Catalog().MerchantListings(ctx, merchantID, cursor, 500)
		if err != nil {
			return 0, err
		}
		count += len(page)
		if next == "" {
			return count, nil
		}
		cursor = next
	}
}
