package federation

import (
	"errors"
	"strings"
	"testing"
	"time"
)

// TestCharterLoyalty: a charter without loyalty keeps its signed bytes;
// an amendment that turns it on verifies and carries it; every bad
// setting is refused naming its field.
func TestCharterLoyalty(t *testing.T) {
	a, ka := staticMember(t, "alpha")
	b, kb := staticMember(t, "beta")
	v1 := founding(t, []Member{a, b}, ka, kb)
	if strings.Contains(string(v1.Charter.Canonical()), "loyalty") {
		t.Errorf("a charter without loyalty encodes it: %s", v1.Charter.Canonical())
	}
	if v1.Charter.Loyalty.Enabled() {
		t.Error("loyalty on in a charter that has none")
	}
	good := Loyalty{EarnBPS: 10000, PointValue: 1, Funder: FunderSplit, FunderHomeBPS: 5000,
		SpendableOn: SpendableOnDelivered, Expiry: Duration(365 * 24 * time.Hour), MaxShareBPS: 5000}
	v2 := amend(t, v1, func(c *Charter) { c.Loyalty = good }, ka, kb)
	if err := v2.Verify(&v1.Charter); err != nil {
		t.Fatal(err)
	}
	if v2.Charter.Loyalty != good || v2.Charter.Loyalty.MaxShare() != 5000 {
		t.Errorf("amended loyalty: %+v", v2.Charter.Loyalty)
	}
	tests := []struct {
		name  string
		edit  func(*Loyalty)
		field string
	}{
		{"off but set", func(l *Loyalty) { *l = Loyalty{PointValue: 1} }, "charter.loyalty.earn_bps"},
		{"earn too high", func(l *Loyalty) { l.EarnBPS = 100*MaxBPS + 1 }, "charter.loyalty.earn_bps"},
		{"no point value", func(l *Loyalty) { l.PointValue = 0 }, "charter.loyalty.point_value"},
		{"point value too high", func(l *Loyalty) { l.PointValue = MaxPointValue + 1 }, "charter.loyalty.point_value"},
		{"unknown funder", func(l *Loyalty) { l.Funder = "treasury" }, "charter.loyalty.funder"},
		{"split without share", func(l *Loyalty) { l.FunderHomeBPS = 0 }, "charter.loyalty.funder_home_bps"},
		{"split whole", func(l *Loyalty) { l.FunderHomeBPS = MaxBPS }, "charter.loyalty.funder_home_bps"},
		{"share without split", func(l *Loyalty) { l.Funder = FunderHome }, "charter.loyalty.funder_home_bps"},
		{"spendable unknown", func(l *Loyalty) { l.SpendableOn = "paid" }, "charter.loyalty.spendable_on"},
		{"negative expiry", func(l *Loyalty) { l.Expiry = Duration(-time.Hour) }, "charter.loyalty.expiry"},
		{"min share negative", func(l *Loyalty) { l.MinShareBPS = -1 }, "charter.loyalty.min_share_bps"},
		{"max share over 100 %", func(l *Loyalty) { l.MaxShareBPS = MaxBPS + 1 }, "charter.loyalty.max_share_bps"},
		{"min over max", func(l *Loyalty) { l.MinShareBPS = 6000 }, "charter.loyalty.min_share_bps"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l := good
			tt.edit(&l)
			bad := amend(t, v1, func(c *Charter) { c.Loyalty = l }, ka, kb)
			err := bad.Verify(&v1.Charter)
			if !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), tt.field) {
				t.Errorf("err = %v, want one naming %s", err, tt.field)
			}
		})
	}
}
