package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/fedmart/fedmart/federation"
	"github.com/fedmart/fedmart/node"
	"github.com/spf13/cobra"
	"golang.org/x/sync/errgroup"
)

// demoNames are the demo federation's members.
var demoNames = []string{"Alpha Market", "Beta Bazaar", "Gamma Goods", "Delta Depot", "Epsilon Emporium"}

// demoNode sets a demo member up for trials: it takes test card payments
// (every page says so) and manual ones; the third member, when there is
// one, holds only demoShards of the other members' listings.
func demoNode(cfg *node.Config) {
	cfg.Payments = node.PaymentsConfig{Manual: true, SandboxCard: true}
	if cfg.Name == demoNames[2] {
		cfg.Catalog.Shards = demoShards
	}
}

// demoShards are the top-level categories of the other members' listings
// that the demo's third member holds (catalog.shards): all but Toys,
// Beauty and Garden, which its storefront does not sell.
var demoShards = []string{"Home", "Apparel", "Electronics", "Sports", "Books"}

func newDemo() *cobra.Command {
	var (
		dir       string
		members   int
		merchants int
		listings  int
		shoppers  int
		seed      uint64
		verbose   bool
	)
	cmd := &cobra.Command{
		Use:   "demo",
		Short: "Run a federation of members on this machine, in one process",
		Long: `demo starts a federation on loopback: fresh identities, a charter signed by
every member, free ports. It prints each member's API URL, operator
token and merchants' tokens, on every start. Without --data the state
lives in a temporary folder that is removed at exit; with --data DIR it
is kept and reused, the merchants' tokens with it (in each member's
folder, mode 0600; "fedmart merchant list --data DIR" lists them).

Ctrl-C, SIGINT or SIGTERM stops it, closing every member's database
cleanly; so does the end of the process that started it, so that
stopping "go run" with kill -TERM stops the demo too. (go run keeps a
SIGINT sent to its own pid, expecting the terminal to send it to the
demo as well: send SIGINT to the demo's pid, which it prints, or to the
process group.)
--shoppers N adds simulated shoppers who search the federation and buy
from merchants on several platforms, while every member's merchants ship
and deliver, so that orders can be seen flowing, and top up what they
shipped every few rounds, each merchant's stock system sending a feed at
the same moment (the summaries count the feeds, and the turns of the
catalogs' writer locks that wrote them). After the sale the
shoppers now and then cancel, return items, write to merchants and open
issues; the merchants answer (asking for more, offering a refund or
refusing); a refused issue is escalated to the charter's arbiter, the
third member, which decides it. The demo tells each step, sums them up
every 20 seconds and when it stops; --seed replays the same choices.

The demo charter runs a loyalty programme (a point per unit of currency,
worth a cent, spendable once delivered), every merchant publishes two
offers and every storefront's operator a coupon, WELCOME10, all through
the REST API. With --shoppers, every other shopper has its account on one
member and shops on the next, signed in there with "Sign in with <member>"
(OpenID Connect through both storefronts' pages); shoppers use the coupon
once, take merchants' "buy 2 get 1", and spend the points their delivered
parts earned, so that points entries appear in the periods' statements
and netting.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx, stop := watchParent(cmd.Context(), cmd.ErrOrStderr())
			defer stop()
			if members < 2 || members > len(demoNames) {
				return fmt.Errorf("--members: must be between 2 and %d", len(demoNames))
			}
			if dir == "" {
				tmp, err := os.MkdirTemp("", "fedmart-demo-")
				if err != nil {
					return err
				}
				defer os.RemoveAll(tmp)
				dir = tmp
			}
			level := slog.LevelWarn
			if verbose {
				level = slog.LevelInfo
			}
			log := slog.New(slog.NewTextHandler(cmd.ErrOrStderr(), &slog.HandlerOptions{Level: level}))
			c, err := node.NewCluster(node.ClusterOptions{
				Dir: dir, Names: demoNames[:members], FederationID: "demo-alliance", FederationName: "Demo Alliance",
				Currency: "EUR", Period: time.Minute, Log: log,
				Policy:  federation.Policy{StorefrontCommissionBPS: 1000, FederationFeeBPS: 100},
				Loyalty: demoLoyalty,
				Ads:     demoAds,
				Tune:    demoNode,
			})
			if err != nil {
				return err
			}
			defer c.Close()
			fmt.Fprintf(cmd.ErrOrStderr(), "loading the sample catalog: %d merchants per member, %d listings each...\n", merchants, listings)
			seeded, err := c.Seed(ctx, merchants, listings)
			if err != nil {
				return err
			}
			merchants, err := demoMerchants(ctx, c, seeded)
			if err != nil {
				return err
			}
			if n, err := publishHelp(ctx, c.Nodes[0]); err != nil {
				return fmt.Errorf("the starter help centre: %w", err)
			} else if n > 0 {
				fmt.Fprintf(cmd.ErrOrStderr(), "published %d starter help articles for every member (%s/help)\n", n, c.Nodes[0].APIURL())
			}
			g, ctx := errgroup.WithContext(ctx)
			g.Go(func() error { return c.Run(ctx) })
			g.Go(func() error {
				printDemo(cmd.OutOrStdout(), c, dir, merchants)
				// The merchants and operators make their promotions over the
				// API, which serves once the members run, while the members
				// are still busy with the sample catalog: after the
				// walk-through, and before the shoppers come.
				promos, err := publishPromotions(ctx, c, merchants)
				switch {
				case ctx.Err() != nil:
					return nil
				case err != nil:
					fmt.Fprintf(cmd.ErrOrStderr(), "the sample promotions are not all there: %v\n", err)
				}
				printPromos(cmd.OutOrStdout(), promos)
				campaigns, err := publishCampaigns(ctx, c, merchants)
				if err != nil && ctx.Err() == nil {
					fmt.Fprintf(cmd.ErrOrStderr(), "the sample campaigns are not all there: %v\n", err)
				}
				for _, cp := range campaigns {
					fmt.Fprintf(cmd.OutOrStdout(), "%s campaign published over the API by %s.\n", time.Now().Format("15:04:05"), cp)
				}
				printHeld(ctx, cmd.OutOrStdout(), c, merchants)
				if shoppers == 0 {
					return nil
				}
				return simulate(ctx, c, shoppers, seed, cmd.OutOrStdout())
			})
			return g.Wait()
		},
	}
	cmd.Flags().StringVar(&dir, "data", "", "keep the federation's state in DIR (reused on the next run)")
	cmd.Flags().IntVar(&members, "members", 3, "number of members")
	cmd.Flags().IntVar(&merchants, "merchants", 3, "merchants per member in the sample catalog")
	cmd.Flags().IntVar(&listings, "listings", 400, "listings per merchant in the sample catalog")
	cmd.Flags().IntVar(&shoppers, "shoppers", 0, "simulated shoppers buying across platforms (and merchants shipping and delivering); 0 for none")
	cmd.Flags().Uint64Var(&seed, "seed", 0, "seed of the simulated shoppers' and merchants' choices, to replay a run's story; 0 for a new one")
	cmd.Flags().BoolVarP(&verbose, "verbose", "v", false, "show the nodes' logs")
	return cmd
}

func printDemo(w io.Writer, c *node.Cluster, dir string, merchants []demoMerchant) {
	charter := &c.Charter.Charter
	if sc, err := c.Nodes[0].Federation().Charter(); err == nil { // a folder kept from an earlier run may hold a later version
		charter = &sc.Charter
	}
	fmt.Fprintf(w, "fedmart demo: %q, charter version %d at protocol level %d, one-minute settlement periods, state in %s\n", charter.Name, charter.Version, charter.Level(), dir)
	fmt.Fprintf(w, "(each member's dashboard shows the level its build speaks on /operator/members; at level 2 a new listing is one signed record)\n\n")
	for i, n := range c.Nodes {
		fmt.Fprintf(w, "%-18s storefront  %s/\n", n.Name(), n.APIURL())
		fmt.Fprintf(w, "%-18s console     %s/merchant   dashboard %s/operator\n", "", n.APIURL(), n.APIURL())
		fmt.Fprintf(w, "%-18s operator token %s   peer id %s\n", "", c.Tokens[i], n.PeerID())
	}
	if len(merchants) > 0 {
		fmt.Fprintf(w, "\nSample merchants (token to sign in to their member's console, or for the merchant API):\n")
		replaced := false
		for _, m := range merchants {
			note := ""
			if m.Replaced {
				note, replaced = "  (new token)", true
			}
			fmt.Fprintf(w, "  %-18s %-34s %4d listings  %s%s\n", m.Member, m.Name, m.Listings, m.Token, note)
		}
		if replaced {
			fmt.Fprintf(w, "  A new token replaces one this folder kept that no longer worked (it was lost or replaced meanwhile).\n")
		}
		fmt.Fprintf(w, "  The same tokens on the next start; list them any time with: fedmart merchant list --data %s\n", dir)
	}
	if len(c.Nodes) > 2 {
		fmt.Fprintf(w, "\nCategory shards: %s holds only the other members' listings in %s and %s (catalog.shards\n"+
			"in its node.yaml): their other categories never fill its disk or search index. Its own merchants'\n"+
			"listings are always held, and its merchants, offers, reviews, checkout and settlement work as on every member.\n",
			c.Nodes[2].Name(), strings.Join(demoShards[:len(demoShards)-1], ", "), demoShards[len(demoShards)-1])
	}
	fmt.Fprintf(w, "\nLoyalty points (the charter's policy): %s.\n", loyaltyWords(loyaltyOf(c.Nodes[0]), c.Charter.Charter.Currency))
	fmt.Fprintf(w, "Promotions: every merchant publishes two offers with its token, and every storefront's operator\n"+
		"the coupon %s (%s) with the operator token, through the API, now; the demo lists them when they are.\n",
		demoCoupon, demoCouponTerms(c.Charter.Charter.Currency))
	first, second := c.Nodes[0], c.Nodes[1]
	fmt.Fprintf(w, `
Click through it:
  1. Open %[1]s's storefront, %[2]s/
     Sign up (any name and e-mail, a password of 8 characters or more),
     search, put products of merchants on two other members in the cart
     (their offers show on listings and in the cart: "−15 %%", "buy 2 get
     1"), say where it ships (each part shows its rates and delivery
     dates; try a country some merchants do not serve, such as BR), type
     the coupon %[8]s, and check out with the sandbox card
     4242 4242 4242 4242.
  2. Sign in to %[3]s's console, %[4]s/merchant
     with one of its merchant tokens above: Orders lists the part; ship
     it with a carrier and a tracking number, then mark it delivered.
  3. Back on %[1]s, Orders shows the part shipped, with the carrier's
     tracking link, then delivered. Each merchant's page, and the seller
     line of its listings, shows its measured record from the orders
     placed on %[1]s (shipped within handling time, cancelled by the
     merchant, issues answered), labelled apart from the stars; with
     --shoppers it fills in a minute or two.
  4. Sign in to %[1]s's dashboard, %[2]s/operator
     with its operator token: Members shows the other members answering;
     Settlement shows each closed one-minute period, its statements agreed
     with every member, and its netting.
  5. Mailbox, on %[1]s's dashboard, holds the e-mail the demo writes
     instead of sending it: the shopper's order confirmation and
     "part shipped" with the tracking link; %[3]s's Mailbox holds the
     merchant's "new order part".
  6. After the sale: on %[1]s, an order's page lets you write to the
     merchant, open an issue, ask for a return and follow each thread;
     %[3]s's console shows them under Messages, Issues and Returns.%[7]s
  7. One account, every storefront: sign out, open %[3]s's sign-in,
     %[4]s/signin/shopper
     and choose "Sign in with %[1]s": %[1]s asks for the password on its
     own page and whether %[3]s may know you, and %[3]s signs you in.
  8. Points: once a part is delivered, %[1]s's points page,
     %[2]s/points
     shows what you earned, wherever you bought; spend them at checkout on
     any member ("use N points"). They are settled between the members:
     the next periods' statements and netting on the dashboard's
     Settlement hold points_funding and points_redemption entries, and
     its Loyalty page (%[2]s/operator/loyalty) shows the charter's policy
     and the points %[1]s's shoppers hold. Merchants see their offers'
     uptake in the console's Offers, operators the coupon's in Coupons.
Or from a terminal:
  curl -H 'Authorization: Bearer %[5]s' %[2]s/v1/federation/members
  curl '%[4]s/v1/catalog/search?q=skillet&sort=price_asc'
  curl %[2]s/v1/catalog/carriers
  curl %[2]s/v1/merchants/<platform>.<merchant>/record
  curl -H 'Authorization: Bearer %[5]s' %[2]s/v1/loyalty
  curl -H 'Authorization: Bearer %[5]s' %[2]s/v1/coupons/%[8]s
  curl -H 'Authorization: Bearer <a token of a merchant on %[1]s, above>' \
       --data '[{"title":"Tea","Brand":"Leaf"}]' %[2]s/v1/listings/batch
     (a feed's entry that does not decode is refused alone, by its index and field)

Ctrl-C stops the federation, as do kill -INT or kill -TERM %[6]d (the demo's
own process) and the end of the process that started it.
`, first.Name(), first.APIURL(), second.Name(), second.APIURL(), c.Tokens[0], os.Getpid(), afterSaleNote(c), demoCoupon)
}

// printHeld says how many listings each member holds once the sample
// catalog has reached every member holding all categories (or after a
// minute), so that a member holding some category shards shows what it
// left out.
func printHeld(ctx context.Context, w io.Writer, c *node.Cluster, merchants []demoMerchant) {
	total := 0
	for _, m := range merchants {
		total += m.Listings
	}
	for deadline := time.Now().Add(time.Minute); time.Now().Before(deadline) && ctx.Err() == nil; time.Sleep(500 * time.Millisecond) {
		if !slices.ContainsFunc(c.Nodes, func(n *node.Node) bool { return n.Catalog().Shards() == nil && n.Catalog().Count() < total }) {
			break
		}
	}
	var held []string
	for _, n := range c.Nodes {
		note := ""
		if s := n.Catalog().Shards(); s != nil {
			note = " (" + strings.Join(s, ", ") + ")"
		}
		held = append(held, fmt.Sprintf("%s %d%s", n.Name(), n.Catalog().Count(), note))
	}
	fmt.Fprintf(w, "%s listings held: %s.\n", time.Now().Format("15:04:05"), strings.Join(held, ", "))
}

// printPromos lists the merchants' offers and the storefronts' coupon
// once they are published.
func printPromos(w io.Writer, promos demoPromos) {
	if len(promos.Offers) > 0 {
		fmt.Fprintf(w, "%s offers published, each by its merchant through the API:\n", time.Now().Format("15:04:05"))
		for k := 0; k < len(promos.Offers); {
			o, labels := promos.Offers[k], []string{}
			for ; k < len(promos.Offers) && promos.Offers[k].Merchant == o.Merchant && promos.Offers[k].Member == o.Member; k++ {
				labels = append(labels, promos.Offers[k].Label)
			}
			fmt.Fprintf(w, "  %-18s %-34s %s\n", o.Member, o.Merchant, strings.Join(labels, "; "))
		}
	}
	if promos.Coupon != "" {
		fmt.Fprintf(w, "%s coupon %s created on every storefront by its operator through the API: %s.\n", time.Now().Format("15:04:05"), demoCoupon, promos.Coupon)
	}
}

// afterSaleNote is the walk-through's word on the charter's arbiter and the
// simulated shoppers' after-sale life, where to find it.
func afterSaleNote(c *node.Cluster) string {
	s := `
     With --shoppers, simulated shoppers do the same: their messages,
     issues and the merchants' answers are in each member's dashboard
     Mailbox (the letters) and console Messages and Issues.`
	for _, n := range c.Nodes {
		if n.PeerID().String() == c.Charter.Charter.Service.Arbiter {
			s += fmt.Sprintf(`
     A refused issue may be escalated to the charter's arbiter, %s:
     its dashboard, %s/operator, lists the cases to decide.`, n.Name(), n.APIURL())
		}
	}
	return s
}
