package catalog

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"
)

func kettleCampaign(fee int64) CampaignInput {
	return CampaignInput{Name: "Spring kettles", Categories: []string{"Home > Kitchen"}, Keywords: []string{"kettle"},
		DailyBudget: 5000, TotalBudget: 20000, FeeBPS: fee, Starts: offerStart, Ends: offerStart.Add(30 * 24 * time.Hour)}
}

// TestCampaignsAreSignedReplicatedPausedAndEnded: a campaign reaches
// another member by catch-up, its pause and its end replicate too, and
// an ended campaign cannot be replaced.
func TestCampaignsAreSignedReplicatedPausedAndEnded(t *testing.T) {
	ctx := context.Background()
	members := &memberSet{}
	a, b := newNode(t, testConfig(), members), newNode(t, testConfig(), members)
	a.SetAdFeeCap(2000)
	b.SetAdFeeCap(2000)
	m := a.merchant(t)
	cp, err := a.PutCampaign(ctx, m, "", kettleCampaign(1200))
	if err != nil {
		t.Fatal(err)
	}
	if cp.Version != 1 || cp.State != CampaignLive || cp.Platform != a.self || !strings.HasPrefix(cp.ID, a.self+"."+m+".") {
		t.Fatalf("campaign %+v", cp)
	}
	if again, err := a.PutCampaign(ctx, m, cp.ID, kettleCampaign(1200)); err != nil || again.Version != 1 {
		t.Fatalf("an unchanged campaign signed again: %+v %v", again, err)
	}
	syncFrom(t, b, a, 10)
	got, err := b.Campaign(ctx, cp.ID)
	if err != nil || got.FeeBPS != 1200 || !got.Active(offerStart.Add(time.Hour)) || got.Active(offerStart.Add(-time.Hour)) {
		t.Fatalf("B's copy: %+v %v", got, err)
	}
	if !got.Covers(a.self+"."+m+".x", "Home > Kitchen > Kettles") || got.Covers(a.self+"."+m+".x", "Garden") {
		t.Error("a category campaign covers the wrong categories")
	}
	if !got.Matches("Steel KETTLE 1.7l") || got.Matches("teapot") {
		t.Error("keywords match the wrong queries")
	}
	if _, err := a.SetCampaignState(ctx, m, cp.ID, CampaignPaused); err != nil {
		t.Fatal(err)
	}
	// A replaced campaign keeps its state unless the input names one.
	if v, err := a.PutCampaign(ctx, m, cp.ID, kettleCampaign(1500)); err != nil || v.State != CampaignPaused || v.Version != 3 {
		t.Fatalf("replaced paused campaign: %+v %v", v, err)
	}
	syncFrom(t, b, a, 10)
	if got, _ := b.Campaign(ctx, cp.ID); got.State != CampaignPaused || got.FeeBPS != 1500 || got.Active(offerStart.Add(time.Hour)) {
		t.Fatalf("B's copy after the pause: %+v", got)
	}
	if all, _ := b.Campaigns(ctx, "", ""); len(all) != 1 {
		t.Fatalf("B's campaigns of every member: %+v", all)
	}
	if err := a.EndCampaign(ctx, m, cp.ID); err != nil {
		t.Fatal(err)
	}
	syncFrom(t, b, a, 10)
	if _, err := b.Campaign(ctx, cp.ID); !errors.Is(err, ErrNotFound) {
		t.Fatalf("an ended campaign on B: %v", err)
	}
	if _, err := a.PutCampaign(ctx, m, cp.ID, kettleCampaign(1000)); !errors.Is(err, ErrNotFound) {
		t.Fatalf("replacing an ended campaign: %v", err)
	}
	// Offers of the merchant are not confused with its campaigns.
	if os, err := b.Offers(ctx, a.self, m); err != nil || len(os) != 0 {
		t.Fatalf("offers: %+v %v", os, err)
	}
}

