package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/fedmart/fedmart/federation"
	"github.com/fedmart/fedmart/node"
	"github.com/libp2p/go-libp2p/core/peer"
	"github.com/spf13/cobra"
)

func newCharter() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "charter",
		Short: "Write, sign, verify and submit the federation charter",
		Long: `The charter defines the federation: its id, settlement currency and period,
the revenue-share policy, and the members. Version 1 is valid when every
member has signed it; each later version (an amendment) when more than two
thirds of the previous version's active members have signed it.

Founding:   charter new, charter add-member (once per member), then every
            member runs charter sign on the same file.
Amending:   charter amend (a new version), charter add-member / suspend /
            reinstate / remove, signatures, then charter submit to any member.
            Or, over the federation: charter propose the version signed by
            you to your node, which sends it to every member; each operator
            lists it with charter proposals and signs with charter approve,
            and it takes force everywhere once enough have signed.`,
	}
	cmd.AddCommand(newCharterNew(), newCharterAddMember(), newCharterAmend(),
		newCharterStatus("suspend", federation.StatusSuspended), newCharterStatus("reinstate", federation.StatusActive),
		newCharterRemove(), newCharterSign(), newCharterVerify(), newCharterSubmit(),
		newCharterPropose(), newCharterProposals(), newCharterApprove())
	return cmd
}

func newCharterNew() *cobra.Command {
	var (
		out string
		c   = federation.Charter{Version: 1, Policy: federation.Policy{PayableOn: federation.PayableOnDelivered}}
		// level is the protocol level (see federation.ProtocolLevel).
		level int
		per   time.Duration
		// first and resolve are the service deadlines (0: the defaults).
		first, resolve time.Duration
		loyalty        loyaltyFlags
		content        contentFlags
	)
	cmd := &cobra.Command{
		Use:   "new --out FILE --id FEDID --name NAME --currency EUR",
		Short: "Start version 1 of a charter (no members yet)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			c.Period = federation.Duration(per)
			c.SetLevel(level)
			c.Service.FirstResponse, c.Service.Resolution = federation.Duration(first), federation.Duration(resolve)
			loyalty.apply(cmd.Flags(), &c.Loyalty)
			content.apply(cmd.Flags(), &c.Content)
			if err := c.ValidateDraft(); err != nil {
				return err
			}
			if _, err := os.Stat(out); err == nil {
				return fmt.Errorf("%s exists; refusing to overwrite it", out)
			}
			if err := writeCharter(out, &federation.SignedCharter{Charter: c}); err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "wrote %s (version 1, no members yet)\n", out)
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&out, "out", "", "the charter file to create")
	f.StringVar(&c.FederationID, "id", "", "federation id: lowercase letters, digits and dashes")
	f.StringVar(&c.Name, "name", "", "the federation's display name")
	f.StringVar(&c.Currency, "currency", "", "settlement currency, ISO 4217 (EUR, USD...)")
	f.DurationVar(&per, "period", 24*time.Hour, "settlement period length (1m to 744h)")
	f.Int64Var(&c.Policy.StorefrontCommissionBPS, "storefront-commission-bps", 1000, "commission the selling storefront keeps, in basis points")
	f.Int64Var(&c.Policy.FederationFeeBPS, "federation-fee-bps", 0, "federation fee in basis points, paid to the treasury member")
	f.StringVar(&c.Policy.Treasury, "treasury", "", "peer ID of the member that receives the federation fee")
	f.StringVar(&c.Policy.PayableOn, "payable-on", federation.PayableOnDelivered, "when a sale becomes payable: delivered or accepted")
	f.BoolVar(&c.Policy.CommissionBeforeDiscounts, "commission-before-discounts", false, "compute commission and fee on items before merchants' offers (default: after, on what was paid)")
	f.DurationVar(&first, "first-response", 0, "how long a merchant has to answer a complaint first (0: 48h)")
	f.DurationVar(&resolve, "resolution", 0, "how long a complaint may stay unresolved before it can be escalated (0: 336h)")
	f.StringVar(&c.Service.Arbiter, "arbiter", "", "peer ID of the member that decides escalated complaints (empty: none)")
	f.IntVar(&level, "protocol", federation.ProtocolLevel, protocolUsage)
	loyalty.register(f, "set")
	content.register(f, "set")
	must(cmd.MarkFlagRequired("out"), cmd.MarkFlagRequired("id"), cmd.MarkFlagRequired("name"), cmd.MarkFlagRequired("currency"))
	return cmd
}

