package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"text/tabwriter"
	"time"

	"github.com/fedmart/fedmart/node"
	"github.com/spf13/cobra"
)

// apiMerchant is a merchant as GET /v1/merchants lists it; Token is set
// only when the demo kept a token for it that still works.
type apiMerchant struct {
	ID        string    `json:"id"`
	Name      string    `json:"name"`
	CreatedAt time.Time `json:"created_at"`
	Token     string    `json:"-"`
}

// merchantsFromAPI asks a running node for its merchants.
func merchantsFromAPI(cmd *cobra.Command, c nodeClient) ([]apiMerchant, error) {
	b, err := c.call(cmd, http.MethodGet, "/v1/merchants", nil)
	if err != nil {
		return nil, err
	}
	var list struct {
		Merchants []apiMerchant `json:"merchants"`
	}
	if err := json.Unmarshal(b, &list); err != nil {
		return nil, fmt.Errorf("unexpected answer: %w", err)
	}
	return list.Merchants, nil
}

// nodeFolders are the node folders under dir: dir itself when it holds a
// fedmart.yaml, else its sub-folders that do (a demo's members), by name.
func nodeFolders(dir string) ([]string, error) {
	if _, err := os.Stat(filepath.Join(dir, node.ConfigFile)); err == nil {
		return []string{dir}, nil
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("--data: %w", err)
	}
	var out []string
	for _, e := range entries {
		sub := filepath.Join(dir, e.Name())
		if _, err := os.Stat(filepath.Join(sub, node.ConfigFile)); e.IsDir() && err == nil {
			out = append(out, sub)
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("--data: %s holds no node (no %s in it or in a folder under it)", dir, node.ConfigFile)
	}
	sort.Strings(out)
	return out, nil
}

// listFromData prints the merchants of every node folder under dir.
func listFromData(cmd *cobra.Command, dir string) error {
	folders, err := nodeFolders(dir)
	if err != nil {
		return err
	}
	out := cmd.OutOrStdout()
	tokenless := false
	for i, d := range folders {
		cfg, err := node.LoadConfig(d)
		if err != nil {
			return err
		}
		list, how, err := merchantsOf(cmd, cfg)
		if err != nil {
			return fmt.Errorf("%s: %w", d, err)
		}
		if i > 0 {
			fmt.Fprintln(out)
		}
		fmt.Fprintf(out, "%s (%s, %s)\n", cfg.Name, d, how)
		if len(list) == 0 {
			fmt.Fprintln(out, "  no merchants yet")
			continue
		}
		w := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
		fmt.Fprintln(w, "  id\tname\tadded\ttoken")
		for _, m := range list {
			tok := m.Token
			if tok == "" {
				tok, tokenless = "-", true
			}
			fmt.Fprintf(w, "  %s\t%s\t%s\t%s\n", m.ID, m.Name, m.CreatedAt.UTC().Format(time.DateTime+" MST"), tok)
		}
		if err := w.Flush(); err != nil {
			return err
		}
	}
	if tokenless {
		fmt.Fprintf(out, `
A node keeps only a hash of a merchant's token: "-" cannot be shown. Give
that merchant a new token (the old one stops working) with:
  fedmart merchant rotate-token ID --api URL --token @DIR/operator.token --out ID.token
`)
	}
	return nil
}

// merchantsOf reads the merchants of the node cfg describes: from its
// database while it is stopped, else through its API with its operator
// token. Tokens the demo kept in the folder are shown when they work.
func merchantsOf(cmd *cobra.Command, cfg node.Config) ([]apiMerchant, string, error) {
	kept, err := loadDemoTokens(cfg.DataDir)
	if err != nil {
		return nil, "", err
	}
	log := slog.New(slog.NewTextHandler(cmd.ErrOrStderr(), &slog.HandlerOptions{Level: slog.LevelWarn}))
	stopped, err := node.MerchantsData(cmd.Context(), cfg, kept, log)
	if err == nil {
		out := make([]apiMerchant, 0, len(stopped))
		for _, m := range stopped {
			am := apiMerchant{ID: m.ID, Name: m.Name, CreatedAt: m.CreatedAt}
			if m.TokenValid {
				am.Token = kept[m.ID]
			}
			out = append(out, am)
		}
		return out, "stopped: read from its database", nil
	}
	if !errors.Is(err, node.ErrRunning) {
		return nil, "", err
	}
	base, err := apiBase(cfg, "")
	if err != nil {
		return nil, "", err
	}
	operator := nodeClient{api: base, token: "@" + dataPath(cfg, cfg.OperatorTokenFile)}
	list, err := merchantsFromAPI(cmd, operator)
	if err != nil {
		return nil, "", fmt.Errorf("the node runs (its database is locked), but its API at %s did not list its merchants: %w", base, err)
	}
	for i, m := range list {
		if tok := kept[m.ID]; tok != "" && tokenWorks(cmd, base, tok) {
			list[i].Token = tok
		}
	}
	return list, "running at " + base, nil
}

// tokenWorks asks the running node whether a merchant token is current:
// the merchant's own order list answers it and nobody else.
func tokenWorks(cmd *cobra.Command, base, token string) bool {
	_, err := apiCall(cmd.Context(), http.MethodGet, base+"/v1/merchant/orders?limit=1", token, nil)
	return err == nil
}
