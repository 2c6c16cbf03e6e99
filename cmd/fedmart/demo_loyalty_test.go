package main

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/fedmart/fedmart/settlement"
)

var (
	demoStorefront = regexp.MustCompile(`storefront  (http://127\.0\.0\.1:\d+)/`)
	demoOperator   = regexp.MustCompile(`operator token (\S+)`)
	demoMerchantOf = regexp.MustCompile(`(?m)^  (\S+ \S+)\s+.+?\s+\d+ listings  (fmm_\S+)`)
	demoMemberAPI  = regexp.MustCompile(`(?m)^(\S+ \S+)\s+storefront  (http://127\.0\.0\.1:\d+)/`)
)

// restJSON sends a request to a running demo's API and decodes its 2xx
// answer into v.
func restJSON(t *testing.T, method, url, token string, body []byte, v any) {
	t.Helper()
	req, err := http.NewRequest(method, url, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	req.Header.Set("Content-Type", "application/json")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, url, err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	if res.StatusCode/100 != 2 {
		t.Fatalf("%s %s: %d %s", method, url, res.StatusCode, b)
	}
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatalf("%s %s: %v: %s", method, url, err, b)
	}
}

// checkDemoLoyalty checks, through each member's REST API, what the
// demo's output says of loyalty and promotions: the charter's policy is
// on, every merchant runs offers, every storefront has the coupon and
// some used it, the issuers booked points earned and spent, a new
// shopper's points account follows the policy, and an agreed period's
// statements hold points spent on another member's storefront (which
// only a shopper signed in there with its home member does).
func checkDemoLoyalty(t *testing.T, out string) {
	t.Helper()
	apis, ops := demoStorefront.FindAllStringSubmatch(out, -1), demoOperator.FindAllStringSubmatch(out, -1)
	if len(apis) < 2 || len(apis) != len(ops) {
		t.Fatalf("the demo names %d storefronts and %d operator tokens:\n%s", len(apis), len(ops), out)
	}
	var earned, spent, uses int64
	redeemed := 0
	for i, m := range apis {
		api, op := m[1], ops[i][1]
		var loyalty struct {
			Policy struct {
				Enabled        bool
				EarnBPS        int64  `json:"earn_bps"`
				PointValue     int64  `json:"point_value"`
				MaxShareBPS    int64  `json:"max_share_bps"`
				SpendableOn    string `json:"spendable_on"`
				Funder, Expiry string
			}
			Issuer struct {
				Periods []struct{ Earned, Spent int64 }
			}
		}
		restJSON(t, "GET", api+"/v1/loyalty", op, nil, &loyalty)
		p := loyalty.Policy
		if !p.Enabled || p.EarnBPS != demoLoyalty.EarnBPS || p.PointValue != demoLoyalty.PointValue || p.MaxShareBPS != 5000 ||
			p.Funder != "home" || p.SpendableOn != "delivered" || p.Expiry != "8760h0m0s" {
			t.Errorf("%s: the charter's loyalty policy is %+v, want the demo's", api, p)
		}
		for _, per := range loyalty.Issuer.Periods {
			earned, spent = earned+per.Earned, spent+per.Spent
		}
		var coupon struct {
			Coupon struct {
				Code       string
				PercentBPS int64 `json:"percent_bps"`
				Uses       int64
			}
		}
		restJSON(t, "GET", api+"/v1/coupons/WELCOME10", op, nil, &coupon)
		if coupon.Coupon.Code != "WELCOME10" || coupon.Coupon.PercentBPS != 1000 {
			t.Errorf("%s: coupon %+v", api, coupon.Coupon)
		}
		uses += coupon.Coupon.Uses
		var periods struct {
			Periods []struct{ Period, Status string }
		}
		restJSON(t, "GET", api+"/v1/settlement/periods", op, nil, &periods)
		for _, per := range periods.Periods {
			if per.Status != "agreed" {
				continue
			}
			var sts struct{ Statements []settlement.Statement }
			restJSON(t, "GET", api+"/v1/settlement/periods/"+per.Period+"/statements", op, nil, &sts)
			for _, st := range sts.Statements {
				for _, tot := range st.Totals {
					if tot.Kind == settlement.EntryPointsRedemption && tot.Amount.Amount > 0 {
						redeemed++
					}
				}
			}
		}
	}
	if earned == 0 || spent == 0 || uses == 0 || redeemed == 0 {
		t.Errorf("the issuers booked %d points earned and %d spent; the coupon has %d uses; %d agreed statements hold points_redemption",
			earned, spent, uses, redeemed)
	}
	memberAPI := map[string]string{}
	for _, m := range demoMemberAPI.FindAllStringSubmatch(out, -1) {
		memberAPI[m[1]] = m[2]
	}
	merchants := demoMerchantOf.FindAllStringSubmatch(out, -1)
	if len(merchants) == 0 {
		t.Fatalf("the demo names no merchants:\n%s", out)
	}
	for _, m := range merchants {
		var offers struct {
			Items []struct {
				Name  string
				Ended bool
			}
		}
		restJSON(t, "GET", memberAPI[m[1]]+"/v1/merchant/offers", m[2], nil, &offers)
		if !slices.ContainsFunc(offers.Items, func(o struct {
			Name  string
			Ended bool
		}) bool {
			return !o.Ended && strings.HasPrefix(o.Name, "−15 % on ")
		}) {
			t.Errorf("a merchant of %s runs the offers %+v, want the demo's", m[1], offers.Items)
		}
	}
	var shopper struct{ Token string }
	restJSON(t, "POST", apis[0][1]+"/v1/shoppers", "", []byte(`{"name":"Rest Shopper","email":"rest@example.org"}`), &shopper)
	var points struct {
		Enabled    bool
		Here       bool
		PointValue int64 `json:"point_value"`
	}
	restJSON(t, "GET", apis[0][1]+"/v1/points", shopper.Token, nil, &points)
	if !points.Enabled || !points.Here || points.PointValue != demoLoyalty.PointValue {
		t.Errorf("a new shopper's points: %+v", points)
	}
}