func newCharterAddMember() *cobra.Command {
	var m = federation.Member{Status: federation.StatusActive}
	cmd := &cobra.Command{
		Use:   "add-member FILE --peer PEERID --name NAME --addr MULTIADDR [--addr ...] --api URL",
		Short: "Add a member to a charter draft (clears existing signatures)",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return editCharter(cmd, args[0], func(c *federation.Charter) error {
				id, err := peer.Decode(m.PeerID)
				if err != nil {
					return fmt.Errorf("--peer: %q is not a peer ID", m.PeerID)
				}
				if _, ok := c.Member(id); ok {
					return fmt.Errorf("--peer: %s is already a member", m.PeerID)
				}
				c.Members = append(c.Members, m)
				return nil
			})
		},
	}
	f := cmd.Flags()
	f.StringVar(&m.PeerID, "peer", "", "the member's peer ID (fedmart id --data DIR)")
	f.StringVar(&m.Name, "name", "", "the member's display name")
	f.StringArrayVar(&m.Addrs, "addr", nil, "a libp2p multiaddr the member listens on (repeatable)")
	f.StringVar(&m.API, "api", "", "the member's public API and storefront URL")
	must(cmd.MarkFlagRequired("peer"), cmd.MarkFlagRequired("name"), cmd.MarkFlagRequired("addr"), cmd.MarkFlagRequired("api"))
	return cmd
}

func newCharterAmend() *cobra.Command {
	var (
		out            string
		first, resolve time.Duration
		arbiter        string
		protocol       int
		loyalty        loyaltyFlags
		content        contentFlags
	)
	cmd := &cobra.Command{
		Use:   "amend FILE --out NEWFILE",
		Short: "Start the next version of a charter, chained to FILE",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			prev, err := readCharter(args[0])
			if err != nil {
				return err
			}
			next := prev.Charter
			next.Members = slices.Clone(prev.Charter.Members)
			next.Version, next.Previous = prev.Charter.Version+1, prev.Charter.Digest()
			f := cmd.Flags()
			if f.Changed("first-response") {
				next.Service.FirstResponse = federation.Duration(first)
			}
			if f.Changed("resolution") {
				next.Service.Resolution = federation.Duration(resolve)
			}
			if f.Changed("arbiter") {
				next.Service.Arbiter = arbiter
			}
			if f.Changed("protocol") {
				next.SetLevel(protocol)
			}
			loyalty.apply(f, &next.Loyalty)
			content.apply(f, &next.Content)
			if err := next.ValidateDraft(); err != nil {
				return err
			}
			if _, err := os.Stat(out); err == nil {
				return fmt.Errorf("%s exists; refusing to overwrite it", out)
			}
			if err := writeCharter(out, &federation.SignedCharter{Charter: next}); err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "wrote %s (version %d, unsigned)\n", out, next.Version)
			return nil
		},
	}
	cmd.Flags().StringVar(&out, "out", "", "the new charter file")
	cmd.Flags().DurationVar(&first, "first-response", 0, "change how long a merchant has to answer a complaint first (0: 48h)")
	cmd.Flags().DurationVar(&resolve, "resolution", 0, "change how long a complaint may stay unresolved (0: 336h)")
	cmd.Flags().StringVar(&arbiter, "arbiter", "", "change the member that decides escalated complaints (\"\": none)")
	cmd.Flags().IntVar(&protocol, "protocol", 0, "change the "+protocolUsage+"; raise it only once every member runs a build that speaks it (default: unchanged)")
	loyalty.register(cmd.Flags(), "change")
	content.register(cmd.Flags(), "change")
	must(cmd.MarkFlagRequired("out"))
	return cmd
}

// protocolUsage explains --protocol.
var protocolUsage = func() string {
	var levels []string
	for i, what := range federation.Levels {
		levels = append(levels, fmt.Sprintf("%d: %s", i+1, what))
	}
	return fmt.Sprintf("protocol level the members speak, 1 to %d, the highest this build speaks (%s)", federation.ProtocolLevel, strings.Join(levels, "; "))
}()

func newCharterStatus(verb, status string) *cobra.Command {
	var id string
	cmd := &cobra.Command{
		Use:   verb + " FILE --peer PEERID",
		Short: strings.ToUpper(verb[:1]) + verb[1:] + " a member in a charter draft (clears existing signatures)",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return editCharter(cmd, args[0], func(c *federation.Charter) error {
				i := slices.IndexFunc(c.Members, func(m federation.Member) bool { return m.PeerID == id })
				if i < 0 {
					return fmt.Errorf("--peer: %s is not a member", id)
				}
				c.Members[i].Status = status
				return nil
			})
		},
	}
	cmd.Flags().StringVar(&id, "peer", "", "the member's peer ID")
	must(cmd.MarkFlagRequired("peer"))
	return cmd
}

