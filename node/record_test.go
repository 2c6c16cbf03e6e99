package node

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/fedmart/fedmart/catalog"
	"github.com/fedmart/fedmart/federation/order"
	"github.com/fedmart/fedmart/internal/testwait"
)

// measuredSales has sh buy one unit of listing n times from its
// storefront, each in its own order; home's merchant ships all but the
// last the moment it accepts them and refunds the last before shipping.
// It returns once the storefront holds every status.
func measuredSales(t *testing.T, sh *shopper, home *Node, token, listing, sku string, n int) {
	t.Helper()
	parts := make([]string, n)
	ids := make([]string, n)
	for i := range n {
		s, body := sh.checkout(sh.cart(order.ItemInput{ListingID: listing, SKU: sku, Quantity: 1}), fmt.Sprint("measured-", i), order.CardApprove)
		var o order.Order
		if s != 201 || json.Unmarshal(body, &o) != nil {
			t.Fatalf("checkout %d: %d %s", i, s, body)
		}
		ids[i], parts[i] = o.ID, o.Parts[0].ID
		testwait.For(t, 10*time.Second, func() error {
			if p, err := home.Orders().HomePartOf(t.Context(), "", parts[i]); err != nil || p.Status != order.StatusAccepted {
				return fmt.Errorf("part on %s: %+v %v", home.Name(), p, err)
			}
			return nil
		})
		if i < n-1 {
			merchantAct(t, home, token, parts[i], "ship", map[string]string{"carrier": "DHL", "tracking": fmt.Sprint("T", i)})
		} else {
			merchantAct(t, home, token, parts[i], "refund", nil)
		}
	}
	for i, id := range ids {
		want := order.StatusShipped
		if i == n-1 {
			want = order.StatusRefunded
		}
		testwait.For(t, 10*time.Second, func() error {
			if got := partStatuses(sh.order(id)); got != want {
				return fmt.Errorf("part %d is %s on the storefront, want %s", i, got, want)
			}
			return nil
		})
	}
}

// TestMerchantRecordShown: Alpha's shoppers buy eleven times from a
// merchant of Beta, which ships ten and cancels one. Alpha's REST and
// its merchant and listing pages give the merchant's measured record
// apart from the stars; Beta, which placed none of those parts as a
// storefront, says there are not enough orders yet.
func TestMerchantRecordShown(t *testing.T) {
	c := startCluster(t, "Alpha", "Beta")
	a, b := c.Nodes[0], c.Nodes[1]
	onB, tokB := listOn(t, c, 1, "Bremen Forge", "PAN-B", 4999, 20)
	platform, merchant, _, err := catalog.ParseID(onB)
	if err != nil {
		t.Fatal(err)
	}
	id := catalog.FormatMerchantID(platform, merchant)
	sh := newShopper(t, a, "Ada Lovelace")

	s, body := req(t, "GET", a.APIURL()+"/v1/merchants/"+id+"/record", "/v1/merchants/{id}/record", "", nil)
	if s != 200 || !strings.Contains(string(body), `"orders":0`) || !strings.Contains(string(body), `"enough":false`) {
		t.Fatalf("record before any order: %d %s", s, body)
	}
	if s, body := req(t, "GET", a.APIURL()+"/v1/merchants/no-dot/record", "/v1/merchants/{id}/record", "", nil); s != 422 && s != 400 && s != 404 {
		t.Fatalf("a malformed merchant id: %d %s", s, body)
	}

	measuredSales(t, sh, b, tokB, onB, "PAN-B", 11)
	var got struct {
		Record    order.MerchantRecord
		MinOrders int `json:"min_orders"`
	}
	testwait.For(t, 10*time.Second, func() error {
		s, body := req(t, "GET", a.APIURL()+"/v1/merchants/"+id+"/record", "/v1/merchants/{id}/record", "", nil)
		if s != 200 || json.Unmarshal(body, &got) != nil {
			return fmt.Errorf("record: %d %s", s, body)
		}
		r := got.Record
		if r.Merchant != id || r.Orders != 11 || !r.Enough || r.Due != 10 || r.OnTime != 10 || r.Cancelled != 1 || r.Issues != 0 || got.MinOrders != order.RecordMinOrders {
			return fmt.Errorf("record: %s", body)
		}
		return nil
	})

	want := "Measured from 11 orders through this storefront: 100 % shipped within handling time · 9 % cancelled by the merchant · no issues raised"
	for _, page := range []string{"/merchants/" + id, "/listings/" + onB} {
		if html := pageText(t, a.APIURL()+page); !strings.Contains(html, want) || !strings.Contains(html, "Measured record") {
			t.Errorf("Alpha's %s does not say %q", page, want)
		}
		if html := pageText(t, b.APIURL()+page); !strings.Contains(html, "Not enough orders yet") || strings.Contains(html, "Measured from") {
			t.Errorf("Beta's %s does not say there are not enough orders yet", page)
		}
	}
}

// pageText GETs a page and returns its body.
func pageText(t *testing.T, url string) string {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("GET %s: %d %v", url, resp.StatusCode, err)
	}
	return string(b)
}
