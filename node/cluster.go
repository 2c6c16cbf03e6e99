package node

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"maps"
	"net"
	"os"
	"path/filepath"
	"runtime/pprof"
	"sync/atomic"
	"time"

	"github.com/fedmart/fedmart/catalog/sample"
	"github.com/fedmart/fedmart/federation"
	"golang.org/x/sync/errgroup"
)

// ClusterOptions describe a federation of nodes run in one process on
// loopback: the demo, the benchmarks and the multi-node tests use it.
type ClusterOptions struct {
	// Dir holds one folder per member; existing members are reused as they are.
	Dir string
	// Names are the members' display names (their folder names are derived).
	Names []string
	// FederationID, FederationName, Currency and Period go into charter v1.
	FederationID, FederationName, Currency string
	Period                                 time.Duration
	// Policy is the charter's revenue-share policy (treasury excluded: the
	// first member is the treasury when FederationFeeBPS > 0).
	Policy federation.Policy
	// Tune, when set, adjusts each member's configuration before it starts.
	Tune func(*Config)
	// Log receives every node's logs, each tagged with the member's name.
	Log *slog.Logger
	// Clock, when set, is every member's clock (see WithClock).
	Clock func() time.Time
	// FirstResponse, when set, is charter v1's first-response deadline
	// for issues instead of the demo's 24h.
	FirstResponse time.Duration
	// Loyalty is charter v1's loyalty policy (zero: none).
	Loyalty federation.Loyalty
	// Ads is charter v1's ad policy (zero: none).
	Ads federation.Ads
	// Protocol is charter v1's protocol level; 0: the highest this build
	// speaks (federation.ProtocolLevel).
	Protocol int
	// FlushesOff, when set, is every member's flush switch
	// (WithFlushSwitch): fedmart bench measures checkouts with the
	// members' flushes skipped beside the same checkouts with them.
	FlushesOff *atomic.Bool
	// Publishers lists, by index into Names, the members charter v1 lets
	// publish federation pages and articles; empty: every member.
	Publishers []int
}

// Cluster is a running set of member nodes that share one charter.
type Cluster struct {
	Nodes   []*Node
	Tokens  []string // operator tokens, by member
	Charter *federation.SignedCharter
}

// NewCluster initialises (first time) or reopens the members under
// opts.Dir on free loopback ports, and gives them a charter signed by all
// of them if they hold none yet.
func NewCluster(opts ClusterOptions) (_ *Cluster, err error) {
	c := &Cluster{}
	defer func() {
		if err != nil {
			c.Close()
		}
	}()
	for _, name := range opts.Names {
		dir := filepath.Join(opts.Dir, folderName(name))
		cfg, err := initOrLoad(dir, name)
		if err != nil {
			return nil, err
		}
		if opts.Tune != nil {
			opts.Tune(&cfg)
		}
		var nopts []Option
		if opts.Clock != nil {
			nopts = append(nopts, WithClock(opts.Clock))
		}
		if opts.FlushesOff != nil {
			nopts = append(nopts, WithFlushSwitch(opts.FlushesOff))
		}
		n, err := asMember(cfg.Name, func() (*Node, error) { return New(cfg, opts.Log.With("member", name), nopts...) })
		if err != nil {
			return nil, fmt.Errorf("member %s: %w", name, err)
		}
		c.Nodes = append(c.Nodes, n)
		tok, err := loadToken(cfg.path(cfg.OperatorTokenFile))
		if err != nil {
			return nil, err
		}
		c.Tokens = append(c.Tokens, tok)
	}
	if sc, err := c.Nodes[0].fed.Charter(); err == nil {
		c.Charter = sc
		return c, nil
	}
	if c.Charter, err = c.foundCharter(opts); err != nil {
		return nil, err
	}
	for _, n := range c.Nodes {
		if err := n.fed.Submit(context.Background(), c.Charter); err != nil {
			return nil, fmt.Errorf("member %s: charter: %w", n.Name(), err)
		}
	}
	return c, nil
}

