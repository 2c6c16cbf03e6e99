package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/fedmart/fedmart/catalog"
	"github.com/fedmart/fedmart/federation/order"
	"github.com/fedmart/fedmart/node/api"
	"github.com/fedmart/fedmart/node/budget"
	"github.com/prometheus/client_golang/prometheus"
)

// The tests of the HTTP edge run the API over fakes, in process: what
// they check is the API's own behaviour towards any client.

const edgeOperator = "edge-operator-token"

// fakeCatalog answers the merchant calls the edge tests make; anything
// else panics (the embedded interface is nil), which the API turns into
// a 500.
type fakeCatalog struct {
	api.Catalog            // nil: the methods not below panic
	mu          sync.Mutex // guards tokens
	tokens      map[string]string
}

func (f *fakeCatalog) MerchantByToken(_ context.Context, token string) (catalog.Merchant, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for id, t := range f.tokens {
		if t == token {
			return catalog.Merchant{ID: id, Name: "Ferro Works"}, nil
		}
	}
	return catalog.Merchant{}, catalog.ErrNotFound
}

func (f *fakeCatalog) RotateMerchantToken(_ context.Context, id string) (string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if _, ok := f.tokens[id]; !ok {
		return "", fmt.Errorf("%w: merchant %s", catalog.ErrNotFound, id)
	}
	f.tokens[id] = f.tokens[id] + "-next"
	return f.tokens[id], nil
}

func (f *fakeCatalog) Listing(_ context.Context, id string) (catalog.Listing, error) {
	return catalog.Listing{}, errors.New("the disk is on fire")
}

// orderService is api.Orders under a name that does not clash with its
// Orders method when embedded.
type orderService = api.Orders

// fakeOrders opens shoppers and accepts checkouts.
type fakeOrders struct {
	orderService            // nil: the methods not below panic
	mu           sync.Mutex // guards shoppers
	shoppers     []order.ShopperInput
}

func (f *fakeOrders) CreateShopper(_ context.Context, in order.ShopperInput) (order.Shopper, string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.shoppers = append(f.shoppers, in)
	return order.Shopper{ID: fmt.Sprint("shp_", len(f.shoppers)), Name: in.Name, Email: in.Email}, "st_token", nil
}

func (f *fakeOrders) ShopperByToken(_ context.Context, token string) (order.Shopper, error) {
	if token != "st_token" {
		return order.Shopper{}, order.ErrNotFound
	}
	return order.Shopper{ID: "shp_1"}, nil
}

func (f *fakeOrders) Checkout(_ context.Context, shopper, cartID, _ string, req order.CheckoutRequest) (order.Order, bool, error) {
	return order.Order{ID: "ord_" + cartID, Shopper: shopper, Status: order.StatusAccepted, Parts: []order.Part{}, ShipTo: req.ShippingAddress,
		Payment: order.Payment{Method: req.Payment.Method, ID: "man_ord_" + cartID, Status: order.PaymentPending}}, false, nil
}

// edge is an API over the fakes, served in process.
type edge struct {
	t       *testing.T
	handler http.Handler
	reg     *prometheus.Registry
	logs    *bytes.Buffer
	cat     *fakeCatalog
	orders  *fakeOrders
	ready   error
}

func newEdge(t *testing.T, cfg api.Config, budgets *budget.Budgets) *edge {
	t.Helper()
	e := &edge{t: t, reg: prometheus.NewRegistry(), logs: &bytes.Buffer{},
		cat: &fakeCatalog{tokens: map[string]string{"m1": "fmm_one"}}, orders: &fakeOrders{}}
	cfg.OperatorToken = edgeOperator
	log := slog.New(slog.NewTextHandler(e.logs, nil))
	a := api.New(cfg, api.Deps{Catalog: e.cat, Orders: e.orders, Budgets: budgets, Gatherer: e.reg, Registry: e.reg,
		Ready: func() error { return e.ready }}, log)
	e.handler = a.Handler()
	return e
}

// req is one request from the client at addr.
func (e *edge) req(method, path, token, addr string, body string) *httptest.ResponseRecorder {
	e.t.Helper()
	r := httptest.NewRequest(http.MethodGet, path, strings.NewReader(body))
	r.Method = method
	r.RemoteAddr = addr + ":40000"
	if token != "" {
		r.Header.Set("Authorization", "Bearer "+token)
	}
	if method == http.MethodPost {
		r.Header.Set("Idempotency-Key", "k1")
	}
	w := httptest.NewRecorder()
	e.handler.ServeHTTP(w, r)
	return w
}

// checked is req whose answer must match the OpenAPI document at route.
func (e *edge) checked(method, path, route, token, addr, body string) *httptest.ResponseRecorder {
	e.t.Helper()
	w := e.req(method, path, token, addr, body)
	if err := api.CheckResponse(method, route, w.Code, w.Body.Bytes()); err != nil {
		e.t.Errorf("%v\nbody: %s", err, w.Body)
	}
	return w
}