func newCharterRemove() *cobra.Command {
	var id string
	cmd := &cobra.Command{
		Use:   "remove FILE --peer PEERID",
		Short: "Remove a member from a charter draft (clears existing signatures)",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return editCharter(cmd, args[0], func(c *federation.Charter) error {
				n := len(c.Members)
				c.Members = slices.DeleteFunc(c.Members, func(m federation.Member) bool { return m.PeerID == id })
				if len(c.Members) == n {
					return fmt.Errorf("--peer: %s is not a member", id)
				}
				return nil
			})
		},
	}
	cmd.Flags().StringVar(&id, "peer", "", "the member's peer ID")
	must(cmd.MarkFlagRequired("peer"))
	return cmd
}

func newCharterSign() *cobra.Command {
	var dir string
	cmd := &cobra.Command{
		Use:   "sign FILE --data DIR",
		Short: "Add this node's signature to a charter",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			sc, err := readCharter(args[0])
			if err != nil {
				return err
			}
			if err := sc.Charter.Validate(); err != nil {
				return err
			}
			key, err := node.LoadIdentity(identityPath(dir))
			if err != nil {
				return err
			}
			if err := sc.Sign(key); err != nil {
				return err
			}
			if err := writeCharter(args[0], sc); err != nil {
				return err
			}
			id, _ := peer.IDFromPrivateKey(key)
			fmt.Fprintf(cmd.OutOrStdout(), "signed %s as %s (%d signatures)\n", args[0], id, len(sc.Signatures))
			return nil
		},
	}
	cmd.Flags().StringVar(&dir, "data", "", "the signing node's data folder")
	must(cmd.MarkFlagRequired("data"))
	return cmd
}

func newCharterVerify() *cobra.Command {
	var prevFile string
	cmd := &cobra.Command{
		Use:   "verify FILE [--previous PREVFILE]",
		Short: "Check a charter's contents and signatures",
		Long: `verify exits 0 and prints a summary when FILE is valid, and exits non-zero
with the reason when it is not. A version after 1 is checked against
--previous (the version before it) when given; without it, the signatures
must come from more than two thirds of its own active members.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			sc, err := readCharter(args[0])
			if err != nil {
				return err
			}
			verify := sc.VerifyBootstrap
			if prevFile != "" {
				prev, err := readCharter(prevFile)
				if err != nil {
					return err
				}
				verify = func() error { return sc.Verify(&prev.Charter) }
			}
			if err := verify(); err != nil {
				return err
			}
			printCharter(cmd.OutOrStdout(), sc)
			return nil
		},
	}
	cmd.Flags().StringVar(&prevFile, "previous", "", "the previous version, to check an amendment against")
	return cmd
}

func newCharterSubmit() *cobra.Command {
	var node nodeClient
	cmd := &cobra.Command{
		Use:   "submit FILE --api URL --token @FILE",
		Short: "Submit a charter version to a node, which applies it and spreads it to all members",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			b, err := os.ReadFile(args[0])
			if err != nil {
				return err
			}
			body, err := node.call(cmd, http.MethodPost, "/v1/federation/charter", bytes.NewReader(b))
			if err != nil {
				return err
			}
			fmt.Fprintln(cmd.OutOrStdout(), strings.TrimSpace(string(body)))
			return nil
		},
	}
	node.flags(cmd, "operator", false)
	return cmd
}

// proposalAnswer is a pending amendment as the node's API shows it.
type proposalAnswer struct {
	federation.Proposal
	Version uint64 `json:"version"`
	InForce bool   `json:"in_force"`
}

func newCharterPropose() *cobra.Command {
	var node nodeClient
	cmd := &cobra.Command{
		Use:   "propose FILE --api URL --token @FILE",
		Short: "Propose the next charter version to the federation; members sign it with charter approve",
		Long: `propose sends FILE, the next version signed by at least one member (charter
amend, edits, charter sign), to a node, which checks it and passes it to
every member. It takes force everywhere once more than two thirds of the
current active members have signed it, at once if FILE carries enough.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			b, err := os.ReadFile(args[0])
			if err != nil {
				return err
			}
			body, err := node.call(cmd, http.MethodPost, "/v1/federation/proposals", bytes.NewReader(b))
			if err != nil {
				return err
			}
			return printProposalAnswer(cmd.OutOrStdout(), body)
		},
	}
	node.flags(cmd, "operator", false)
	return cmd
}

