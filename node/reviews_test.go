package node

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/fedmart/fedmart/catalog"
	"github.com/fedmart/fedmart/federation/order"
	"github.com/fedmart/fedmart/internal/testwait"
	"github.com/fedmart/fedmart/node/webhook"
)

// buyDelivered checks out one unit of a listing homed on home from sh's
// storefront, has its merchant ship and deliver it, and waits until the
// storefront holds the delivered status; it returns the order and part.
func buyDelivered(t *testing.T, sh *shopper, home *Node, token, listing, sku string) (string, string) {
	t.Helper()
	s, body := sh.checkout(sh.cart(order.ItemInput{ListingID: listing, SKU: sku, Quantity: 1}), "k-"+listing+sku, order.CardApprove)
	var o order.Order
	if s != 201 || json.Unmarshal(body, &o) != nil {
		t.Fatalf("checkout: %d %s", s, body)
	}
	part := o.Parts[0].ID
	testwait.For(t, 10*time.Second, func() error {
		if p, err := home.Orders().HomePartOf(t.Context(), "", part); err != nil || p.Status != order.StatusAccepted {
			return fmt.Errorf("part on %s: %+v %v", home.Name(), p, err)
		}
		return nil
	})
	shipAndDeliver(t, home, token, part)
	testwait.For(t, 10*time.Second, func() error {
		if got := partStatuses(sh.order(o.ID)); got != order.StatusDelivered {
			return fmt.Errorf("part is %s on the storefront", got)
		}
		return nil
	})
	return o.ID, part
}

func shopperID(t *testing.T, n *Node, sh *shopper) string {
	t.Helper()
	s, err := n.Orders().ShopperByToken(t.Context(), sh.token)
	if err != nil {
		t.Fatal(err)
	}
	return s.ID
}

