package search

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"time"
)

// genVocab is the head of the word pool of generated listings; words are
// drawn by Zipf rank, as in real catalogs, and ranks past genVocab are
// synthetic tail words.
var genVocab = strings.Fields(`
	steel black white set pro mini large small wireless portable organic
	cotton leather wooden glass ceramic kitchen garden outdoor indoor travel
	classic premium compact electric manual digital smart heavy light soft
	pan pot knife bowl cup mug plate lamp chair table desk shelf sofa bed
	pillow blanket towel shirt jacket shoe boot sock hat bag wallet watch
	phone case charger cable speaker headphone camera lens tripod drone
	bike helmet glove ball racket tent stove bottle jar candle vase mirror
	frame clock rug curtain hose shovel rake seed planter grill skillet wok
	kettle toaster blender mixer grinder scale thermometer timer opener
	peeler grater whisk spatula ladle tongs strainer colander board tray
	running hiking cycling camping cooking baking brewing cleaning storage
	red blue green yellow grey silver gold bamboo linen wool silk denim`)

var genCategories = []string{
	"Home > Kitchen > Cookware", "Home > Kitchen > Cutlery", "Home > Kitchen > Appliances",
	"Home > Decor", "Home > Bedding", "Garden > Tools", "Garden > Watering",
	"Sports > Cycling", "Sports > Camping", "Sports > Running",
	"Fashion > Men > Shoes", "Fashion > Women > Bags", "Electronics > Audio",
	"Electronics > Cameras", "Electronics > Phones > Accessories",
}

// genDocs returns n reproducible listings with ids "doc-00000"... Prices,
// brands and update times repeat often, so that every sort has ties.
func genDocs(n int, seed uint64) []Doc {
	r := rand.New(rand.NewPCG(seed, 0x5eed))
	zipf := rand.NewZipf(r, 1.1, 3, 20_000)
	brands := rand.NewZipf(r, 1.2, 10, uint64(n/20+3))
	words := func(k int) string {
		w := make([]string, k)
		for i := range w {
			if rank := zipf.Uint64(); rank < uint64(len(genVocab)) {
				w[i] = genVocab[rank]
			} else {
				w[i] = fmt.Sprintf("w%d", rank) // the long tail
			}
		}
		return strings.Join(w, " ")
	}
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	docs := make([]Doc, n)
	for i := range docs {
		docs[i] = Doc{
			ID:          fmt.Sprintf("doc-%05d", i),
			Title:       words(3 + r.IntN(5)),
			Description: words(10 + r.IntN(40)),
			Brand:       fmt.Sprintf("Brand%d", brands.Uint64()),
			Category:    genCategories[r.IntN(len(genCategories))],
			Platform:    fmt.Sprintf("plat%d", r.IntN(7)),
			Merchant:    fmt.Sprintf("m%d", r.IntN(50)),
			Price:       int64(r.IntN(400)) * 99,
			Currency:    "EUR",
			InStock:     r.IntN(4) > 0,
			Image:       fmt.Sprintf("https://img.example/%d.jpg", i),
			Updated:     t0.Add(time.Duration(r.IntN(n/3+1)) * time.Hour),
		}
	}
	return docs
}

// newIndexOf returns an index holding docs.
func newIndexOf(docs []Doc) *Index {
	ix := New()
	for _, d := range docs {
		ix.Upsert(d)
	}
	return ix
}
