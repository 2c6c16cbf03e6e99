package main

import (
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"strings"
	"time"

	"github.com/fedmart/fedmart/catalog"
	"github.com/fedmart/fedmart/federation"
	"github.com/fedmart/fedmart/node"
)

// The storefront's search with reviews and sponsored slots (issue 18):
// one member holds the listings and serves its storefront's /search
// (the page shoppers use, with slot filling: the campaigns running now,
// the operator's settings, relevance and stock, whether the listing
// ships to the storefront's country, impressions counted) at 8 clients,
// in rounds that alternate two states of the same member: slots on and
// the reviews' ratings in the index, and slots off (the operator's
// switch) with no rating. The reviews reach the index as a rating per listing
// (the aggregate the catalog computes from stored reviews), spread over
// the listings at random with a realistic distribution of stars.

// storefrontQueries is the query mix of searchQueries as the
// storefront's search form writes it (prices in major units, one brand
// per parameter), with the rating sort and filter.
var storefrontQueries = []string{
	"q=skillet", "q=wireless+headphones", "q=oak+bookshelf", "q=dress&sort=price_asc", "q=lamp&brand=Nordlys",
	"category=Home", "category=Apparel+%3E+Men&sort=newest", "q=jacket&in_stock=1", "q=steel&min_price=20&max_price=90",
	"", "q=yoga+mat&sort=price_desc", "category=Electronics&brand=Sonique&brand=Pulse+Audio", "q=novel", "q=tent&in_stock=1&sort=price_asc",
	"q=lamp&sort=rating", "q=kettle&min_rating=4",
}

// adKeywords are the words campaigns bid on: some queries of the mix
// contain them.
var adKeywords = []string{"skillet", "lamp", "jacket", "headphones", "tent", "yoga", "novel", "dress", "steel", "kettle", "sneaker", "backpack"}

// adCategories are the categories campaigns sponsor.
var adCategories = []string{"Home > Kitchen", "Home > Furniture", "Apparel", "Electronics > Audio", "Sports > Outdoor", "Books", "Toys", "Garden"}

// benchSearchSlots measures the storefront's search over docs listings
// with reviews' ratings and campaigns (sponsored slots on) beside the
// same search without them.
func benchSearchSlots(ctx context.Context, docs, reviews, campaigns int, logf func(string, ...any)) ([]figure, error) {
	c, stop, err := benchCluster(ctx, 1, "strict", func(co *node.ClusterOptions) {
		co.Ads = federation.Ads{MaxFeeBPS: 2000, SlotsPerPage: 3, StorefrontShareBPS: 6000}
		tune := co.Tune
		co.Tune = func(cfg *node.Config) { tune(cfg); cfg.Storefront.Country = "DE" }
	})
	if err != nil {
		return nil, err
	}
	defer stop()
	nd := c.Nodes[0]
	merchants, err := loadSearchListings(ctx, nd, docs, 0, logf)
	if err != nil {
		return nil, err
	}
	ids, err := listingIDs(ctx, nd, merchants)
	if err != nil {
		return nil, err
	}
	base := nd.APIURL()
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 16}}
	logf("  %d reviews' ratings, %d campaigns...", reviews, campaigns)
	ratings := spreadReviews(ids, reviews)
	camps, err := publishBenchCampaigns(ctx, nd, merchants, ids, campaigns)
	if err != nil {
		return nil, err
	}
	// Rounds alternate the two searches, the order flipped each round,
	// so that the machine's other load weighs on both alike.
	const rounds, clients, perClient = 4, 8, 64
	page := func(i int) string { return base + "/search?" + storefrontQueries[i%len(storefrontQueries)] }
	var plain, slotted []time.Duration
	// CPU time per search, the process's (the clients included, alike on
	// both sides): a figure the machine's other load inflates far less
	// than latency.
	var plainCPU, slottedCPU time.Duration
	for r := range rounds {
		for _, with := range []bool{r%2 == 1, r%2 == 0} {
			if err := nd.SetSponsoredSlots(with); err != nil {
				return nil, err
			}
			setRatings(nd, ids, ratings, with)
			if with {
				if err := slotShown(ctx, client, base); err != nil {
					return nil, err
				}
			}
			cpu0 := cpuTime()
			lat, err := loadHTTP(ctx, client, clients, perClient, page)
			if err != nil {
				return nil, err
			}
			if with {
				slotted, slottedCPU = append(slotted, lat...), slottedCPU+cpuTime()-cpu0
			} else {
				plain, plainCPU = append(plain, lat...), plainCPU+cpuTime()-cpu0
			}
		}
		logf("  round %d of %d: %d searches each way", r+1, rounds, len(plain))
	}
	n := nd.Search().Len()
	without := fmt.Sprintf("same searches, slots off and no ratings, alternating with them (%d requests)", len(plain))
	return []figure{
		{Name: fmt.Sprintf("storefront search over %d listings with %d reviews and %d campaigns (3 slots per page), 8 clients, p50", n, reviews, len(camps)),
			Unit: "ms", Value: ms(percentile(slotted, 50)), Baseline: without, Base: ms(percentile(plain, 50))},
		{Name: "same, p99", Unit: "ms", Value: ms(percentile(slotted, 99)), Baseline: without, Base: ms(percentile(plain, 99)), Goal: "within 1.2x"},
		{Name: "CPU time per search, server and clients", Unit: "ms", Value: ms(slottedCPU / time.Duration(max(len(slotted), 1))),
			Baseline: "same, slots off and no ratings", Base: ms(plainCPU / time.Duration(max(len(plain), 1)))},
		{Name: "listings rated (at least one review)", Unit: "listings", Value: float64(rated(ratings))},
	}, nil
}

