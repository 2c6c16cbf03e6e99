package catalog

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/fedmart/fedmart/catalog/shipping"
)

func parcelsInput() ShippingProfileInput {
	return ShippingProfileInput{Name: "Parcels", Zones: []shipping.Zone{
		{Name: "Domestic", Countries: []string{"DE"}, Rates: []shipping.Rate{{Name: "Standard", Flat: 490, Transit: shipping.Days{Min: 1, Max: 2}, Carriers: []string{"dhl"}}}},
		{Name: "EU", Countries: []string{"FR", "NL"}, Rates: []shipping.Rate{{Name: "Standard", Flat: 990, FreeOver: 10000, Transit: shipping.Days{Min: 3, Max: 5}}}},
	}}
}

func merchantInput(defaultShipping string) MerchantProfileInput {
	return MerchantProfileInput{Name: "Bremen Forge", Description: "Cast iron since 1921.", Country: "DE", Email: "help@forge.example",
		Policies:        Policies{ReturnDays: 30, ReturnShipping: ReturnPaidByShopper, RestockingFeeBPS: 500, HandlingDays: 2},
		DefaultShipping: defaultShipping}
}

// TestProfilesAreSignedReplicatedAndQuoted: a merchant's shipping
// profile and profile reach another member, where listings resolve their
// shipping terms from them; a takedown replicates too.
func TestProfilesAreSignedReplicatedAndQuoted(t *testing.T) {
	ctx := context.Background()
	members := &memberSet{}
	a, b := newNode(t, testConfig(), members), newNode(t, testConfig(), members)
	m := a.merchant(t)
	sp, err := a.PutShippingProfile(ctx, m, "", parcelsInput())
	if err != nil {
		t.Fatal(err)
	}
	if sp.Version != 1 || sp.Platform != a.self || sp.Merchant != m {
		t.Fatalf("profile %+v", sp)
	}
	if again, err := a.PutShippingProfile(ctx, m, sp.ID, parcelsInput()); err != nil || again.Version != 1 {
		t.Fatalf("an unchanged profile signed again: %+v %v", again, err)
	}
	mp, err := a.SetMerchantProfile(ctx, m, merchantInput(sp.ID))
	if err != nil {
		t.Fatal(err)
	}
	plain := input("Skillet", "PAN")
	plain.ShippingRegions = []string{"AT"}
	l, err := a.CreateListing(ctx, m, plain)
	if err != nil {
		t.Fatal(err)
	}
	syncFrom(t, b, a, 10)

	got, err := b.MerchantProfile(ctx, a.self, m)
	if err != nil || got.Name != "Bremen Forge" || got.Policies.ReturnDays != 30 || got.Version != mp.Version {
		t.Fatalf("B's copy of the merchant: %+v %v", got, err)
	}
	onB, err := b.Listing(ctx, l.ID)
	if err != nil {
		t.Fatal(err)
	}
	terms, err := b.ShippingFor(ctx, &onB)
	if err != nil || terms.HandlingDays != 2 || terms.Profile.ID != sp.ID {
		t.Fatalf("terms on B: %+v %v", terms, err)
	}
	if opts, err := terms.Profile.Options(shipping.Destination{Country: "FR"}, []shipping.Item{{Quantity: 1, Subtotal: 2999}}); err != nil || opts[0].Price != 990 {
		t.Fatalf("quote to FR: %+v %v", opts, err)
	}
	if _, err := terms.Profile.Options(shipping.Destination{Country: "AT"}, nil); !errors.Is(err, shipping.ErrNotServed) {
		t.Fatalf("the default profile wins over shipping regions: AT %v", err)
	}

	// A listing naming its own profile; the default cannot be taken down,
	// another profile can, and the listing then ships under the default.
	express := parcelsInput()
	express.Name = "Express only"
	express.Zones = express.Zones[:1]
	ep, err := a.PutShippingProfile(ctx, m, "", express)
	if err != nil {
		t.Fatal(err)
	}
	named := input("Dutch oven", "OVEN")
	named.ShippingProfile = ep.ID
	l2, err := a.CreateListing(ctx, m, named)
	if err != nil {
		t.Fatal(err)
	}
	if err := a.TakeDownShippingProfile(ctx, m, sp.ID); !errors.Is(err, ErrConflict) {
		t.Fatalf("taking down the default: %v", err)
	}
	syncFrom(t, b, a, 10)
	onB2, _ := b.Listing(ctx, l2.ID)
	if terms, _ := b.ShippingFor(ctx, &onB2); terms.Profile.ID != ep.ID {
		t.Fatalf("the listing's own profile: %+v", terms.Profile)
	}
	if err := a.TakeDownShippingProfile(ctx, m, ep.ID); err != nil {
		t.Fatal(err)
	}
	syncFrom(t, b, a, 10)
	if _, err := b.ShippingProfile(ctx, ep.ID); !errors.Is(err, ErrNotFound) {
		t.Fatalf("a taken-down profile on B: %v", err)
	}
	if terms, _ := b.ShippingFor(ctx, &onB2); terms.Profile.ID != sp.ID {
		t.Fatalf("after the takedown the default applies: %+v", terms.Profile)
	}
	if ps, err := b.ShippingProfiles(ctx, a.self, m); err != nil || len(ps) != 1 || ps[0].ID != sp.ID {
		t.Fatalf("B lists %+v %v", ps, err)
	}
	if _, err := a.PutShippingProfile(ctx, m, ep.ID, express); !errors.Is(err, ErrNotFound) {
		t.Fatalf("replacing a taken-down profile: %v", err)
	}

	// Renaming the merchant signs one new version of its profile, which B
	// shows, its listings unchanged; the profile's name is the merchant's.
	if _, err := a.RenameMerchant(ctx, m, "Bremen Ironworks"); err != nil {
		t.Fatal(err)
	}
	syncFrom(t, b, a, 10)
	if got, err := b.MerchantProfile(ctx, a.self, m); err != nil || got.Name != "Bremen Ironworks" || got.Version != mp.Version+1 || got.Policies.ReturnDays != 30 {
		t.Fatalf("B's copy after the rename: %+v %v", got, err)
	}
	if again, _ := b.Listing(ctx, l.ID); again.Version != onB.Version {
		t.Errorf("the rename re-signed a listing: version %d, was %d", again.Version, onB.Version)
	}
	renamed := merchantInput(sp.ID)
	renamed.Name = "Forge of Bremen"
	if _, err := a.SetMerchantProfile(ctx, m, renamed); err != nil {
		t.Fatal(err)
	}
	if own, err := a.Merchant(ctx, m); err != nil || own.Name != "Forge of Bremen" {
		t.Errorf("the merchant after its profile's rename: %+v %v", own, err)
	}
}

