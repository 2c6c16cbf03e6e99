package storefront

import (
	"strings"
	"testing"

	"github.com/fedmart/fedmart/catalog"
	"github.com/fedmart/fedmart/catalog/content"
	"github.com/fedmart/fedmart/catalog/search"
	"github.com/fedmart/fedmart/federation/order"
	"github.com/fedmart/fedmart/node/mail"
)

// The node passes its services as they are.
var (
	_ Searcher        = (*search.Index)(nil)
	_ Listings        = (*catalog.Catalog)(nil)
	_ Merchants       = (*catalog.Catalog)(nil)
	_ Shoppers        = (*order.Service)(nil)
	_ Carts           = (*order.Service)(nil)
	_ Orders          = (*order.Service)(nil)
	_ MailPreferences = (*mail.Queue)(nil)
)

func TestOptionsValidate(t *testing.T) {
	if err := (Options{Payments: []string{order.MethodSandboxCard, order.MethodManual}}).Validate(); err != nil {
		t.Fatal(err)
	}
	err := Options{Payments: []string{"manual", "paypal"}}.Validate()
	if err == nil || !strings.Contains(err.Error(), "Payments[1]: must be manual or sandbox_card") {
		t.Errorf("Validate() = %v, want an error naming Payments[1]", err)
	}
	if _, err := New(nil, Deps{}, Options{}); err == nil {
		t.Error("New accepted empty Deps")
	}
}

var _ Content = (*content.Store)(nil)
