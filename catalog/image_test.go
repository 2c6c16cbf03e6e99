package catalog_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"image"
	"image/color"
	"image/png"
	"strings"
	"sync"
	"testing"

	badger "github.com/dgraph-io/badger/v4"
	"github.com/fedmart/fedmart/catalog"
	"github.com/fedmart/fedmart/catalog/media"
	"github.com/libp2p/go-libp2p/core/crypto"
)

// The catalog's side of uploaded pictures, with the real picture store:
// the index of which listings show a picture, and who may reference one.

type everyone struct{}

func (everyone) IsMember(string) bool { return true }

// member is one node's catalog and picture store on one database, with
// the records it signed.
type member struct {
	cat      *catalog.Catalog
	pictures *media.Store

	mu   sync.Mutex // guards raws
	raws [][]byte
}

func newMember(t *testing.T, withPictures bool) *member {
	t.Helper()
	db, err := badger.Open(badger.DefaultOptions("").WithInMemory(true).WithLogger(nil))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = db.Close() })
	key, _, err := crypto.GenerateEd25519Key(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	cfg := catalog.DefaultConfig()
	cfg.Currency = "EUR"
	m := &member{}
	if m.cat, err = catalog.Open(cfg, db, key, everyone{}, nil, nil); err != nil {
		t.Fatal(err)
	}
	if withPictures {
		if m.pictures, err = media.Open(media.DefaultConfig(), db, nil); err != nil {
			t.Fatal(err)
		}
		m.cat.UseImages(m.pictures)
	}
	m.cat.OnChange(func(ch catalog.Change) {
		m.mu.Lock()
		defer m.mu.Unlock()
		m.raws = append(m.raws, ch.Raw)
	})
	return m
}

func (m *member) merchant(t *testing.T, name string) string {
	t.Helper()
	mc, _, err := m.cat.CreateMerchant(context.Background(), name)
	if err != nil {
		t.Fatal(err)
	}
	return mc.ID
}

