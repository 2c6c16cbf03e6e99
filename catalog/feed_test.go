package catalog

import (
	"errors"
	"io"
	"strings"
	"testing"
)

func readAll(t *testing.T, format, in string) []FeedItem {
	t.Helper()
	f, err := NewFeedReader(strings.NewReader(in), format)
	if err != nil {
		t.Fatal(err)
	}
	var out []FeedItem
	for {
		it, err := f.Next()
		if errors.Is(err, io.EOF) {
			return out
		}
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, it)
	}
}

func TestFeedCSVGroupsVariants(t *testing.T) {
	in := "group,title,category,brand,sku,price,currency,stock,shipping_regions,images,option:size,attr:material\n" +
		"tee,Plain tee,Apparel > Tops,Basics,TEE-S,1500,EUR,4,DE|FR,https://img.example/t.jpg,S,cotton\n" +
		"tee,Plain tee,Apparel > Tops,Basics,TEE-M,1500,EUR,0,DE|FR,,M,\n" +
		",Mug,Home > Kitchen,Clay,MUG-1,900,EUR,12,DE,,,\n" +
		",Broken,Home,Clay,BR-1,nine,EUR,1,DE,,,\n"
	items := readAll(t, FeedCSV, in)
	if len(items) != 3 {
		t.Fatalf("got %d items, want 3", len(items))
	}
	tee := items[0].Listing
	if len(tee.Variants) != 2 || tee.Variants[1].SKU != "TEE-M" || tee.Variants[0].Options["size"] != "S" ||
		tee.Attributes["material"] != "cotton" || strings.Join(tee.ShippingRegions, ",") != "DE,FR" || items[0].Line != 2 {
		t.Fatalf("tee = %+v (line %d)", tee, items[0].Line)
	}
	if items[1].Listing.Title != "Mug" || items[1].Line != 4 {
		t.Fatalf("mug = %+v", items[1])
	}
	if items[2].Err == nil || !strings.Contains(items[2].Err.Error(), "line 5: price") {
		t.Fatalf("broken row: %v", items[2].Err)
	}
}

func TestFeedRefusals(t *testing.T) {
	if _, err := NewFeedReader(strings.NewReader("title,sku\n"), FeedCSV); err == nil || !strings.Contains(err.Error(), `"category"`) {
		t.Fatalf("missing column: %v", err)
	}
	if _, err := NewFeedReader(strings.NewReader(""), "xml"); !errors.Is(err, ErrInvalid) {
		t.Fatalf("unknown format: %v", err)
	}
	items := readAll(t, FeedJSONLines, `{"title":"A"}`+"\n\n"+`{"title":"B","colour":"red"}`+"\n")
	if len(items) != 2 || items[0].Err != nil || items[1].Err == nil || items[1].Line != 3 {
		t.Fatalf("jsonl items: %+v", items)
	}
}