// series counts the request histogram's series.
func (e *edge) series() int {
	e.t.Helper()
	mfs, err := e.reg.Gather()
	if err != nil {
		e.t.Fatal(err)
	}
	for _, mf := range mfs {
		if mf.GetName() == "fedmart_http_request_duration_seconds" {
			return len(mf.GetMetric())
		}
	}
	return 0
}

func TestInventedMethodsAddNoSeries(t *testing.T) {
	e := newEdge(t, api.Config{}, nil)
	e.req(http.MethodGet, "/healthz", "", "198.51.100.4", "")
	invented := func(i int) string { return strings.Repeat("X", 10<<10) + fmt.Sprint(i) }
	e.req(invented(0), "/nowhere/0", "", "198.51.100.4", "")
	before := e.series()
	for i := 1; i <= 200; i++ {
		if w := e.req(invented(i), fmt.Sprintf("/v1/listings/%d", i), "", "198.51.100.4", ""); w.Code < 400 {
			t.Fatalf("an invented method got %d", w.Code)
		}
		e.req(invented(i), fmt.Sprintf("/nowhere/%d", i), "", "198.51.100.4", "")
	}
	if after := e.series(); after != before {
		t.Errorf("%d series after 200 invented methods, %d before", after, before)
	}
	w := e.req(http.MethodGet, "/metrics", edgeOperator, "198.51.100.4", "")
	if w.Code != http.StatusOK || w.Body.Len() > 64<<10 {
		t.Fatalf("metrics: %d, %d bytes", w.Code, w.Body.Len())
	}
	for _, want := range []string{`method="other",route="unmatched",status="4xx"`, `method="GET",route="/healthz",status="2xx"`} {
		if !strings.Contains(w.Body.String(), want) {
			t.Errorf("metrics lack the series %s", want)
		}
	}
}

func TestLogLinesCarryBoundedPaths(t *testing.T) {
	e := newEdge(t, api.Config{}, nil)
	long := strings.Repeat("p", 20<<10)
	if w := e.req(http.MethodGet, "/v1/catalog/listings/"+long, "", "198.51.100.4", ""); w.Code != http.StatusInternalServerError {
		t.Fatalf("a failing lookup: %d", w.Code)
	}
	if !strings.Contains(e.logs.String(), "request failed") {
		t.Fatalf("the failure was not logged: %s", e.logs)
	}
	for line := range strings.Lines(e.logs.String()) {
		if len(line) > 1024 {
			t.Errorf("a log line of %d bytes: %.200s...", len(line), line)
		}
	}
}

func TestMetricsNeedTheOperatorByDefault(t *testing.T) {
	e := newEdge(t, api.Config{}, nil)
	if w := e.checked(http.MethodGet, "/metrics", "/metrics", "", "198.51.100.4", ""); w.Code != http.StatusUnauthorized {
		t.Errorf("no token: %d, want 401", w.Code)
	}
	if w := e.checked(http.MethodGet, "/metrics", "/metrics", "fmm_one", "198.51.100.4", ""); w.Code != http.StatusForbidden {
		t.Errorf("a merchant's token: %d, want 403", w.Code)
	}
	if w := e.checked(http.MethodGet, "/metrics", "/metrics", edgeOperator, "198.51.100.4", ""); w.Code != http.StatusOK {
		t.Errorf("the operator token: %d, want 200", w.Code)
	}
	public := newEdge(t, api.Config{Metrics: api.MetricsPublic}, nil)
	if w := public.checked(http.MethodGet, "/metrics", "/metrics", "", "198.51.100.4", ""); w.Code != http.StatusOK {
		t.Errorf("public: %d, want 200", w.Code)
	}
	elsewhere := newEdge(t, api.Config{Metrics: api.MetricsListener}, nil)
	if w := elsewhere.checked(http.MethodGet, "/metrics", "/metrics", edgeOperator, "198.51.100.4", ""); w.Code != http.StatusNotFound {
		t.Errorf("served elsewhere: %d, want 404", w.Code)
	}
}

func TestReadinessReasonIsForTheOperator(t *testing.T) {
	e := newEdge(t, api.Config{}, nil)
	e.ready = errors.New("no valid charter yet")
	for token, wantReason := range map[string]bool{"": false, "fmm_one": false, edgeOperator: true} {
		w := e.checked(http.MethodGet, "/readyz", "/readyz", token, "198.51.100.4", "")
		var body struct{ Status, Reason string }
		_ = json.Unmarshal(w.Body.Bytes(), &body)
		if w.Code != http.StatusServiceUnavailable || body.Status != "not ready" || (body.Reason != "") != wantReason {
			t.Errorf("token %q: %d %s, want the reason: %v", token, w.Code, w.Body, wantReason)
		}
	}
}

