package catalog

import (
	"errors"
	"strings"
	"testing"
)

func TestValidateListingAccepts(t *testing.T) {
	tests := []struct {
		name string
		edit func(in *ListingInput)
	}{
		{"full", func(in *ListingInput) {}},
		{"no gtin", func(in *ListingInput) { in.GTIN = "" }},
		{"gtin-8", func(in *ListingInput) { in.GTIN = "96385074" }},
		{"gtin-12", func(in *ListingInput) { in.GTIN = "036000291452" }},
		{"gtin-14", func(in *ListingInput) { in.GTIN = "10012345678902" }},
		{"one segment category", func(in *ListingInput) { in.Category = "Home" }},
		{"six segments", func(in *ListingInput) { in.Category = "a > b > c > d > e > f" }},
		{"no images, no attributes", func(in *ListingInput) { in.Images, in.Attributes = nil, nil }},
		{"zero stock", func(in *ListingInput) { in.Variants[0].Stock = 0 }},
		{"max stock", func(in *ListingInput) { in.Variants[0].Stock = 1_000_000_000 }},
		{"unicode title of 200 characters", func(in *ListingInput) { in.Title = strings.Repeat("é", 200) }},
		{"sku charset", func(in *ListingInput) { in.Variants[0].SKU = "Ab-9_x.Y" }},
		{"http image", func(in *ListingInput) { in.Images = []string{"http://cdn.example.org/x/y.png?v=2"} }},
		{"uploaded picture beside a URL", func(in *ListingInput) {
			in.Images = []string{ImageRef(strings.Repeat("0a", 32)), "https://cdn.example.org/y.png"}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := input("Pan", "PAN-1", "PAN-2")
			tt.edit(&in)
			if err := ValidateListing(testConfig(), in); err != nil {
				t.Fatalf("refused: %v", err)
			}
		})
	}
}