// upload stores a small picture of colour c for merchant.
func (m *member) upload(t *testing.T, merchant string, c color.RGBA) string {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 40, 30))
	for i := 0; i < len(img.Pix); i += 4 {
		img.Pix[i], img.Pix[i+1], img.Pix[i+2], img.Pix[i+3] = c.R, c.G, c.B, 255
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	im, err := m.pictures.Ingest(context.Background(), merchant, b.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	return im.Ref()
}

func listing(title, sku string, images ...string) catalog.ListingInput {
	return catalog.ListingInput{Title: title, Category: "Home > Kitchen", Brand: "Acme", Images: images,
		ShippingRegions: []string{"DE"}, Variants: []catalog.Variant{{SKU: sku, Price: catalog.Money{Amount: 1000, Currency: "EUR"}, Stock: 3}}}
}

func homesOf(t *testing.T, c *catalog.Catalog, ref string) []string {
	t.Helper()
	h, ok := catalog.ImageHash(ref)
	if !ok {
		t.Fatalf("%q is not a reference", ref)
	}
	homes, err := c.ImageHomes(h, 4)
	if err != nil {
		t.Fatal(err)
	}
	return homes
}

func TestPictureIndexFollowsListings(t *testing.T) {
	ctx := context.Background()
	a, b := newMember(t, true), newMember(t, false)
	ann := a.merchant(t, "Ann's")
	red, blue := a.upload(t, ann, color.RGBA{200, 0, 0, 255}), a.upload(t, ann, color.RGBA{0, 0, 200, 255})
	self := a.cat.Platform()
	if h := homesOf(t, a.cat, red); len(h) != 0 {
		t.Fatalf("an unlisted picture has homes %v", h)
	}
	l, err := a.cat.CreateListing(ctx, ann, listing("Pan", "P-1", red, "https://img.example/x.jpg", red))
	if err != nil {
		t.Fatal(err)
	}
	if h := homesOf(t, a.cat, red); len(h) != 1 || h[0] != self {
		t.Fatalf("homes of the listed picture: %v, want [%s]", h, self)
	}
	// Replicated, the listing tells another member where the picture lives.
	apply := func() {
		a.mu.Lock()
		raws := a.raws
		a.raws = nil
		a.mu.Unlock()
		for _, raw := range raws {
			if _, err := b.cat.Apply(raw); err != nil {
				t.Fatal(err)
			}
		}
	}
	apply()
	if h := homesOf(t, b.cat, red); len(h) != 1 || h[0] != self {
		t.Fatalf("beta's homes of the picture: %v", h)
	}
	if _, err := a.cat.ReplaceListing(ctx, ann, l.ID, listing("Pan", "P-1", blue)); err != nil {
		t.Fatal(err)
	}
	apply()
	for name, c := range map[string]*catalog.Catalog{"alpha": a.cat, "beta": b.cat} {
		if h := homesOf(t, c, red); len(h) != 0 {
			t.Errorf("%s: the replaced picture still has homes %v", name, h)
		}
		if h := homesOf(t, c, blue); len(h) != 1 {
			t.Errorf("%s: the new picture has homes %v", name, h)
		}
	}
	if err := a.cat.TakeDown(ctx, ann, l.ID); err != nil {
		t.Fatal(err)
	}
	apply()
	for name, c := range map[string]*catalog.Catalog{"alpha": a.cat, "beta": b.cat} {
		if h := homesOf(t, c, blue); len(h) != 0 {
			t.Errorf("%s: a taken-down listing's picture has homes %v", name, h)
		}
	}
	if _, err := a.cat.ImageHomes("../x", 1); !errors.Is(err, catalog.ErrInvalid) {
		t.Errorf("a malformed hash: %v", err)
	}
}

func TestMerchantsShowOnlyPicturesTheyMay(t *testing.T) {
	ctx := context.Background()
	a := newMember(t, true)
	ann, bob := a.merchant(t, "Ann's"), a.merchant(t, "Bob's")
	pic := a.upload(t, ann, color.RGBA{10, 160, 10, 255})
	refused := func(who, sku string, images []string, want string) {
		t.Helper()
		_, err := a.cat.CreateListing(ctx, who, listing("Lamp", sku, images...))
		var ve *catalog.ValidationError
		if !errors.As(err, &ve) || len(ve.Errors) != 1 || ve.Errors[0].Field != "images[1]" || !strings.Contains(ve.Errors[0].Message, want) {
			t.Fatalf("%v, want images[1] saying %q", err, want)
		}
	}
	unknown := catalog.ImageRef(strings.Repeat("0", 64))
	refused(ann, "L-1", []string{pic, unknown}, "upload the picture first")
	refused(bob, "L-2", []string{"https://img.example/a.jpg", pic}, "another merchant uploaded")
	// A feed is held to the same rule, entry by entry.
	res, err := a.cat.UpsertBatch(ctx, bob, []catalog.ListingInput{listing("Lamp", "L-3", "https://img.example/a.jpg", pic)})
	if err != nil || len(res.Rejected) != 1 || res.Rejected[0].Errors[0].Field != "images[1]" {
		t.Fatalf("feed: %+v %v", res, err)
	}
	if _, err := a.cat.CreateListing(ctx, ann, listing("Lamp", "L-4", pic)); err != nil {
		t.Fatalf("ann's own picture: %v", err)
	}
	// Shown by a live listing, the picture is public: bob may show it too.
	if _, err := a.cat.CreateListing(ctx, bob, listing("Lamp shade", "L-5", pic)); err != nil {
		t.Fatalf("a picture a listing shows: %v", err)
	}
	// A node that stores no pictures refuses every reference.
	plain := newMember(t, false)
	carl := plain.merchant(t, "Carl's")
	_, err = plain.cat.CreateListing(ctx, carl, listing("Lamp", "L-6", pic))
	var ve *catalog.ValidationError
	if !errors.As(err, &ve) || !strings.Contains(ve.Errors[0].Message, "stores no pictures") {
		t.Fatalf("a node without pictures: %v", err)
	}
}
