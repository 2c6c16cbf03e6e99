package web

import (
	"net/http"

	"github.com/fedmart/fedmart/node/budget"
)

// Per-client budgets (Deps.Budgets, shared with the REST API): a sign-up
// spends one unit of the client's accounts budget, a sign-in attempt
// (shopper, merchant or operator) one of its sign-ins budget, a checkout
// one of its checkouts budget. A client with none left gets a 429 page
// that says when to try again, and nothing else happens.

// refusals say, per budget, what the client did too often.
var refusals = map[budget.Kind]string{
	budget.Accounts:  "Too many accounts were opened from your network.",
	budget.SignIns:   "Too many sign-in attempts came from your network.",
	budget.Checkouts: "Too many orders were placed from your network.",
}

// Spending runs h once r's client has spent one unit of the budget k.
func (s *Site) Spending(k budget.Kind, h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if refused := s.budgets.Charge(k, r); refused != nil {
			RetryAfter(w, refused.RetryAfter)
			s.Status(w, r, http.StatusTooManyRequests, "Too many requests",
				refusals[k]+" Try again in "+WaitText(refused.RetryAfter)+".")
			return
		}
		h(w, r)
	}
}

// Client names the client of r, behind the trusted proxies.
func (s *Site) Client(r *http.Request) string { return s.budgets.Client(r) }