// TestCampaignAboveTheCapIsRefused: a member whose cap is lower than the
// signer's refuses its campaign record (never stored, so never relayed),
// and a merchant cannot publish above its own node's cap, nor at all
// when the charter runs no ads.
func TestCampaignAboveTheCapIsRefused(t *testing.T) {
	ctx := context.Background()
	members := &memberSet{}
	a, b := newNode(t, testConfig(), members), newNode(t, testConfig(), members)
	m := a.merchant(t)
	if _, err := a.PutCampaign(ctx, m, "", kettleCampaign(1000)); !fieldErr(err, "fee_bps") {
		t.Fatalf("a campaign with ads off: %v", err)
	}
	a.SetAdFeeCap(3000)
	b.SetAdFeeCap(1000)
	if _, err := a.PutCampaign(ctx, m, "", kettleCampaign(3001)); !fieldErr(err, "fee_bps") {
		t.Fatalf("a campaign above the cap: %v", err)
	}
	cp, err := a.PutCampaign(ctx, m, "", kettleCampaign(2500))
	if err != nil {
		t.Fatal(err)
	}
	var refused error
	err = a.Since(b.Marks(), 10, func(raws [][]byte) error {
		for _, raw := range raws {
			if _, err := b.Apply(raw); err != nil && !isNoop(err) {
				refused = err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if refused == nil || !strings.Contains(refused.Error(), "fee_bps") {
		t.Fatalf("B took a campaign above its cap: %v", refused)
	}
	if _, err := b.Campaign(ctx, cp.ID); !errors.Is(err, ErrNotFound) {
		t.Fatalf("B holds the campaign above its cap: %v", err)
	}
}

// TestCampaignInputIsCheckedByField: every problem of a campaign is named
// by its field, and a merchant cannot touch another's campaigns.
func TestCampaignInputIsCheckedByField(t *testing.T) {
	ctx := context.Background()
	a := newNode(t, testConfig(), &memberSet{})
	a.SetAdFeeCap(2000)
	m, other := a.merchant(t), a.merchant(t)
	cases := []struct {
		in   func(*CampaignInput)
		want string
	}{
		{func(in *CampaignInput) { in.Name = "" }, "name"},
		{func(in *CampaignInput) { in.FeeBPS = 0 }, "fee_bps"},
		{func(in *CampaignInput) { in.TotalBudget = 0 }, "total_budget"},
		{func(in *CampaignInput) { in.DailyBudget = in.TotalBudget + 1 }, "daily_budget"},
		{func(in *CampaignInput) { in.DailyBudget = -1 }, "daily_budget"},
		{func(in *CampaignInput) { in.State = "running" }, "state"},
		{func(in *CampaignInput) { in.Ends = in.Starts }, "ends"},
		{func(in *CampaignInput) { in.Starts = time.Time{} }, "starts"},
		{func(in *CampaignInput) { in.Listings = []string{"elsewhere.shop.x"} }, "listings[0]"},
		{func(in *CampaignInput) { in.Categories = []string{" Home"} }, "categories[0]"},
		{func(in *CampaignInput) { in.Keywords = []string{strings.Repeat("k", 51)} }, "keywords[0]"},
		{func(in *CampaignInput) { in.Keywords = make([]string, 21) }, "keywords"},
	}
	for _, c := range cases {
		in := kettleCampaign(1000)
		c.in(&in)
		if _, err := a.PutCampaign(ctx, m, "", in); !fieldErr(err, c.want) {
			t.Errorf("%s: err = %v", c.want, err)
		}
	}
	cp, err := a.PutCampaign(ctx, m, "", kettleCampaign(1000))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.PutCampaign(ctx, other, cp.ID, kettleCampaign(1000)); !errors.Is(err, ErrNotFound) {
		t.Errorf("another merchant replaced the campaign: %v", err)
	}
	if err := a.EndCampaign(ctx, other, cp.ID); !errors.Is(err, ErrNotFound) {
		t.Errorf("another merchant ended the campaign: %v", err)
	}
}

// fieldErr reports whether err is a validation error naming field.
func fieldErr(err error, field string) bool {
	var ve *ValidationError
	if !errors.As(err, &ve) {
		return false
	}
	for _, fe := range ve.Errors {
		if fe.Field == field {
			return true
		}
	}
	return false
}
