package console

import "testing"

func TestInputOfPath(t *testing.T) {
	rowOf := []int{0, 2} // the form's row 1 was blank
	cases := []struct{ path, input, label string }{
		{"title", "title", "Title"},
		{"variants[1].price.amount", "variants[2].price", "Price"},
		{"variants[0].sku", "variants[0].sku", "SKU"},
		{`variants[1].options["a.b]"]`, "variants[2].options", `Options "a.b]"`},
		{"variants", "variants", "Variants"},
		{"images[3]", "images", "Pictures (line 4)"},
		{"shipping_regions[0]", "shipping_regions", "Shipping regions (region 1)"},
		{`attributes["Weight"]`, "attributes", `Attributes "Weight"`},
		{"variants[9].sku", "variants", "variants[9].sku"},
		{"", "", "The listing"},
		{"stock", "", "stock"},
	}
	for _, c := range cases {
		input, label := inputOfPath(c.path, rowOf)
		if input != c.input || label != c.label {
			t.Errorf("inputOfPath(%q) = %q, %q; want %q, %q", c.path, input, label, c.input, c.label)
		}
	}
}
