package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"
)

func newMerchant() *cobra.Command {
	cmd := &cobra.Command{Use: "merchant", Short: "Add merchants to a node, list them, and replace their tokens"}
	cmd.AddCommand(newMerchantAdd(), newMerchantList(), newMerchantRotate())
	return cmd
}

// tokenOut writes a merchant's new token: to FILE (mode 0600, never
// overwriting one) when --out is given, else to stdout.
func tokenOut(cmd *cobra.Command, out, id, token string) error {
	if out == "" {
		fmt.Fprintf(cmd.OutOrStdout(), "merchant %s\ntoken    %s\n", id, token)
		return nil
	}
	f, err := os.OpenFile(out, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return fmt.Errorf("--out: %w", err)
	}
	if _, err := fmt.Fprintln(f, token); err != nil {
		f.Close()
		return fmt.Errorf("--out: %w", err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("--out: %w", err)
	}
	fmt.Fprintf(cmd.OutOrStdout(), "merchant %s\ntoken    written to %s (use it as --token @%s)\n", id, out, out)
	return nil
}

func newMerchantAdd() *cobra.Command {
	var (
		node nodeClient
		out  string
	)
	cmd := &cobra.Command{
		Use:     "add NAME --api URL --token @FILE",
		Short:   "Add a merchant to the node; its token is shown once",
		Example: `  fedmart merchant add "Ferro Works" --api http://127.0.0.1:8081 --token @alpha/operator.token --out ferro.token`,
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			body, _ := json.Marshal(map[string]string{"name": args[0]})
			b, err := node.call(cmd, http.MethodPost, "/v1/merchants", bytes.NewReader(body))
			if err != nil {
				return err
			}
			var m struct{ ID, Token string }
			if err := json.Unmarshal(b, &m); err != nil {
				return fmt.Errorf("unexpected answer: %w", err)
			}
			return tokenOut(cmd, out, m.ID, m.Token)
		},
	}
	node.flags(cmd, "operator", false)
	cmd.Flags().StringVar(&out, "out", "", "write the token to this new file (mode 0600) instead of stdout")
	return cmd
}

func newMerchantList() *cobra.Command {
	var (
		node nodeClient
		dir  string
	)
	cmd := &cobra.Command{
		Use:   "list (--api URL --token @FILE | --data DIR)",
		Short: "List the node's merchants, through its API or from its data folder",
		Long: `list shows the node's merchants: id, name, and when they were added.

With --api and the operator token it asks the node's API. With --data DIR
it needs neither: DIR is a node's data folder (or a demo's, holding one
folder per member), and list reads the database there while the node is
stopped, or, while it runs (it holds the database's lock), asks its API at
api.listen with DIR's operator token.

A node keeps only a hash of each merchant's token, so list cannot show a
token, except those the demo handed out and keeps in each member's folder
(` + demoTokensFile + `), shown when they still work. A merchant whose
token was lost gets a new one from the operator:
fedmart merchant rotate-token ID --api URL --token @DIR/operator.token.`,
		Example: `  fedmart merchant list --api http://127.0.0.1:8081 --token @alpha/operator.token
  fedmart merchant list --data ./alpha
  fedmart merchant list --data ./demo      # every member of a demo started with --data ./demo`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			switch {
			case dir != "" && node.api != "":
				return fmt.Errorf("--data and --api: give one of them")
			case dir != "":
				return listFromData(cmd, dir)
			case node.api == "":
				return fmt.Errorf("--api or --data: required")
			}
			list, err := merchantsFromAPI(cmd, node)
			if err != nil {
				return err
			}
			w := tabwriter.NewWriter(cmd.OutOrStdout(), 0, 4, 2, ' ', 0)
			fmt.Fprintln(w, "id\tname\tadded")
			for _, m := range list {
				fmt.Fprintf(w, "%s\t%s\t%s\n", m.ID, m.Name, m.CreatedAt.UTC().Format(time.DateTime+" MST"))
			}
			return w.Flush()
		},
	}
	node.flags(cmd, "operator", false)
	cmd.Flags().StringVar(&dir, "data", "", "a node's data folder (or a demo's): read it, or ask the running node")
	// --data needs no --api.
	delete(cmd.Flags().Lookup("api").Annotations, cobra.BashCompOneRequiredFlag)
	return cmd
}

func newMerchantRotate() *cobra.Command {
	var (
		node nodeClient
		out  string
	)
	cmd := &cobra.Command{
		Use:   "rotate-token [ID] --api URL --token @FILE",
		Short: "Replace a merchant's token; the old one stops working at once",
		Long: `rotate-token gives a merchant a new token and shows it once. With ID and the
operator token it replaces that merchant's token (POST /v1/merchants/{id}/token);
without ID, with a merchant's own token, it replaces that one
(POST /v1/merchant/token). The old token stops working at once, for the API and
for the merchant console's sessions.`,
		Example: `  fedmart merchant rotate-token 4kq2x7 --api http://127.0.0.1:8081 --token @alpha/operator.token --out ferro.token
  fedmart merchant rotate-token --api http://127.0.0.1:8081 --token @ferro.token --out ferro-new.token`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			path := "/v1/merchant/token"
			if len(args) == 1 {
				path = "/v1/merchants/" + url.PathEscape(args[0]) + "/token"
			}
			b, err := node.call(cmd, http.MethodPost, path, nil)
			if err != nil {
				return err
			}
			var m struct{ ID, Token string }
			if err := json.Unmarshal(b, &m); err != nil {
				return fmt.Errorf("unexpected answer: %w", err)
			}
			return tokenOut(cmd, out, m.ID, m.Token)
		},
	}
	node.flags(cmd, "operator (with ID) or merchant", false)
	cmd.Flags().StringVar(&out, "out", "", "write the new token to this new file (mode 0600) instead of stdout")
	return cmd
}