func newCharterApprove() *cobra.Command {
	var node nodeClient
	cmd := &cobra.Command{
		Use:   "approve DIGEST --api URL --token @FILE",
		Short: "Sign a pending amendment with the node's key (see charter proposals)",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			body, err := node.call(cmd, http.MethodPost, "/v1/federation/proposals/"+url.PathEscape(args[0])+"/sign", nil)
			if err != nil {
				return err
			}
			return printProposalAnswer(cmd.OutOrStdout(), body)
		},
	}
	node.flags(cmd, "operator", false)
	return cmd
}

func newCharterProposals() *cobra.Command {
	var node nodeClient
	cmd := &cobra.Command{
		Use:   "proposals --api URL --token @FILE",
		Short: "List the charter amendments gathering signatures, oldest first",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			body, err := node.call(cmd, http.MethodGet, "/v1/federation/proposals", nil)
			if err != nil {
				return err
			}
			var list struct {
				Proposals []proposalAnswer `json:"proposals"`
			}
			if err := json.Unmarshal(body, &list); err != nil {
				return fmt.Errorf("unexpected answer: %w", err)
			}
			w := cmd.OutOrStdout()
			if len(list.Proposals) == 0 {
				fmt.Fprintln(w, "no pending amendments")
			}
			for _, p := range list.Proposals {
				printProposal(w, p)
			}
			return nil
		},
	}
	node.flags(cmd, "operator", false)
	return cmd
}

func printProposalAnswer(w io.Writer, body []byte) error {
	var p proposalAnswer
	if err := json.Unmarshal(body, &p); err != nil {
		return fmt.Errorf("unexpected answer: %w", err)
	}
	printProposal(w, p)
	return nil
}

func printProposal(w io.Writer, p proposalAnswer) {
	state := "pending"
	if p.InForce {
		state = "in force"
	}
	fmt.Fprintf(w, "%s  version %d  %d of %d signatures (%d needed)  %s  since %s\n",
		p.Digest, p.Version, len(p.Signers), len(p.Voters), p.Needed, state, p.ReceivedAt.Local().Format(time.DateTime))
	if p.Charter != nil {
		fmt.Fprintf(w, "  %s, %d members\n", p.Charter.Charter.Name, len(p.Charter.Charter.Members))
	}
}

// editCharter applies fn to the draft in path, drops its signatures (they
// no longer cover the body) and writes it back atomically.
func editCharter(cmd *cobra.Command, path string, fn func(*federation.Charter) error) error {
	sc, err := readCharter(path)
	if err != nil {
		return err
	}
	if err := fn(&sc.Charter); err != nil {
		return err
	}
	if err := sc.Charter.ValidateDraft(); err != nil {
		return err
	}
	dropped := len(sc.Signatures)
	sc.Signatures = nil
	if err := writeCharter(path, sc); err != nil {
		return err
	}
	fmt.Fprintf(cmd.OutOrStdout(), "updated %s (version %d, %d members", path, sc.Charter.Version, len(sc.Charter.Members))
	if dropped > 0 {
		fmt.Fprintf(cmd.OutOrStdout(), "; %d signatures removed: the body changed, sign again", dropped)
	}
	fmt.Fprintln(cmd.OutOrStdout(), ")")
	return nil
}

func readCharter(path string) (*federation.SignedCharter, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	sc, err := federation.ParseSignedCharter(b)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return sc, nil
}

// writeCharter replaces path atomically: temp file, fsync, rename.
func writeCharter(path string, sc *federation.SignedCharter) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".charter-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(sc.Marshal()); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}

func printCharter(w io.Writer, sc *federation.SignedCharter) {
	c := &sc.Charter
	fmt.Fprintf(w, "valid: %s (%s), version %d\n", c.Name, c.FederationID, c.Version)
	fmt.Fprintf(w, "currency %s, period %s, commission %d bps, fee %d bps, payable on %s, protocol level %d\n",
		c.Currency, time.Duration(c.Period), c.Policy.StorefrontCommissionBPS, c.Policy.FederationFeeBPS, c.Policy.PayableOn, c.Level())
	signed := map[string]bool{}
	for _, s := range sc.Signatures {
		signed[s.PeerID] = true
	}
	for _, m := range c.Members {
		mark := " "
		if signed[m.PeerID] {
			mark = "✓"
		}
		fmt.Fprintf(w, "  %s %-20s %-9s %s\n", mark, m.Name, m.Status, m.PeerID)
	}
	fmt.Fprintf(w, "%d signatures\n", len(sc.Signatures))
}
