package node

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/fedmart/fedmart/federation/order"
)

// The operator renames, suspends and reinstates a merchant over REST:
// suspended, its token is refused and no member's storefront sells its
// listing; reinstated, both work again.
func TestOperatorChangesAMerchantOverTheAPI(t *testing.T) {
	c := startCluster(t, "Alpha", "Beta")
	a, b := c.Nodes[0], c.Nodes[1]
	pan, token := listOn(t, c, 0, "Ferro", "PAN-1", 4900, 5)
	m, err := a.Catalog().MerchantByToken(t.Context(), token)
	if err != nil {
		t.Fatal(err)
	}
	url, route := a.APIURL()+"/v1/merchants/"+m.ID, "/v1/merchants/{id}"
	patch := func(tok, body string) (int, map[string]any) {
		t.Helper()
		s, raw := call(t, "PATCH", url, route, tok, []byte(body))
		var out map[string]any
		_ = json.Unmarshal(raw, &out)
		return s, out
	}

	if s, out := patch(c.Tokens[0], `{"name":" Ferro Works ","suspended":true}`); s != http.StatusOK || out["name"] != "Ferro Works" || out["suspended_at"] == nil {
		t.Fatalf("rename and suspend: %d %v", s, out)
	}
	if s, raw := call(t, "GET", a.APIURL()+"/v1/listings", "/v1/listings", token, nil); s != http.StatusForbidden || !strings.Contains(string(raw), "suspended") {
		t.Errorf("a suspended merchant's token: %d %s", s, raw)
	}
	sh := newShopper(t, b, "Grace Hopper")
	if s, raw := sh.checkout(sh.cart(order.ItemInput{ListingID: pan, SKU: "PAN-1", Quantity: 1}), "k1", order.CardApprove); s != http.StatusConflict {
		t.Errorf("buying a suspended merchant's listing on Beta: %d %s", s, raw)
	}
	if s, raw := call(t, "GET", a.APIURL()+"/v1/merchants", "/v1/merchants", c.Tokens[0], nil); s != http.StatusOK || !strings.Contains(string(raw), `"suspended_at"`) {
		t.Errorf("the list does not show the suspension: %d %s", s, raw)
	}

	if s, out := patch(c.Tokens[0], `{"suspended":false}`); s != http.StatusOK || out["suspended_at"] != nil {
		t.Fatalf("reinstate: %d %v", s, out)
	}
	if s, raw := call(t, "GET", a.APIURL()+"/v1/listings", "/v1/listings", token, nil); s != http.StatusOK {
		t.Errorf("a reinstated merchant's token: %d %s", s, raw)
	}
	buyAccepted(t, sh, a, pan, "PAN-1")

	for _, bad := range []struct {
		tok, body string
		want      int
	}{
		{c.Tokens[0], `{}`, http.StatusUnprocessableEntity},
		{c.Tokens[0], `{"name":"  "}`, http.StatusUnprocessableEntity},
		{c.Tokens[0], `{"suspended":"yes"}`, http.StatusUnprocessableEntity},
		{token, `{"suspended":true}`, http.StatusForbidden},
		{"", `{"suspended":true}`, http.StatusUnauthorized},
	} {
		if s, out := patch(bad.tok, bad.body); s != bad.want {
			t.Errorf("PATCH %s: %d %v, want %d", bad.body, s, out, bad.want)
		}
	}
	if s, _ := call(t, "PATCH", a.APIURL()+"/v1/merchants/nobody", route, c.Tokens[0], []byte(`{"suspended":true}`)); s != http.StatusNotFound {
		t.Errorf("an unknown merchant: %d", s)
	}
}
