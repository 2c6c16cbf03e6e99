// Package sample generates realistic-looking listings for the demo and the
// benchmarks: real category paths with brands, price ranges and variant
// options that fit them, and product names, materials and descriptions
// from gofakeit. The same seed always gives the same catalog.
package sample

import (
	"fmt"
	"strings"

	"github.com/brianvoe/gofakeit/v7"
	"github.com/fedmart/fedmart/catalog"
)

// kind is one leaf of the taxonomy.
type kind struct {
	path     string
	nouns    []string
	brands   []string
	min, max int64 // price range in minor units
	option   string
	values   []string
}

var taxonomy = []kind{
	{"Home > Kitchen > Cookware", []string{"Skillet", "Saucepan", "Wok", "Dutch Oven", "Stock Pot"}, []string{"Ferro", "Cucina Viva", "Hearthstone"}, 1990, 18900, "size", []string{"20cm", "24cm", "28cm"}},
	{"Home > Kitchen > Knives", []string{"Chef's Knife", "Santoku", "Paring Knife", "Bread Knife"}, []string{"Edgewise", "Hanzo Steel", "Ferro"}, 1490, 24900, "length", []string{"15cm", "20cm"}},
	{"Home > Kitchen > Coffee & Tea", []string{"Pour-Over Kettle", "French Press", "Teapot", "Coffee Grinder"}, []string{"Morning Ritual", "Brewhaus", "Cucina Viva"}, 1290, 15900, "colour", []string{"black", "white", "copper"}},
	{"Home > Furniture > Lighting", []string{"Floor Lamp", "Desk Lamp", "Pendant Light", "Wall Sconce"}, []string{"Lumen & Co", "Nordlys", "Atelier Nine"}, 2990, 34900, "finish", []string{"brass", "matte black", "white"}},
	{"Home > Furniture > Storage", []string{"Bookshelf", "Sideboard", "Storage Bench", "Shoe Rack"}, []string{"Nordlys", "Oakline", "Atelier Nine"}, 4990, 89900, "wood", []string{"oak", "walnut", "pine"}},
	{"Home > Textiles > Bedding", []string{"Duvet Cover", "Linen Sheet Set", "Wool Blanket", "Pillow"}, []string{"Sleepwell", "Linnea", "Oakline"}, 1990, 19900, "size", []string{"single", "double", "king"}},
	{"Apparel > Women > Dresses", []string{"Wrap Dress", "Midi Dress", "Shirt Dress", "Knit Dress"}, []string{"Maison Lune", "Velvet Row", "Fjord"}, 2990, 24900, "size", []string{"XS", "S", "M", "L", "XL"}},
	{"Apparel > Men > Jackets", []string{"Rain Jacket", "Down Jacket", "Chore Coat", "Wool Overcoat"}, []string{"Fjord", "Northbound", "Velvet Row"}, 5990, 39900, "size", []string{"S", "M", "L", "XL"}},
	{"Apparel > Shoes > Sneakers", []string{"Running Shoe", "Court Sneaker", "Trail Runner", "Canvas Sneaker"}, []string{"Stride", "Northbound", "Kestrel"}, 3990, 17900, "size", []string{"38", "40", "42", "44", "46"}},
	{"Apparel > Accessories > Bags", []string{"Tote Bag", "Backpack", "Crossbody Bag", "Weekender"}, []string{"Maison Lune", "Kestrel", "Fjord"}, 1990, 29900, "colour", []string{"black", "tan", "olive"}},
	{"Electronics > Audio > Headphones", []string{"Wireless Headphones", "Earbuds", "Studio Headphones"}, []string{"Sonique", "Pulse Audio", "Kestrel"}, 2990, 39900, "colour", []string{"black", "silver", "blue"}},
	{"Electronics > Audio > Speakers", []string{"Bluetooth Speaker", "Bookshelf Speaker", "Soundbar"}, []string{"Sonique", "Pulse Audio", "Lumen & Co"}, 3990, 59900, "colour", []string{"black", "white"}},
	{"Electronics > Computers > Accessories", []string{"Mechanical Keyboard", "Wireless Mouse", "USB-C Hub", "Laptop Stand"}, []string{"Keyforge", "Byteworks", "Pulse Audio"}, 1490, 19900, "layout", []string{"US", "DE", "FR"}},
	{"Electronics > Phones > Cases", []string{"Leather Case", "Clear Case", "Wallet Case", "Rugged Case"}, []string{"Byteworks", "Shieldline", "Kestrel"}, 990, 5900, "model", []string{"standard", "plus", "mini"}},
	{"Sports > Cycling > Components", []string{"Saddle", "Bike Light", "Pedal Set", "Bottle Cage"}, []string{"Velocita", "Stride", "Northbound"}, 990, 24900, "colour", []string{"black", "red", "grey"}},
	{"Sports > Outdoor > Camping", []string{"Tent", "Sleeping Bag", "Camp Stove", "Headlamp"}, []string{"Northbound", "Trailhead", "Fjord"}, 1990, 49900, "capacity", []string{"1 person", "2 person", "4 person"}},
	{"Sports > Fitness > Yoga", []string{"Yoga Mat", "Yoga Block", "Strap", "Bolster"}, []string{"Lotus Line", "Stride", "Linnea"}, 990, 12900, "colour", []string{"sage", "sand", "charcoal"}},
	{"Books > Fiction > Crime", []string{"Novel", "Paperback", "Collected Stories"}, []string{"Harbour Press", "Inkwell", "Meridian Books"}, 890, 2990, "format", []string{"paperback", "hardcover"}},
	{"Books > Non-fiction > Cooking", []string{"Cookbook", "Baking Guide", "Fermentation Handbook"}, []string{"Harbour Press", "Meridian Books", "Inkwell"}, 1490, 4990, "format", []string{"paperback", "hardcover"}},
	{"Toys > Games > Board Games", []string{"Board Game", "Card Game", "Puzzle", "Strategy Game"}, []string{"Playmakers", "Meeple House", "Kestrel"}, 990, 7990, "edition", []string{"standard", "deluxe"}},
	{"Beauty > Skincare > Face", []string{"Face Serum", "Moisturiser", "Cleanser", "Face Oil"}, []string{"Botanica", "Linnea", "Maison Lune"}, 990, 8900, "volume", []string{"30ml", "50ml", "100ml"}},
	{"Garden > Tools > Hand Tools", []string{"Pruning Shears", "Trowel", "Garden Fork", "Hori Hori"}, []string{"Greenthumb", "Oakline", "Hanzo Steel"}, 990, 6990, "handle", []string{"ash", "steel"}},
}

