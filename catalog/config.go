package catalog

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// Config holds the catalog's limits. The zero value is not usable; start
// from DefaultConfig.
type Config struct {
	// Currency is the federation's settlement currency (ISO 4217, upper
	// case). Every price must be in it. The node sets it from the charter
	// (and Catalog.SetCurrency when the charter changes), so it is not a key
	// of the node's file. Empty means not known yet: every listing is
	// refused until it is set.
	Currency string `yaml:"-"`
	// MaxRecordBytes caps one signed record, local or replicated (default 65536).
	MaxRecordBytes int `yaml:"max_record_bytes"`
	// MaxTitleLen caps a title, in characters (default 200).
	MaxTitleLen int `yaml:"max_title_len"`
	// MaxDescriptionLen caps a description, in characters (default 5000).
	MaxDescriptionLen int `yaml:"max_description_len"`
	// MaxCategoryDepth caps the segments of a category path (default 6).
	MaxCategoryDepth int `yaml:"max_category_depth"`
	// MaxBrandLen caps a brand, in characters (default 100).
	MaxBrandLen int `yaml:"max_brand_len"`
	// MaxAttributes caps the attributes of a listing (default 50).
	MaxAttributes int `yaml:"max_attributes"`
	// MaxAttributeKeyLen caps an attribute or variant option name, in
	// characters (default 64).
	MaxAttributeKeyLen int `yaml:"max_attribute_key_len"`
	// MaxAttributeValueLen caps an attribute or variant option value, in
	// characters (default 500).
	MaxAttributeValueLen int `yaml:"max_attribute_value_len"`
	// MaxImages caps the pictures of a listing, URLs and uploaded ones
	// (default 20).
	MaxImages int `yaml:"max_images"`
	// MaxImageURLLen caps one image URL, in bytes (default 2048).
	MaxImageURLLen int `yaml:"max_image_url_len"`
	// MaxVariants caps the variants of a listing (default 100).
	MaxVariants int `yaml:"max_variants"`
	// MaxOptions caps the options of one variant (default 10).
	MaxOptions int `yaml:"max_options"`
	// MaxStock caps the units of one SKU (default 1000000000).
	MaxStock int64 `yaml:"max_stock"`
	// BatchChunk is how many listings UpsertBatch writes per Badger
	// transaction, at most (default 1000; fewer when records are large).
	BatchChunk int `yaml:"batch_chunk"`
	// MaxListings caps the listings this node's merchants may create, taken
	// down ones included (default 5000000). Other members' records are
	// held to the ceiling any node may configure, 20000000 per member, so
	// that no member can fill another's disk.
	MaxListings int64 `yaml:"max_listings"`
	// MaxMerchantListings caps the listings one merchant may create, taken
	// down ones included (default 1000000).
	MaxMerchantListings int64 `yaml:"max_merchant_listings"`
	// StockPublishEvery is how often, at most, a listing of this node
	// signs and publishes a new stock record while orders change its
	// stock (default 250ms; 0 signs one record per change, as a
	// merchant's own edits always do). The home's stored counters are the
	// only authority on what can be sold and change at once; the record
	// tells the other members what to show, and a quarter of a second is
	// below what a shopper notices while a listing selling a thousand
	// units a second publishes four records a second instead of a
	// thousand. See stock_publish.go.
	StockPublishEvery time.Duration `yaml:"stock_publish_every"`
	// Shards names the top-level categories of the other members'
	// listings that this node holds (default: every category). A
	// storefront that sells some categories holds only those: less memory,
	// disk, search index and catch-up. Its own merchants' listings are
	// always held. Widening the list makes the next catch-up bring what was
	// skipped; narrowing it lets go of the listings outside it at the next
	// start. See shard.go.
	Shards []string `yaml:"shards"`
}

// DefaultConfig returns the documented defaults, without a currency.
func DefaultConfig() Config {
	return Config{
		MaxRecordBytes:       64 << 10,
		MaxTitleLen:          200,
		MaxDescriptionLen:    5000,
		MaxCategoryDepth:     6,
		MaxBrandLen:          100,
		MaxAttributes:        50,
		MaxAttributeKeyLen:   64,
		MaxAttributeValueLen: 500,
		MaxImages:            20,
		MaxImageURLLen:       2048,
		MaxVariants:          100,
		MaxOptions:           10,
		MaxStock:             1_000_000_000,
		BatchChunk:           1000,
		MaxListings:          5_000_000,
		MaxMerchantListings:  1_000_000,
		StockPublishEvery:    250 * time.Millisecond,
	}
}

