package node

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/fedmart/fedmart/catalog"
	"github.com/fedmart/fedmart/catalog/content"
	"github.com/fedmart/fedmart/internal/testwait"
)

// TestFederationPageReplicatesAndIsTakenDown: a federation page that
// alpha publishes appears on every member's storefront, and its takedown
// leaves every one of them; gamma, which the charter does not let
// publish, is refused by its own node, and a page it signs all the same
// is never held, nor relayed, by the others (real libp2p, real Badger).
func TestFederationPageReplicatesAndIsTakenDown(t *testing.T) {
	ctx := context.Background()
	c := startClusterOpts(t, ClusterOptions{
		Dir: t.TempDir(), Names: []string{"alpha", "beta", "gamma"}, FederationID: "content-test", FederationName: "Content Test",
		Currency: "EUR", Period: time.Hour, Log: discard(), Publishers: []int{0, 1},
		Tune: func(cfg *Config) { cfg.Federation.DialInterval = 50 * time.Millisecond },
	})
	alpha, beta, gamma := c.Nodes[0], c.Nodes[1], c.Nodes[2]
	terms := content.Input{Kind: content.KindPage, Slug: "alliance-terms", Title: "Terms of the alliance",
		Body: "Every member's storefront sells every member's listings.\n\n<script>alert(1)</script>"}
	if _, err := alpha.Content().Save(ctx, terms, true, true, 1); err != nil {
		t.Fatal(err)
	}
	if _, err := alpha.Content().Publish(ctx, content.KindPage, terms.Slug); err != nil {
		t.Fatal(err)
	}
	for _, n := range []*Node{beta, gamma} {
		testwait.For(t, 30*time.Second, func() error {
			l, err := n.Content().Find(ctx, content.KindPage, terms.Slug)
			if err != nil {
				return fmt.Errorf("%s: %w", n.Name(), err)
			}
			if !l.Federation || l.Origin != alpha.PeerID().String() || l.Title != terms.Title {
				return fmt.Errorf("%s shows %+v", n.Name(), l)
			}
			return nil
		})
	}
	// One canonical page across the alliance: the publisher's; only its
	// sitemap lists the page.
	own := alpha.APIURL() + "/pages/" + terms.Slug
	if code, body := getPage(t, beta.APIURL()+"/pages/"+terms.Slug); code != 200 || !strings.Contains(body, `<link rel="canonical" href="`+own+`">`) {
		t.Errorf("beta's copy of alpha's page does not name %s as canonical: %d\n%s", own, code, body)
	}
	if !slices.Contains(sitemapURLs(t, alpha), own) {
		t.Errorf("alpha's sitemap lacks its federation page %s", own)
	}
	for _, u := range sitemapURLs(t, beta) {
		if strings.HasSuffix(u, "/pages/"+terms.Slug) {
			t.Errorf("beta's sitemap lists alpha's page as %s", u)
		}
	}
	if err := alpha.Content().Unpublish(ctx, content.KindPage, terms.Slug); err != nil {
		t.Fatal(err)
	}
	for _, n := range []*Node{alpha, beta, gamma} {
		testwait.For(t, 30*time.Second, func() error {
			if l, err := n.Content().Find(ctx, content.KindPage, terms.Slug); !errors.Is(err, content.ErrNotFound) {
				return fmt.Errorf("%s still shows the page taken down: %+v %v", n.Name(), l, err)
			}
			return nil
		})
	}

	// gamma may not publish: its own node refuses.
	rogue := content.Input{Kind: content.KindPage, Slug: "rogue", Title: "Pay us directly", Body: "x"}
	if _, err := gamma.Content().Save(ctx, rogue, true, true, 1); err != nil {
		t.Fatal(err)
	}
	if _, err := gamma.Content().Publish(ctx, content.KindPage, rogue.Slug); !errors.Is(err, catalog.ErrNotAllowed) {
		t.Fatalf("gamma publishes a federation page against the charter: %v", err)
	}
	// A gamma that ignores the charter signs it anyway.
	gamma.Catalog().SetPublishers(func(string) bool { return true })
	if _, err := gamma.Content().Publish(ctx, content.KindPage, rogue.Slug); err != nil {
		t.Fatal(err)
	}
	_, top := gamma.Catalog().Origin(gamma.PeerID().String())
	for _, n := range []*Node{alpha, beta} {
		// Once a member's mark for gamma passes the page, it has seen it.
		testwait.For(t, 30*time.Second, func() error {
			if m := n.Catalog().Marks()[gamma.PeerID().String()]; m < top {
				return fmt.Errorf("%s has gamma's records up to %d, not yet %d", n.Name(), m, top)
			}
			return nil
		})
		if l, err := n.Content().Find(ctx, content.KindPage, rogue.Slug); !errors.Is(err, content.ErrNotFound) {
			t.Errorf("%s shows gamma's page: %+v %v", n.Name(), l, err)
		}
		// What Since walks is what catch-up would send to others.
		err := n.Catalog().Since(map[string]uint64{}, 100, func(raws [][]byte) error {
			for _, raw := range raws {
				if rec, err := catalog.Decode(raw, 1<<20); err == nil && rec.Kind == catalog.KindDoc && rec.Origin == gamma.PeerID().String() {
					return fmt.Errorf("%s holds doc record %s", n.Name(), rec.Subject)
				}
			}
			return nil
		})
		if err != nil {
			t.Error(err)
		}
	}
}