// tooMany checks a 429: Retry-After and the budget named.
func tooMany(t *testing.T, w *httptest.ResponseRecorder, limit string, retry time.Duration) {
	t.Helper()
	var p api.Problem
	_ = json.Unmarshal(w.Body.Bytes(), &p)
	if w.Code != http.StatusTooManyRequests || p.Limit != limit || w.Header().Get("Content-Type") != "application/problem+json" {
		t.Fatalf("%d %s, want 429 naming %s", w.Code, w.Body, limit)
	}
	if got := w.Header().Get("Retry-After"); got != fmt.Sprint(int(retry.Seconds())) {
		t.Errorf("Retry-After %q, want %d", got, int(retry.Seconds()))
	}
}

func TestAccountsAndCheckoutsAreBudgetedPerClient(t *testing.T) {
	b := budget.New(budget.Config{Accounts: budget.Rate{N: 2, Per: time.Hour}, Checkouts: budget.Rate{N: 1, Per: time.Minute}, Clients: 100}, nil, nil)
	e := newEdge(t, api.Config{}, b)
	body := `{"name":"Kim","email":"kim@example.org"}`
	for range 2 {
		if w := e.checked(http.MethodPost, "/v1/shoppers", "/v1/shoppers", "", "198.51.100.4", body); w.Code != http.StatusCreated {
			t.Fatalf("an account: %d %s", w.Code, w.Body)
		}
	}
	tooMany(t, e.checked(http.MethodPost, "/v1/shoppers", "/v1/shoppers", "", "198.51.100.4", body), "accounts", 30*time.Minute)
	if w := e.req(http.MethodPost, "/v1/shoppers", "", "203.0.113.9", body); w.Code != http.StatusCreated {
		t.Errorf("another client: %d", w.Code)
	}
	checkout := `{"shipping_address":{"name":"Kim","line1":"1 Way","city":"Kiel","postal_code":"24103","country":"DE"},"payment":{"method":"manual"}}`
	route := "/v1/carts/{id}/checkout"
	if w := e.checked(http.MethodPost, "/v1/carts/c1/checkout", route, "st_token", "198.51.100.4", checkout); w.Code != http.StatusCreated {
		t.Fatalf("a checkout: %d %s", w.Code, w.Body)
	}
	tooMany(t, e.checked(http.MethodPost, "/v1/carts/c2/checkout", route, "st_token", "198.51.100.4", checkout), "checkouts", time.Minute)
}

func TestShopperAccountsTakeNoPassword(t *testing.T) {
	e := newEdge(t, api.Config{}, nil)
	w := e.checked(http.MethodPost, "/v1/shoppers", "/v1/shoppers", "", "198.51.100.4", `{"name":"Kim","email":"kim@example.org","password":"hunter2hunter2"}`)
	var p api.Problem
	_ = json.Unmarshal(w.Body.Bytes(), &p)
	if w.Code != http.StatusUnprocessableEntity || len(p.Errors) != 1 || p.Errors[0].Field != "password" {
		t.Fatalf("a password: %d %s, want 422 naming password", w.Code, w.Body)
	}
	if len(e.orders.shoppers) != 0 {
		t.Error("an account was opened")
	}
}

func TestMerchantTokenRotation(t *testing.T) {
	e := newEdge(t, api.Config{}, nil)
	route := "/v1/merchants/{id}/token"
	if w := e.checked(http.MethodPost, "/v1/merchants/m1/token", route, "fmm_one", "198.51.100.4", ""); w.Code != http.StatusForbidden {
		t.Errorf("a merchant at the operator's route: %d", w.Code)
	}
	if w := e.checked(http.MethodPost, "/v1/merchants/nobody/token", route, edgeOperator, "198.51.100.4", ""); w.Code != http.StatusNotFound {
		t.Errorf("an unknown merchant: %d", w.Code)
	}
	w := e.checked(http.MethodPost, "/v1/merchants/m1/token", route, edgeOperator, "198.51.100.4", "")
	var got struct{ ID, Token string }
	if err := json.Unmarshal(w.Body.Bytes(), &got); w.Code != http.StatusOK || err != nil || got.ID != "m1" || got.Token != "fmm_one-next" {
		t.Fatalf("rotation by the operator: %d %s", w.Code, w.Body)
	}
	// The old token stops working at once; the merchant rotates the new one itself.
	if w := e.checked(http.MethodPost, "/v1/merchant/token", "/v1/merchant/token", "fmm_one", "198.51.100.4", ""); w.Code != http.StatusForbidden {
		t.Errorf("the old token: %d, want 403", w.Code)
	}
	w = e.checked(http.MethodPost, "/v1/merchant/token", "/v1/merchant/token", got.Token, "198.51.100.4", "")
	if err := json.Unmarshal(w.Body.Bytes(), &got); w.Code != http.StatusOK || err != nil || got.Token != "fmm_one-next-next" {
		t.Fatalf("rotation by the merchant: %d %s", w.Code, w.Body)
	}
}