// Validate checks every key; messages name the key as it appears in the
// node's YAML file, under "catalog.".
// ceilings are the largest limits any node may configure. Records from
// other members are held to these rather than to this node's own limits:
// each home node enforces its limits on its own merchants, and a member
// with stricter settings must still store what the others list, or the
// catalogs would diverge (and every catch-up would stop at the record).
func ceilings() Config {
	return Config{
		MaxRecordBytes: 1 << 20, MaxTitleLen: 1000, MaxDescriptionLen: 100_000, MaxCategoryDepth: 20,
		MaxBrandLen: 1000, MaxAttributes: 1000, MaxAttributeKeyLen: 1000, MaxAttributeValueLen: 10_000,
		MaxImages: 100, MaxImageURLLen: 8192, MaxVariants: 1000, MaxOptions: 100, MaxStock: 1_000_000_000_000,
		BatchChunk: 100_000, MaxListings: 20_000_000, MaxMerchantListings: 20_000_000,
	}
}

func (c Config) Validate() error {
	if c.Currency != "" && !isCurrency(c.Currency) {
		return fmt.Errorf("catalog.currency: must be a three-letter upper-case ISO 4217 code (the federation's settlement currency), not %q", c.Currency)
	}
	hi := ceilings()
	limits := []struct {
		key       string
		v, lo, hi int64
	}{
		{"max_record_bytes", int64(c.MaxRecordBytes), 1024, int64(hi.MaxRecordBytes)},
		{"max_title_len", int64(c.MaxTitleLen), 1, int64(hi.MaxTitleLen)},
		{"max_description_len", int64(c.MaxDescriptionLen), 0, int64(hi.MaxDescriptionLen)},
		{"max_category_depth", int64(c.MaxCategoryDepth), 1, int64(hi.MaxCategoryDepth)},
		{"max_brand_len", int64(c.MaxBrandLen), 1, int64(hi.MaxBrandLen)},
		{"max_attributes", int64(c.MaxAttributes), 0, int64(hi.MaxAttributes)},
		{"max_attribute_key_len", int64(c.MaxAttributeKeyLen), 1, int64(hi.MaxAttributeKeyLen)},
		{"max_attribute_value_len", int64(c.MaxAttributeValueLen), 1, int64(hi.MaxAttributeValueLen)},
		{"max_images", int64(c.MaxImages), 0, int64(hi.MaxImages)},
		{"max_image_url_len", int64(c.MaxImageURLLen), 16, int64(hi.MaxImageURLLen)},
		{"max_variants", int64(c.MaxVariants), 1, int64(hi.MaxVariants)},
		{"max_options", int64(c.MaxOptions), 0, int64(hi.MaxOptions)},
		{"max_stock", c.MaxStock, 1, hi.MaxStock},
		{"max_listings", c.MaxListings, 1, hi.MaxListings},
		{"max_merchant_listings", c.MaxMerchantListings, 1, hi.MaxMerchantListings},
		{"batch_chunk", int64(c.BatchChunk), 1, int64(hi.BatchChunk)},
	}
	for _, l := range limits {
		if l.v < l.lo || l.v > l.hi {
			return fmt.Errorf("catalog.%s: must be between %d and %d, not %d", l.key, l.lo, l.hi, l.v)
		}
	}
	for i, s := range c.Shards {
		switch {
		case strings.TrimSpace(s) == "" || strings.Contains(s, ">"):
			return fmt.Errorf("catalog.shards[%d]: must be a top-level category such as \"Home\", not %q", i, s)
		case slices.ContainsFunc(c.Shards[:i], func(o string) bool { return ShardOf(o) == ShardOf(s) }):
			return fmt.Errorf("catalog.shards[%d]: %q is listed twice", i, s)
		}
	}
	if c.StockPublishEvery != 0 && (c.StockPublishEvery < 10*time.Millisecond || c.StockPublishEvery > time.Minute) {
		return fmt.Errorf("catalog.stock_publish_every: must be 0 (a record per change) or between 10ms and 1m, not %s", c.StockPublishEvery)
	}
	return nil
}

// isCurrency reports whether s looks like an ISO 4217 code.
func isCurrency(s string) bool {
	if len(s) != 3 {
		return false
	}
	for i := range 3 {
		if s[i] < 'A' || s[i] > 'Z' {
			return false
		}
	}
	return true
}