// listingIDs are the ids of the merchants' listings.
func listingIDs(ctx context.Context, nd *node.Node, merchants []string) ([]string, error) {
	var ids []string
	for _, m := range merchants {
		cursor := ""
		for {
			page, next, err := nd.Catalog().MerchantListings(ctx, m, cursor, 1000)
			if err != nil {
				return nil, err
			}
			for _, l := range page {
				ids = append(ids, l.ID)
			}
			if next == "" {
				break
			}
			cursor = next
		}
	}
	return ids, nil
}

// listingRating is the reviews of one listing: how many and their
// stars' sum.
type listingRating struct {
	count uint16
	sum   uint32
}

// spreadReviews spreads reviews over ids at random, each of 1 to 5
// stars as shoppers give them (most fives, then fours, a tail of ones).
func spreadReviews(ids []string, reviews int) []listingRating {
	out := make([]listingRating, len(ids))
	if len(ids) == 0 {
		return out
	}
	rnd := rand.New(rand.NewPCG(18, 5))
	stars := []uint32{5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 4, 4, 4, 4, 4, 3, 3, 2, 1, 1}
	for range reviews {
		r := &out[rnd.IntN(len(ids))]
		if r.count < 65535 {
			r.count++
			r.sum += stars[rnd.IntN(len(stars))]
		}
	}
	return out
}

// rated counts the listings with a review.
func rated(ratings []listingRating) int {
	n := 0
	for _, r := range ratings {
		if r.count > 0 {
			n++
		}
	}
	return n
}

// setRatings sets each rated listing's aggregate in the index (as the
// catalog does from stored reviews), or clears it.
func setRatings(nd *node.Node, ids []string, ratings []listingRating, on bool) {
	for i, r := range ratings {
		switch {
		case r.count == 0:
		case on:
			nd.Search().SetRating(ids[i], (int64(r.sum)*200+int64(r.count))/(2*int64(r.count)), int64(r.count))
		default:
			nd.Search().SetRating(ids[i], 0, 0)
		}
	}
}

// publishBenchCampaigns creates n campaigns spread over the merchants, each
// running for a day: by category, by keywords over the whole shop, by
// up to 100 listings, and by category and keywords in turn, at fees of
// 1 to 20 %.
func publishBenchCampaigns(ctx context.Context, nd *node.Node, merchants, ids []string, n int) ([]catalog.Campaign, error) {
	rnd := rand.New(rand.NewPCG(18, 6))
	byMerchant := map[string][]string{}
	for _, id := range ids {
		_, m, _, _ := catalog.ParseID(id)
		if len(byMerchant[m]) < 100 {
			byMerchant[m] = append(byMerchant[m], id)
		}
	}
	now := time.Now()
	var out []catalog.Campaign
	for i := range n {
		m := merchants[i%len(merchants)]
		in := catalog.CampaignInput{Name: fmt.Sprintf("Bench campaign %d", i), TotalBudget: 100_000_000, FeeBPS: int64(100 + rnd.IntN(1901)),
			Starts: now.Add(-time.Hour), Ends: now.Add(24 * time.Hour)}
		kw := []string{adKeywords[rnd.IntN(len(adKeywords))], adKeywords[rnd.IntN(len(adKeywords))]}
		switch i % 4 {
		case 0:
			in.Categories = []string{adCategories[rnd.IntN(len(adCategories))]}
		case 1:
			in.Keywords = kw
		case 2:
			in.Listings = byMerchant[m]
		default:
			in.Categories, in.Keywords = []string{adCategories[rnd.IntN(len(adCategories))]}, kw[:1]
		}
		cp, err := nd.Catalog().PutCampaign(ctx, m, "", in)
		if err != nil {
			return nil, fmt.Errorf("campaign %d: %w", i, err)
		}
		out = append(out, cp)
	}
	return out, nil
}

// slotShown checks that a search the campaigns cover shows a sponsored
// slot, so that the run measures slot filling and not an empty shelf.
func slotShown(ctx context.Context, client *http.Client, base string) error {
	for _, q := range storefrontQueries {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, base+"/search?"+q, nil)
		if err != nil {
			return err
		}
		resp, err := client.Do(req)
		if err != nil {
			return err
		}
		b, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil {
			return err
		}
		if strings.Contains(string(b), `class="card sponsored-card"`) {
			return nil
		}
	}
	return fmt.Errorf("no search of the mix shows a sponsored slot: the run would not measure slot filling")
}