// A shopper on Alpha buys from Beta and reviews the delivered line: the
// review and its rating reach Beta and Gamma; Beta replies once, and the
// reply reaches Alpha and Gamma. Forged reviews (signed with Gamma's real
// key) whose proof does not hold are refused by every member, directly
// and on the topic.
func TestVerifiedReviewReachesEveryMember(t *testing.T) {
	var mu sync.Mutex
	hooks := map[string]int{} // review id -> review.created deliveries
	recv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var body struct{ Data catalog.ReviewEvent }
		_ = json.NewDecoder(r.Body).Decode(&body)
		mu.Lock()
		defer mu.Unlock()
		if r.Header.Get("Fedmart-Event") == EventReviewCreated {
			hooks[body.Data.ID]++
		}
	}))
	defer recv.Close()
	c := startClusterWith(t, func(cfg *Config) {
		cfg.Webhooks = []webhook.Config{{URL: recv.URL, Secret: "back-office-secret-0123", Events: []string{"review.*"}}}
	}, "Alpha", "Beta", "Gamma")
	a, b, g := c.Nodes[0], c.Nodes[1], c.Nodes[2]
	onB, tokB := listOn(t, c, 1, "Bremen Forge", "PAN-B", 4999, 10)
	sh := newShopper(t, a, "Ada Lovelace")
	in := catalog.ReviewInput{ListingID: onB, SKU: "PAN-B", Rating: 4, Title: "Heavy <b>and</b> even", Text: "Heats evenly.\nA bit heavy."}

	// Not delivered yet: refused.
	s, body := sh.checkout(sh.cart(order.ItemInput{ListingID: onB, SKU: "PAN-B", Quantity: 1}), "early", order.CardApprove)
	var early order.Order
	if s != 201 || json.Unmarshal(body, &early) != nil {
		t.Fatalf("checkout: %d %s", s, body)
	}
	in.Part = early.Parts[0].ID
	if _, err := a.WriteReview(t.Context(), shopperID(t, a, sh), early.ID, in); !errors.Is(err, catalog.ErrInvalid) || !strings.Contains(err.Error(), "part") {
		t.Fatalf("review of an undelivered part: %v", err)
	}

	orderID, part := buyDelivered(t, sh, b, tokB, onB, "PAN-B")
	in.Part = part
	bad := in
	bad.Rating, bad.Title, bad.Photos = 9, strings.Repeat("x", 151), []string{"http://example.org/a.jpg"}
	s, body = req(t, "POST", a.APIURL()+"/v1/orders/"+orderID+"/reviews", "/v1/orders/{id}/reviews", sh.token, bad)
	for _, field := range []string{`"rating"`, `"title"`, `"photos[0]"`} {
		if s != 422 || !strings.Contains(string(body), field) {
			t.Fatalf("bad review: %d %s, want a 422 naming %s", s, body, field)
		}
	}
	s, body = req(t, "POST", a.APIURL()+"/v1/orders/"+orderID+"/reviews", "/v1/orders/{id}/reviews", sh.token, in)
	var rv catalog.Review
	if s != 201 || json.Unmarshal(body, &rv) != nil {
		t.Fatalf("review: %d %s", s, body)
	}
	if rv.Reviewer != "Ada L." || rv.Storefront != a.PeerID().String() || strings.Contains(string(mustJSON(t, rv)), "example.org") {
		t.Fatalf("review as signed: %+v", rv)
	}
	for _, n := range c.Nodes {
		testwait.For(t, 15*time.Second, func() error {
			got, err := n.Catalog().Review(t.Context(), rv.ID)
			if err != nil {
				return fmt.Errorf("%s: %v", n.Name(), err)
			}
			r := n.Catalog().ListingRating(onB)
			if got.Title != in.Title || r.Count != 1 || r.AverageX100 != 400 || r.Histogram != [5]int64{0, 0, 0, 1, 0} {
				return fmt.Errorf("%s: rating %+v", n.Name(), r)
			}
			return nil
		})
	}

	// An edit within the window is a new version of the same review.
	in.Rating, in.Title = 5, "Great pan"
	edited, err := a.WriteReview(t.Context(), shopperID(t, a, sh), orderID, in)
	if err != nil || edited.ID != rv.ID || edited.Version != 2 || !edited.Created.Equal(rv.Created) {
		t.Fatalf("edit: %+v %v", edited, err)
	}

	// Beta's merchant replies once.
	_, merchant, _, _ := catalog.ParseID(onB)
	if s, body := req(t, "POST", b.APIURL()+"/v1/merchant/reviews/"+rv.ID+"/reply", "/v1/merchant/reviews/{id}/reply", tokB, map[string]string{"text": "Thank you, Ada!"}); s != 201 {
		t.Fatalf("reply: %d %s", s, body)
	}
	if s, body := req(t, "POST", b.APIURL()+"/v1/merchant/reviews/"+rv.ID+"/reply", "/v1/merchant/reviews/{id}/reply", tokB, map[string]string{"text": "Again"}); s != 409 {
		t.Fatalf("second reply: %d %s", s, body)
	}
	for _, n := range []*Node{a, g} {
		testwait.For(t, 15*time.Second, func() error {
			got, err := n.Catalog().Review(t.Context(), rv.ID)
			if err != nil || got.Reply == nil || got.Rating != 5 || n.Catalog().ListingRating(onB).AverageX100 != 500 {
				return fmt.Errorf("%s: %+v %v", n.Name(), got, err)
			}
			return nil
		})
	}
	s, body = req(t, "GET", g.APIURL()+"/v1/catalog/listings/"+onB+"/reviews?sort=helpful", "/v1/catalog/listings/{id}/reviews", "", nil)
	var page struct {
		Reviews []catalog.ReviewView
		Rating  catalog.Rating
	}
	if s != 200 || json.Unmarshal(body, &page) != nil || len(page.Reviews) != 1 || page.Reviews[0].Reply == nil || page.Rating.Count != 1 {
		t.Fatalf("reviews on gamma: %d %s", s, body)
	}
	if _, err := g.Catalog().PutReply(t.Context(), merchant, rv.ID, "not mine"); !errors.Is(err, catalog.ErrNotFound) {
		t.Fatalf("a reply from another member than the listing's home: %v", err)
	}

	forgeReviews(t, c, rv, onB)
	// The storefront that signed it and the listing's home each told
	// their back office once; Gamma, neither, did not.
	testwait.For(t, 10*time.Second, func() error {
		mu.Lock()
		defer mu.Unlock()
		if hooks[rv.ID] != 2 || len(hooks) != 1 {
			return fmt.Errorf("review.created webhooks: %v, want 2 of %s", hooks, rv.ID)
		}
		return nil
	})
}

