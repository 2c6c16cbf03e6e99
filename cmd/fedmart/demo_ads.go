package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http"
	"slices"
	"time"

	"github.com/fedmart/fedmart/catalog"
	"github.com/fedmart/fedmart/catalog/search"
	"github.com/fedmart/fedmart/federation"
	"github.com/fedmart/fedmart/node"
)

// The demo's sponsored listings: the charter caps a campaign's fee at
// 15 % of an attributed sale and gives the storefront 60 % of each fee
// (the treasury the rest); the first merchant of each of the first two
// members runs a campaign over its biggest department, made over its
// REST API; a third of the simulated shoppers' first picks go through a
// sponsored slot when their search shows one, so that the first periods'
// netting carries ad fees.

// demoAds is the demo charter's ad policy.
var demoAds = federation.Ads{MaxFeeBPS: 1500, StorefrontShareBPS: 6000}

// publishCampaigns gives two demo merchants a campaign each, unless they
// run one already; it returns the campaigns' names.
func publishCampaigns(ctx context.Context, c *node.Cluster, merchants []demoMerchant) ([]string, error) {
	var out []string
	seen := map[string]bool{}
	for _, m := range merchants {
		n := memberNamed(c, m.Member)
		if n == nil || seen[m.Member] || len(seen) == 2 {
			continue
		}
		seen[m.Member] = true
		depts, err := departments(ctx, n, m.ID)
		if err != nil || len(depts) == 0 {
			return out, err
		}
		name := "Featured " + depts[0]
		b, err := apiCall(ctx, http.MethodGet, n.APIURL()+"/v1/merchant/campaigns", m.Token, nil)
		if err != nil {
			return out, err
		}
		var have struct{ Items []catalog.Campaign }
		if err := json.Unmarshal(b, &have); err != nil {
			return out, err
		}
		now := time.Now().UTC().Truncate(time.Second)
		if !slices.ContainsFunc(have.Items, func(cp catalog.Campaign) bool { return cp.Name == name && cp.Active(now) }) {
			in := catalog.CampaignInput{Name: name, Categories: depts[:1], DailyBudget: 20000, TotalBudget: 50000, FeeBPS: 800,
				Starts: now, Ends: now.Add(demoPromoDays * 24 * time.Hour)}
			body, _ := json.Marshal(in)
			if _, err := apiCall(ctx, http.MethodPost, n.APIURL()+"/v1/merchant/campaigns", m.Token, bytes.NewReader(body)); err != nil {
				return out, err
			}
		}
		out = append(out, fmt.Sprintf("%s on %s: %q, 8 %% per attributed sale, 500.00 EUR budget", m.Name, m.Member, name))
	}
	return out, nil
}

// sponsoredPick is, for a third of the picks, a result of res that a
// live campaign sponsors, its click remembered for shopper as the slot
// would; false when the shopper does not take a slot.
func sponsoredPick(ctx context.Context, home *node.Node, shopper string, res search.Result, rng *rand.Rand) (search.Doc, bool) {
	if rng.IntN(3) != 0 {
		return search.Doc{}, false
	}
	camps, err := home.Catalog().Campaigns(ctx, "", "")
	if err != nil {
		return search.Doc{}, false
	}
	now := time.Now()
	for _, d := range res.Items {
		for _, cp := range camps {
			if cp.Active(now) && cp.Platform == d.Platform && cp.Merchant == d.Merchant && cp.Covers(d.ID, d.Category) {
				if home.Orders().RecordAdClick(ctx, shopper, d.ID, cp.ID) == nil {
					return d, true
				}
			}
		}
	}
	return search.Doc{}, false
}