// TestProfileInputIsCheckedByField: bad input is refused naming the
// field, and a listing cannot name another merchant's profile.
func TestProfileInputIsCheckedByField(t *testing.T) {
	ctx := context.Background()
	a := newNode(t, testConfig(), &memberSet{})
	m, other := a.merchant(t), a.merchant(t)
	bad := parcelsInput()
	bad.Zones[1].Countries = []string{"DE"}
	bad.Zones[0].Rates[0].Transit = shipping.Days{Min: 3, Max: 1}
	bad.Zones[0].Rates[0].Carriers = []string{"pigeon-post"}
	_, err := a.PutShippingProfile(ctx, m, "", bad)
	for _, want := range []string{"zones[1].countries[0]", "zones[0].rates[0].transit_days.max: must be >= min", "zones[0].rates[0].carriers[0]: is not a known carrier"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("no %q in %v", want, err)
		}
	}
	mi := merchantInput("")
	mi.Email, mi.Country, mi.Policies.ReturnShipping, mi.Policies.HandlingDays = "not an address", "EU", "nobody", -1
	_, err = a.SetMerchantProfile(ctx, m, mi)
	for _, want := range []string{"email:", "country:", "policies.return_shipping:", "policies.handling_days:"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("no %q in %v", want, err)
		}
	}
	theirs, err := a.PutShippingProfile(ctx, other, "", parcelsInput())
	if err != nil {
		t.Fatal(err)
	}
	in := input("Skillet", "PAN")
	in.ShippingProfile = theirs.ID
	if _, err := a.CreateListing(ctx, m, in); err == nil || !strings.Contains(err.Error(), "shipping_profile") {
		t.Errorf("a listing naming another merchant's profile: %v", err)
	}
	if _, err := a.SetMerchantProfile(ctx, m, merchantInput(theirs.ID)); err == nil || !strings.Contains(err.Error(), "default_shipping") {
		t.Errorf("a default of another merchant: %v", err)
	}
	if err := a.TakeDownShippingProfile(ctx, m, theirs.ID); !errors.Is(err, ErrNotFound) {
		t.Errorf("taking down another merchant's profile: %v", err)
	}
}

// TestForgedProfileRecordsAreRefused: records a member signs for a
// subject of another platform, or that break the ceilings, are never
// stored.
func TestForgedProfileRecordsAreRefused(t *testing.T) {
	ctx := context.Background()
	members := &memberSet{}
	a, b, evil := newNode(t, testConfig(), members), newNode(t, testConfig(), members), newNode(t, testConfig(), members)
	m := a.merchant(t)
	sp, err := a.PutShippingProfile(ctx, m, "", parcelsInput())
	if err != nil {
		t.Fatal(err)
	}
	// evil signs, with its own key, a profile claiming a's subject.
	forged := &Record{Origin: evil.self, Seq: 1, Kind: KindShipping, Subject: sp.ID, Version: 9, Time: sp.UpdatedAt,
		Shipping: &ShippingProfile{Profile: sp.Profile, Platform: a.self, Version: 9, UpdatedAt: sp.UpdatedAt}}
	raw, err := seal(forged, evil.key)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := b.Apply(raw); !errors.Is(err, ErrInvalid) {
		t.Errorf("a profile of another platform: %v", err)
	}
	// evil's own profile with overlapping zones.
	ev := evil.merchant(t)
	id := FormatID(evil.self, ev, newLocalID())
	overlap := parcelsInput()
	overlap.Zones[1].Countries = []string{"DE"}
	p := shippingOf(overlap)
	p.ID, p.Merchant, p.Platform, p.Version, p.UpdatedAt = id, ev, evil.self, 1, sp.UpdatedAt
	raw, err = seal(&Record{Origin: evil.self, Seq: 1, Kind: KindShipping, Subject: id, Version: 1, Time: sp.UpdatedAt, Shipping: p}, evil.key)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := b.Apply(raw); !errors.Is(err, ErrInvalid) {
		t.Errorf("overlapping zones: %v", err)
	}
	if _, err := b.ShippingProfile(ctx, id); !errors.Is(err, ErrNotFound) {
		t.Errorf("a refused profile was stored: %v", err)
	}
}