// forgeReviews signs reviews with Gamma's real key whose proofs fail and
// checks that no member stores one, from a direct apply or the topic.
func forgeReviews(t *testing.T, c *Cluster, real catalog.Review, listing string) {
	a, b, g := c.Nodes[0], c.Nodes[1], c.Nodes[2]
	gKey, err := LoadIdentity(g.cfg.path(g.cfg.Identity))
	if err != nil {
		t.Fatal(err)
	}
	gID := g.PeerID().String()
	review := func(proof []byte, digest string, seq uint64) []byte {
		now := time.Now().UTC()
		rv := &catalog.Review{ID: catalog.ReviewID(gID, real.Part, listing, "PAN-B"), Storefront: gID, ListingID: listing, SKU: "PAN-B",
			Part: real.Part, Rating: 1, Title: "Terrible", Reviewer: "Eve E.", Proof: proof, ProofDigest: digest, Created: now, Version: 1, UpdatedAt: now}
		return seal(t, &catalog.Record{Origin: gID, Seq: seq, Kind: catalog.KindReview, Subject: rv.ID, Version: 1, Review: rv, Time: now}, gKey)
	}
	// A status Gamma signs itself, as if it were the home.
	own := order.SignedStatus(gKey, gID, real.Part, time.Now(), &order.Status{Seq: 9, Status: order.StatusDelivered, Merchant: "m",
		Total: order.Money{Amount: 1, Currency: "EUR"}, Items: []order.Units{{ListingID: listing, SKU: "PAN-B", Quantity: 1}}})
	forged := map[string][]byte{
		"a status addressed to alpha":  review(real.Proof, real.ProofDigest, 1<<30),
		"a status gamma signed":        review(own, catalog.ProofDigest(own), 1<<30+1),
		"a digest that does not match": review(real.Proof, strings.Repeat("0", 64), 1<<30+2),
		"no status":                    review(nil, catalog.ProofDigest(nil), 1<<30+3),
	}
	for name, raw := range forged {
		for _, n := range c.Nodes {
			if _, err := n.cat.Apply(raw); err == nil {
				t.Fatalf("%s: %s's catalog accepted it", name, n.Name())
			}
		}
		g.repl.Publish(raw)
	}
	// A valid record sent after them arrives, so the forged ones had their chance.
	listOn(t, c, 2, "Genoa Steel", "PAN-G", 2500, 3)
	for _, n := range []*Node{a, b} {
		testwait.For(t, 10*time.Second, func() error {
			if refused := metric(t, n, `fedmart_catalog_gossip_received_total{outcome="refused"}`); refused < float64(len(forged)) {
				return fmt.Errorf("%s refused %v forged reviews on the topic, want %d", n.Name(), refused, len(forged))
			}
			return nil
		})
	}
	for _, n := range c.Nodes {
		if _, err := n.Catalog().Review(t.Context(), catalog.ReviewID(gID, real.Part, listing, "PAN-B")); !errors.Is(err, catalog.ErrNotFound) {
			t.Errorf("%s stored a forged review: %v", n.Name(), err)
		}
		if r := n.Catalog().ListingRating(listing); r.Count != 1 || r.AverageX100 != 500 {
			t.Errorf("%s: the rating changed: %+v", n.Name(), r)
		}
	}
}

func mustJSON(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
