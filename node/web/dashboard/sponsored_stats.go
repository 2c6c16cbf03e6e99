package dashboard

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/fedmart/fedmart/catalog"
	"github.com/fedmart/fedmart/node/adstats"
	"github.com/fedmart/fedmart/node/web"
)

// What each campaign's sponsored slots did on this storefront over the
// last statsDays days: impressions and clicks (counted by this node
// alone and never billed), the click-through rate, the sales attributed
// to the slots and this member's share of their fees, less what refunds
// took back. Most slots shown first.

// statsDays is how many days, today included, the table covers.
const statsDays = 30

// AdStats are the storefront's counts per campaign; *adstats.Counter
// satisfies it.
type AdStats interface {
	Since(ctx context.Context, from time.Time) ([]adstats.Campaign, error)
}

// Campaigns are every member's campaigns, to name them; *catalog.Catalog
// satisfies it.
type Campaigns interface {
	Campaigns(ctx context.Context, platform, merchant string) ([]catalog.Campaign, error)
}

// campaignStatsRow is one campaign's figures.
type campaignStatsRow struct {
	ID, Name, Owner            string
	Impressions, Clicks, Sales int64
	CTR, Revenue               string
}

// campaignStats are the rows of the campaigns this storefront's slots
// showed, clicked or sold in the last statsDays days.
func (d *Dashboard) campaignStats(ctx context.Context) ([]campaignStatsRow, error) {
	if d.deps.AdStats == nil || d.deps.Campaigns == nil {
		return nil, nil
	}
	from := d.site.Now().UTC().AddDate(0, 0, -(statsDays - 1))
	list, err := d.deps.AdStats.Since(ctx, from)
	if err != nil {
		return nil, fmt.Errorf("sponsored slot counts: %w", err)
	}
	all, err := d.deps.Campaigns.Campaigns(ctx, "", "")
	if err != nil {
		return nil, err
	}
	names := map[string]string{}
	for _, c := range all {
		names[c.ID] = c.Name
	}
	cur := d.site.Currency()
	rows := make([]campaignStatsRow, 0, len(list))
	for _, s := range list {
		parts := append(strings.SplitN(s.Campaign, ".", 3), "", "") // <platform>.<merchant>.<campaign>
		row := campaignStatsRow{ID: s.Campaign, Name: names[s.Campaign], Owner: "merchant " + web.ShortID(parts[1]) + " of " + web.ShortID(parts[0]),
			Impressions: s.Impressions, Clicks: s.Clicks, Sales: s.Sales, CTR: "–", Revenue: web.FormatMoney(s.Revenue, cur)}
		if row.Name == "" {
			row.Name = "Campaign " + web.ShortID(s.Campaign) + " (ended)"
		}
		if s.Impressions > 0 {
			row.CTR = web.FormatBPS(s.Clicks * 10000 / s.Impressions)
		}
		rows = append(rows, row)
	}
	slices.SortStableFunc(rows, func(a, b campaignStatsRow) int { return cmp.Compare(b.Impressions, a.Impressions) })
	return rows, nil
}