func TestValidateListingRefuses(t *testing.T) {
	tests := []struct {
		name  string
		edit  func(in *ListingInput)
		field string
		msg   string
	}{
		{"title missing", func(in *ListingInput) { in.Title = "" }, "title", "is required"},
		{"title blank", func(in *ListingInput) { in.Title = "   " }, "title", "is required"},
		{"title too long", func(in *ListingInput) { in.Title = strings.Repeat("x", 201) }, "title", "at most 200"},
		{"title control", func(in *ListingInput) { in.Title = "a\x00b" }, "title", "control"},
		{"title bad utf-8", func(in *ListingInput) { in.Title = "a\xffb" }, "title", "UTF-8"},
		{"description too long", func(in *ListingInput) { in.Description = strings.Repeat("x", 5001) }, "description", "at most 5000"},
		{"category missing", func(in *ListingInput) { in.Category = "" }, "category", "is required"},
		{"category too deep", func(in *ListingInput) { in.Category = "a > b > c > d > e > f > g" }, "category", "at most 6 segments"},
		{"category empty segment", func(in *ListingInput) { in.Category = "Home >  > Pans" }, "category", "segment 2"},
		{"category bad separator", func(in *ListingInput) { in.Category = "Home >Pans > " }, "category", "segment 2"},
		{"brand missing", func(in *ListingInput) { in.Brand = "" }, "brand", "is required"},
		{"brand too long", func(in *ListingInput) { in.Brand = strings.Repeat("b", 101) }, "brand", "at most 100"},
		{"gtin length", func(in *ListingInput) { in.GTIN = "123456789" }, "gtin", "8, 12, 13 or 14 digits"},
		{"gtin letters", func(in *ListingInput) { in.GTIN = "400638133393X" }, "gtin", "digits"},
		{"gtin check digit", func(in *ListingInput) { in.GTIN = "4006381333932" }, "gtin", "check digit"},
		{"too many attributes", func(in *ListingInput) { in.Attributes = manyPairs(51) }, "attributes", "at most 50"},
		{"attribute key empty", func(in *ListingInput) { in.Attributes = map[string]string{"": "x"} }, `attributes[""]`, "is required"},
		{"attribute key long", func(in *ListingInput) { in.Attributes = map[string]string{strings.Repeat("k", 65): "x"} }, `attributes["kkkk`, "at most 64"},
		{"attribute value long", func(in *ListingInput) { in.Attributes = map[string]string{"k": strings.Repeat("v", 501)} }, `attributes["k"]`, "at most 500"},
		{"too many images", func(in *ListingInput) { in.Images = make([]string, 21) }, "images", "at most 20"},
		{"image relative", func(in *ListingInput) { in.Images = []string{"/a.jpg"} }, "images[0]", "absolute http"},
		{"image ftp", func(in *ListingInput) { in.Images = []string{"ftp://x.org/a.jpg"} }, "images[0]", "absolute http"},
		{"image credentials", func(in *ListingInput) { in.Images = []string{"https://u:p@x.org/a.jpg"} }, "images[0]", "credentials"},
		{"image space", func(in *ListingInput) { in.Images = []string{"https://x.org/a b.jpg"} }, "images[0]", "valid URL"},
		{"picture reference too short", func(in *ListingInput) { in.Images = []string{"sha256:abc"} }, "images[0]", "64 lower-case hex"},
		{"picture reference upper case", func(in *ListingInput) { in.Images = []string{"sha256:" + strings.Repeat("AB", 32)} }, "images[0]", "64 lower-case hex"},
		{"picture reference of another hash", func(in *ListingInput) { in.Images = []string{"md5:" + strings.Repeat("ab", 16)} }, "images[0]", "uploaded picture's reference"},
		{"image too long", func(in *ListingInput) { in.Images = []string{"https://x.org/" + strings.Repeat("a", 2048)} }, "images[0]", "at most 2048"},
		{"no regions", func(in *ListingInput) { in.ShippingRegions = nil }, "shipping_regions", "at least one"},
		{"region lower case", func(in *ListingInput) { in.ShippingRegions = []string{"DE", "fr"} }, "shipping_regions[1]", "two-letter"},
		{"region three letters", func(in *ListingInput) { in.ShippingRegions = []string{"DEU"} }, "shipping_regions[0]", "two-letter"},
		{"region repeated", func(in *ListingInput) { in.ShippingRegions = []string{"DE", "DE"} }, "shipping_regions[1]", "repeats shipping_regions[0]"},
		{"no variants", func(in *ListingInput) { in.Variants = nil }, "variants", "between 1 and 100"},
		{"too many variants", func(in *ListingInput) { in.Variants = make([]Variant, 101) }, "variants", "between 1 and 100"},
		{"sku missing", func(in *ListingInput) { in.Variants[1].SKU = "" }, "variants[1].sku", "1 to 64"},
		{"sku bad char", func(in *ListingInput) { in.Variants[0].SKU = "A/B" }, "variants[0].sku", "1 to 64"},
		{"sku too long", func(in *ListingInput) { in.Variants[0].SKU = strings.Repeat("S", 65) }, "variants[0].sku", "1 to 64"},
		{"sku repeated", func(in *ListingInput) { in.Variants[1].SKU = "PAN-1" }, "variants[1].sku", "repeats variants[0].sku"},
		{"too many options", func(in *ListingInput) { in.Variants[0].Options = manyPairs(11) }, "variants[0].options", "at most 10"},
		{"option value empty", func(in *ListingInput) { in.Variants[0].Options = map[string]string{"size": ""} }, `variants[0].options["size"]`, "is required"},
		{"price zero", func(in *ListingInput) { in.Variants[1].Price.Amount = 0 }, "variants[1].price.amount", "must be positive"},
		{"price negative", func(in *ListingInput) { in.Variants[0].Price.Amount = -5 }, "variants[0].price.amount", "must be positive"},
		{"currency malformed", func(in *ListingInput) { in.Variants[0].Price.Currency = "eur" }, "variants[0].price.currency", "ISO 4217"},
		{"currency other", func(in *ListingInput) { in.Variants[0].Price.Currency = "USD" }, "variants[0].price.currency", "must be EUR"},
		{"stock negative", func(in *ListingInput) { in.Variants[0].Stock = -1 }, "variants[0].stock", "between 0 and 1000000000"},
		{"stock too high", func(in *ListingInput) { in.Variants[1].Stock = 1_000_000_001 }, "variants[1].stock", "between 0 and 1000000000"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := input("Pan", "PAN-1", "PAN-2")
			tt.edit(&in)
			err := ValidateListing(testConfig(), in)
			if !errors.Is(err, ErrInvalid) {
				t.Fatalf("err = %v, want ErrInvalid", err)
			}
			var ve *ValidationError
			if !errors.As(err, &ve) {
				t.Fatalf("err is %T, want *ValidationError", err)
			}
			for _, fe := range ve.Errors {
				if strings.HasPrefix(fe.Field, tt.field) && strings.Contains(fe.Message, tt.msg) {
					return
				}
			}
			t.Fatalf("errors %+v do not name %s with %q", ve.Errors, tt.field, tt.msg)
		})
	}
}