// styles open product titles.
var styles = []string{"Classic", "Everyday", "Compact", "Premium", "Essential", "Heritage", "Modern", "Rustic",
	"Lightweight", "Pro", "Nordic", "Urban", "Studio", "Vintage", "Weekend", "Signature", "Handmade", "Travel"}

// shopWords make invented shop names.
var shopWords = [][]string{
	{"Copper", "Linden", "Harbour", "Meadow", "Granite", "Juniper", "Willow", "Saltmarsh", "Foxglove", "Amber", "Cedar", "Northgate"},
	{"& Co", "Goods", "Supply", "Trading", "House", "Workshop", "Outfitters", "Store", "Market", "Collective"},
}

var regions = [][]string{{"DE", "AT", "CH"}, {"FR", "BE", "LU"}, {"NL", "BE", "DE"}, {"DE", "FR", "IT", "ES", "NL"}, {"SE", "DK", "NO", "FI"}}

// Generator produces listings from a seed.
type Generator struct {
	f *gofakeit.Faker
}

// New returns a generator whose output depends only on seed.
func New(seed uint64) *Generator {
	return &Generator{f: gofakeit.New(seed)}
}

// Listings returns n listings priced in currency, with SKUs prefixed by
// skuPrefix so that several merchants' catalogs do not collide.
func (g *Generator) Listings(n int, currency, skuPrefix string) []catalog.ListingInput {
	out := make([]catalog.ListingInput, n)
	for i := range out {
		out[i] = g.listing(i, currency, skuPrefix)
	}
	return out
}

func (g *Generator) listing(i int, currency, skuPrefix string) catalog.ListingInput {
	f := g.f
	k := taxonomy[f.IntN(len(taxonomy))]
	noun := k.nouns[f.IntN(len(k.nouns))]
	brand := k.brands[f.IntN(len(k.brands))]
	material := f.ProductMaterial()
	title := fmt.Sprintf("%s %s %s", styles[f.IntN(len(styles))], capitalize(material), noun)
	base := k.min + int64(f.IntN(int(k.max-k.min+1)))
	base = base - base%100 + 90 // prices end in .90
	l := catalog.ListingInput{
		Title:           title,
		Description:     fmt.Sprintf("%s %s. %s", noun, strings.ToLower(f.ProductFeature()), f.ProductDescription()),
		Category:        k.path,
		Brand:           brand,
		Attributes:      map[string]string{"material": material, "colour": f.SafeColor()},
		Images:          []string{fmt.Sprintf("https://images.fedmart.example/%s/%d.jpg", strings.ToLower(strings.ReplaceAll(noun, " ", "-")), f.IntN(1000))},
		ShippingRegions: regions[f.IntN(len(regions))],
	}
	nv := 1 + f.IntN(min(3, len(k.values)))
	start := f.IntN(len(k.values) - nv + 1)
	for v := 0; v < nv; v++ {
		stock := int64(f.IntN(40))
		if f.IntN(8) == 0 {
			stock = 0
		}
		sku := fmt.Sprintf("%s-%06d-%d", skuPrefix, i, v)
		l.Variants = append(l.Variants, catalog.Variant{
			SKU:     sku,
			Grams:   grams(sku),
			Options: map[string]string{k.option: k.values[start+v]},
			Price:   catalog.Money{Amount: base + int64(v)*500, Currency: currency},
			Stock:   stock,
		})
	}
	return l
}

// capitalize upper-cases the first letter of each word.
func capitalize(s string) string {
	words := strings.Fields(s)
	for i, w := range words {
		words[i] = strings.ToUpper(w[:1]) + w[1:]
	}
	return strings.Join(words, " ")
}

// MerchantName returns an invented shop name.
func (g *Generator) MerchantName() string {
	return shopWords[0][g.f.IntN(len(shopWords[0]))] + " " + shopWords[1][g.f.IntN(len(shopWords[1]))]
}
