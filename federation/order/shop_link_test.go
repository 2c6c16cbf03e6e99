package order

import (
	"context"
	"errors"
	"testing"
)

func TestLinkedShopperIsFoundAgainAndKnowsItsHome(t *testing.T) {
	f := newCluster(t, 1)
	a := f.members[0]
	ctx := context.Background()
	l := Link{Issuer: "12D3KooWHome", Subject: "shp_1", Name: "Ada", Email: "Ada@Example.org"}
	first, err := a.svc.LinkedShopper(ctx, l)
	if err != nil {
		t.Fatal(err)
	}
	l.Name, l.Email = "Ada L.", "other@example.org" // the home may tell other details later
	again, err := a.svc.LinkedShopper(ctx, l)
	if err != nil || again != first {
		t.Fatalf("second sign-in: %+v, %v; want the same shopper %+v", again, err, first)
	}
	if home, sub := a.svc.ShopperHome(first); home != l.Issuer || sub != "shp_1" {
		t.Fatalf("home of a linked shopper: %s %s", home, sub)
	}
	other, err := a.svc.LinkedShopper(ctx, Link{Issuer: "12D3KooWOther", Subject: "shp_1"})
	if err != nil || other.ID == first.ID {
		t.Fatalf("same subject at another issuer: %+v, %v; want another shopper", other, err)
	}
	local, _, err := a.svc.CreateShopper(ctx, ShopperInput{Name: "Bo", Email: "bo@example.org"})
	if err != nil {
		t.Fatal(err)
	}
	if home, sub := a.svc.ShopperHome(local); home != a.svc.self || sub != local.ID {
		t.Fatalf("home of a local shopper: %s %s", home, sub)
	}
	// A linked shopper's address claims nothing: the address stays free for a password account.
	if _, err := a.svc.ShopperByEmail(ctx, "ada@example.org"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("linked shopper found by e-mail: %v", err)
	}
	var fe FieldErrors
	if _, err := a.svc.LinkedShopper(ctx, Link{Issuer: "x", Subject: "a/b"}); !errors.As(err, &fe) || fe[0].Field != "subject" {
		t.Fatalf("bad subject: %v", err)
	}
}