func TestValidateListingReportsEverything(t *testing.T) {
	in := input("", "PAN-1", "PAN-2")
	in.Brand = ""
	in.Variants[1].Price.Amount = 0
	in.Variants[1].Price.Currency = "usd"
	err := ValidateListing(testConfig(), in)
	var ve *ValidationError
	if !errors.As(err, &ve) {
		t.Fatalf("err = %v", err)
	}
	var fields []string
	for _, fe := range ve.Errors {
		fields = append(fields, fe.Field)
	}
	want := []string{"title", "brand", "variants[1].price.amount", "variants[1].price.currency"}
	if strings.Join(fields, ",") != strings.Join(want, ",") {
		t.Fatalf("fields = %v, want %v", fields, want)
	}
	if !strings.Contains(err.Error(), "variants[1].price.amount: must be positive") {
		t.Fatalf("message %q does not name the field", err)
	}
}

func TestConfigValidate(t *testing.T) {
	tests := []struct {
		name string
		edit func(c *Config)
		want string // "" for valid
	}{
		{"defaults with currency", func(c *Config) {}, ""},
		{"no currency yet", func(c *Config) { c.Currency = "" }, ""},
		{"lower-case currency", func(c *Config) { c.Currency = "eur" }, "catalog.currency:"},
		{"record too small", func(c *Config) { c.MaxRecordBytes = 100 }, "catalog.max_record_bytes: must be between 1024 and 1048576"},
		{"record too large", func(c *Config) { c.MaxRecordBytes = 2 << 20 }, "catalog.max_record_bytes: must be between 1024 and 1048576"},
		{"title zero", func(c *Config) { c.MaxTitleLen = 0 }, "catalog.max_title_len:"},
		{"variants zero", func(c *Config) { c.MaxVariants = 0 }, "catalog.max_variants:"},
		{"stock zero", func(c *Config) { c.MaxStock = 0 }, "catalog.max_stock:"},
		{"chunk zero", func(c *Config) { c.BatchChunk = 0 }, "catalog.batch_chunk:"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := testConfig()
			tt.edit(&c)
			err := c.Validate()
			switch {
			case tt.want == "" && err != nil:
				t.Fatalf("refused: %v", err)
			case tt.want != "" && (err == nil || !strings.HasPrefix(err.Error(), tt.want)):
				t.Fatalf("err = %v, want prefix %q", err, tt.want)
			}
		})
	}
}

func manyPairs(n int) map[string]string {
	m := make(map[string]string, n)
	for i := range n {
		m[strings.Repeat("k", i+1)] = "v"
	}
	return m
}
