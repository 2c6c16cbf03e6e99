package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/fedmart/fedmart/catalog"
	"github.com/spf13/cobra"
)

func newListings() *cobra.Command {
	cmd := &cobra.Command{Use: "listings", Short: "Work with a merchant's listings"}
	cmd.AddCommand(newImport())
	return cmd
}

type importOptions struct {
	node         *nodeClient
	format       string
	batch        int
	showRejected int
}

func newImport() *cobra.Command {
	o := importOptions{node: &nodeClient{}}
	cmd := &cobra.Command{
		Use:   "import FILE --api URL --token @FILE",
		Short: "Send a CSV or JSON-lines feed to the merchant's node, in batches",
		Long: `import reads a feed and upserts it through POST /v1/listings/batch with the
merchant's token, showing progress. Listings are matched by variant SKU, so
sending the same feed twice changes nothing. The summary counts created,
updated, unchanged and rejected listings, and names each rejected line's
fields.

JSON lines: one listing per line, as POST /v1/listings takes it.
CSV: a header row, then one row per variant, with the columns title,
description, category, brand, gtin, sku, price (minor units), currency,
stock, images and shipping_regions ("|"-separated), any "attr:<name>" and
"option:<name>" columns, and an optional "group" column whose equal values
join rows into one listing's variants.`,
		Example: "  fedmart listings import feed.csv --api http://127.0.0.1:8081 --token @merchant.token",
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runImport(cmd, args[0], o)
		},
	}
	o.node.flags(cmd, "merchant", false)
	f := cmd.Flags()
	f.StringVar(&o.format, "format", "", "csv or jsonl (default: from the file name)")
	f.IntVar(&o.batch, "batch", 1000, "listings per request (1-5000)")
	f.IntVar(&o.showRejected, "show-rejected", 20, "rejected lines to print in full")
	return cmd
}

type importTotals struct {
	catalog.BatchResult
	rejected []string // "line N: field: message"
}

func runImport(cmd *cobra.Command, path string, o importOptions) error {
	if o.batch < 1 || o.batch > 5000 {
		return fmt.Errorf("--batch: must be between 1 and 5000")
	}
	if err := o.node.resolve(cmd.ErrOrStderr()); err != nil {
		return err
	}
	if o.format == "" {
		o.format = strings.TrimPrefix(strings.ToLower(filepath.Ext(path)), ".")
		if o.format == "ndjson" || o.format == "json" {
			o.format = catalog.FeedJSONLines
		}
	}
	file, err := os.Open(path)
	if err != nil {
		return err
	}
	defer file.Close()
	st, _ := file.Stat()
	counted := &countingReader{r: file}
	feed, err := catalog.NewFeedReader(counted, o.format)
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	bar := newProgress(cmd.ErrOrStderr(), st.Size())
	var tot importTotals
	var batch []catalog.FeedItem
	send := func() error {
		err := sendBatch(cmd, o, batch, &tot)
		batch = batch[:0]
		bar.update(counted.n, tot.Created+tot.Updated+tot.Unchanged+len(tot.rejected))
		return err
	}
	for {
		it, err := feed.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
		if it.Err != nil {
			tot.rejected = append(tot.rejected, it.Err.Error())
			continue
		}
		if batch = append(batch, it); len(batch) == o.batch {
			if err := send(); err != nil {
				return err
			}
		}
	}
	if len(batch) > 0 {
		if err := send(); err != nil {
			return err
		}
	}
	bar.done()
	printImport(cmd.OutOrStdout(), tot, o.showRejected, bar.elapsed())
	return nil
}

func sendBatch(cmd *cobra.Command, o importOptions, items []catalog.FeedItem, tot *importTotals) error {
	in := make([]catalog.ListingInput, len(items))
	for i, it := range items {
		in[i] = it.Listing
	}
	body, _ := json.Marshal(in)
	resp, err := o.node.call(cmd, http.MethodPost, "/v1/listings/batch", bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("batch starting at line %d: %w", items[0].Line, err)
	}
	var res catalog.BatchResult
	if err := json.Unmarshal(resp, &res); err != nil {
		return fmt.Errorf("batch starting at line %d: unreadable answer: %w", items[0].Line, err)
	}
	tot.Created, tot.Updated, tot.Unchanged = tot.Created+res.Created, tot.Updated+res.Updated, tot.Unchanged+res.Unchanged
	for _, r := range res.Rejected {
		var parts []string
		for _, e := range r.Errors {
			parts = append(parts, e.Field+": "+e.Message)
		}
		tot.rejected = append(tot.rejected, fmt.Sprintf("line %d: %s", items[r.Index].Line, strings.Join(parts, "; ")))
	}
	return nil
}

func printImport(w io.Writer, tot importTotals, show int, took time.Duration) {
	n := tot.Created + tot.Updated + tot.Unchanged + len(tot.rejected)
	rate := float64(n) / max(took.Seconds(), 0.001)
	fmt.Fprintf(w, "%d listings in %s (%.0f/s): %d created, %d updated, %d unchanged, %d rejected\n",
		n, took.Round(time.Millisecond), rate, tot.Created, tot.Updated, tot.Unchanged, len(tot.rejected))
	for i, r := range tot.rejected {
		if i == show {
			fmt.Fprintf(w, "  ... and %d more (--show-rejected N prints more)\n", len(tot.rejected)-show)
			break
		}
		fmt.Fprintln(w, "  "+r)
	}
}

type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}