// foundCharter writes charter version 1 listing every node, signed by all.
func (c *Cluster) foundCharter(opts ClusterOptions) (*federation.SignedCharter, error) {
	sc := &federation.SignedCharter{Charter: federation.Charter{
		FederationID: opts.FederationID, Name: opts.FederationName, Version: 1,
		Currency: opts.Currency, Period: federation.Duration(opts.Period), Policy: opts.Policy, Loyalty: opts.Loyalty, Ads: opts.Ads,
	}}
	sc.Charter.SetLevel(cmp.Or(opts.Protocol, federation.ProtocolLevel)) // every member runs this build
	if sc.Charter.Policy.PayableOn == "" {
		sc.Charter.Policy.PayableOn = federation.PayableOnDelivered
	}
	for _, n := range c.Nodes {
		var addrs []string
		for _, a := range n.P2PAddrs() {
			addrs = append(addrs, a.String())
		}
		sc.Charter.Members = append(sc.Charter.Members, federation.Member{
			PeerID: n.PeerID().String(), Name: n.Name(), API: n.APIURL(), Addrs: addrs, Status: federation.StatusActive,
		})
	}
	// The demo's complaints run on short deadlines, arbitrated by the
	// third member when there is one.
	sc.Charter.Service = federation.ServiceTerms{FirstResponse: federation.Duration(24 * time.Hour), Resolution: federation.Duration(7 * 24 * time.Hour)}
	if opts.FirstResponse > 0 {
		sc.Charter.Service.FirstResponse = federation.Duration(opts.FirstResponse)
	}
	if len(c.Nodes) >= 3 {
		sc.Charter.Service.Arbiter = c.Nodes[2].PeerID().String()
	}
	for _, i := range opts.Publishers {
		sc.Charter.Content.Publishers = append(sc.Charter.Content.Publishers, c.Nodes[i].PeerID().String())
	}
	if sc.Charter.Policy.FederationFeeBPS > 0 && sc.Charter.Policy.Treasury == "" {
		sc.Charter.Policy.Treasury = c.Nodes[0].PeerID().String()
	}
	for _, n := range c.Nodes {
		key, err := LoadIdentity(n.cfg.path(n.cfg.Identity))
		if err != nil {
			return nil, err
		}
		if err := sc.Sign(key); err != nil {
			return nil, err
		}
	}
	return sc, sc.Verify(nil)
}

// Run runs every member until ctx ends.
func (c *Cluster) Run(ctx context.Context) error {
	g, ctx := errgroup.WithContext(ctx)
	for _, n := range c.Nodes {
		g.Go(func() (err error) {
			pprof.Do(ctx, memberLabels(n.Name()), func(ctx context.Context) { err = n.Run(ctx) })
			return err
		})
	}
	return g.Wait()
}

// MemberLabel is the profiler label that names the member whose work a
// sample of a cluster's CPU profile is. The members of a cluster share
// one process; each member's goroutines, those its construction and Run
// start and every goroutine they start in turn (its libp2p host's, its
// Badger's, its handlers'), carry it, so that a profile splits by member
// (go tool pprof -tags; fedmart bench orders).
const MemberLabel = "member"

func memberLabels(name string) pprof.LabelSet { return pprof.Labels(MemberLabel, name) }

// asMember runs f on a goroutine of its own labelled with member's name,
// so that the goroutines f starts carry the label and the caller's own
// labels stay as they were.
func asMember[T any](member string, f func() (T, error)) (T, error) {
	type result struct {
		v   T
		err error
	}
	done := make(chan result, 1)
	go pprof.Do(context.Background(), memberLabels(member), func(context.Context) {
		v, err := f()
		done <- result{v, err}
	})
	r := <-done
	return r.v, r.err
}

// Close closes every member.
func (c *Cluster) Close() error {
	var errs []error
	for _, n := range c.Nodes {
		errs = append(errs, n.Close())
	}
	return errors.Join(errs...)
}

// initOrLoad reuses the member folder dir, or creates it on free ports.
func initOrLoad(dir, name string) (Config, error) {
	if _, err := os.Stat(filepath.Join(dir, ConfigFile)); errors.Is(err, fs.ErrNotExist) {
		tcp, udp, api, err := freePorts()
		if err != nil {
			return Config{}, err
		}
		_, err = Init(InitOptions{
			DataDir: dir, Name: name, API: api,
			P2PListen: []string{fmt.Sprintf("/ip4/127.0.0.1/tcp/%d", tcp), fmt.Sprintf("/ip4/127.0.0.1/udp/%d/quic-v1", udp)},
		})
		if err != nil {
			return Config{}, err
		}
	}
	return LoadConfig(dir)
}

