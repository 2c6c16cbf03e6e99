package web

import "net/http"

// The shopper's pages are placeholders until the orders work lands: the
// header links to /signin and /cart, and these handlers are where the
// shopper's sign-in, account, cart and checkout pages take over (each
// POST form among them is CSRF-checked by checkCSRF already; keep what
// they remember per visitor in session.Values).

// signinChooser sends each kind of visitor to its sign-in: GET /signin.
func (wb *Web) signinChooser(w http.ResponseWriter, r *http.Request) {
	wb.render(w, r, http.StatusOK, "signin", &page{Title: "Sign in", NoIndex: true})
}

// cartPlaceholder answers GET /cart until shopper carts exist.
func (wb *Web) cartPlaceholder(w http.ResponseWriter, r *http.Request) {
	wb.status(w, r, http.StatusNotFound, "Cart not available yet",
		"Shopping carts are not open on this storefront yet. You can search the catalog and view listings.")
}
