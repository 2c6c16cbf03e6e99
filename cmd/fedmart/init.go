package main

import (
	"fmt"
	"path/filepath"

	"github.com/fedmart/fedmart/node"
	"github.com/spf13/cobra"
)

func newInit() *cobra.Command {
	var o node.InitOptions
	cmd := &cobra.Command{
		Use:   "init --data DIR --name NAME --p2p-listen MULTIADDR --api HOST:PORT",
		Short: "Create a node: identity key, operator token and configuration",
		Long: `init creates DIR/identity.key (the node's Ed25519 identity, mode 0600),
DIR/operator.token (the operator's API token, mode 0600) and DIR/fedmart.yaml.
It never overwrites an existing identity. A TCP listen address gains a QUIC
address on the same port, so that the node listens on both transports.

The storefront takes no payment method until one is switched on:
--manual-payments takes orders paid later (bank transfer, cash on delivery)
that the operator marks paid; --sandbox-payments takes TEST card payments,
which approve test card numbers and take no money, for trials and tests
only. Both can be changed later under payments: in fedmart.yaml.`,
		Example: `  fedmart init --data ./alpha --name "Alpha Market" \
    --p2p-listen /ip4/0.0.0.0/tcp/4001 --api 127.0.0.1:8080`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			res, err := node.Init(o)
			if err != nil {
				return err
			}
			out := cmd.OutOrStdout()
			fmt.Fprintf(out, "peer id:  %s\nconfig:   %s\nidentity: %s\ntoken:    %s\n", res.PeerID, res.ConfigPath,
				filepath.Join(o.DataDir, res.Config.Identity), filepath.Join(o.DataDir, res.Config.OperatorTokenFile))
			fmt.Fprintln(out, "\n"+paymentsNote(res.Config.Payments))
			fmt.Fprintf(out, "\nNext: add this node to a charter with\n  fedmart charter add-member CHARTER --peer %s --name %q --addr %s --api %s\n",
				res.PeerID, o.Name, res.Config.Federation.Listen[0], "http://"+res.Config.API.Listen)
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.DataDir, "data", "", "the node's data folder (created if missing)")
	f.StringVar(&o.Name, "name", "", "the platform's display name")
	f.StringArrayVar(&o.P2PListen, "p2p-listen", nil, "libp2p listen multiaddr (repeatable; default /ip4/0.0.0.0/tcp/4001 and its QUIC sibling)")
	f.StringVar(&o.API, "api", "127.0.0.1:8080", "HOST:PORT for the HTTP API")
	f.StringVar(&o.PublicURL, "public-url", "", "the URL others reach the API at (default http://<api>)")
	f.BoolVar(&o.ManualPayments, "manual-payments", false, "take orders paid later, marked paid by the operator (payments.manual)")
	f.BoolVar(&o.SandboxPayments, "sandbox-payments", false, "take TEST card payments that take no money, for trials and tests (payments.sandbox_card)")
	must(cmd.MarkFlagRequired("data"), cmd.MarkFlagRequired("name"))
	return cmd
}

// paymentsNote says which payment methods a new node takes.
func paymentsNote(p node.PaymentsConfig) string {
	switch {
	case p.SandboxCard:
		return "payments: TEST card payments are on (payments.sandbox_card): no money is taken; never ship goods for them."
	case p.Manual:
		return "payments: manual (pay later; mark orders paid with POST /v1/orders/{id}/paid)."
	}
	return "payments: none yet, so the storefront cannot take orders: set payments.manual: true in fedmart.yaml\n          (or init with --manual-payments) to take orders paid later."
}

func newID() *cobra.Command {
	var dir string
	cmd := &cobra.Command{
		Use:   "id --data DIR",
		Short: "Print the node's peer ID",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			id, err := peerID(identityPath(dir))
			if err != nil {
				return err
			}
			fmt.Fprintln(cmd.OutOrStdout(), id)
			return nil
		},
	}
	cmd.Flags().StringVar(&dir, "data", "", "the node's data folder")
	must(cmd.MarkFlagRequired("data"))
	return cmd
}

// must panics on a command-definition error (a misspelt flag name): a
// programming mistake, caught by every test that builds the command tree.
func must(errs ...error) {
	for _, err := range errs {
		if err != nil {
			panic(err)
		}
	}
}