// freePorts asks the kernel for a free TCP port, a free UDP port and a
// free TCP address for the API. Fixing the ports at init (rather than
// listening on port 0) keeps a reopened cluster's charter addresses valid.
func freePorts() (tcp, udp int, api string, err error) {
	l1, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, 0, "", err
	}
	defer l1.Close()
	l2, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, 0, "", err
	}
	defer l2.Close()
	u, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		return 0, 0, "", err
	}
	defer u.Close()
	return l1.Addr().(*net.TCPAddr).Port, u.LocalAddr().(*net.UDPAddr).Port, l2.Addr().String(), nil
}

func folderName(name string) string {
	out := make([]rune, 0, len(name))
	for _, r := range name {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9', r == '-':
			out = append(out, r)
		case r >= 'A' && r <= 'Z':
			out = append(out, r+'a'-'A')
		default:
			out = append(out, '-')
		}
	}
	return string(out)
}

// SeededMerchant is a merchant the demo created, with its sign-in token.
type SeededMerchant struct {
	Member, Name, Token string
	Listings            int
}

// Seed gives every member that has no merchants yet `merchants` merchants,
// each with a profile, policies and a shipping profile its listings ship
// under (the member's country at home, the EU, for some the world), and
// `listings` generated listings each, showing pictures drawn for
// their categories in the member's colours and uploaded by the merchant
// (see seedPictures). Members that already have merchants (a reused
// --data folder) are left as they are.
func (c *Cluster) Seed(ctx context.Context, merchants, listings int) ([]SeededMerchant, error) {
	var out []SeededMerchant
	for i, n := range c.Nodes {
		have, err := n.cat.Merchants(ctx)
		if err != nil || len(have) > 0 {
			return out, err
		}
		shown := map[string]string{} // the node's pictures its listings show, by category
		for j := 0; j < merchants; j++ {
			gen := sample.New(uint64(i*100 + j + 1))
			name := gen.MerchantName()
			m, token, err := n.cat.CreateMerchant(ctx, name)
			if err != nil {
				return out, err
			}
			inputs := gen.Listings(listings, c.Charter.Charter.Currency, fmt.Sprintf("M%d%d", i, j))
			if err := seedProfile(ctx, n, m.ID, gen, name, i); err != nil {
				return out, fmt.Errorf("seeding %s on %s: %w", name, n.Name(), err)
			}
			made, err := c.seedPictures(ctx, n, i, m.ID, inputs, shown)
			if err != nil {
				return out, fmt.Errorf("seeding %s on %s: %w", name, n.Name(), err)
			}
			res, err := n.cat.UpsertBatch(ctx, m.ID, inputs)
			if err != nil {
				return out, fmt.Errorf("seeding %s on %s: %w", name, n.Name(), err)
			}
			if len(res.Rejected) > 0 {
				return out, fmt.Errorf("seeding %s on %s: %d listings rejected: %v", name, n.Name(), len(res.Rejected), res.Rejected[0].Errors)
			}
			maps.Copy(shown, made)
			out = append(out, SeededMerchant{Member: n.Name(), Name: name, Token: token, Listings: res.Created})
		}
	}
	return out, nil
}

// seedProfile gives a seeded merchant its profile and its default
// shipping profile, from gen. The n-th member's merchants ship from the
// n-th of the sample's home countries.
func seedProfile(ctx context.Context, n *Node, merchant string, gen *sample.Generator, name string, member int) error {
	profile, ship := gen.Merchant(name, member)
	sp, err := n.cat.PutShippingProfile(ctx, merchant, "", ship)
	if err != nil {
		return fmt.Errorf("shipping profile: %w", err)
	}
	profile.DefaultShipping = sp.ID
	if _, err := n.cat.SetMerchantProfile(ctx, merchant, profile); err != nil {
		return fmt.Errorf("merchant profile: %w", err)
	}
	return nil
}
