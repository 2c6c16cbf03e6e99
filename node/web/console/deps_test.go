package console

import (
	"github.com/fedmart/fedmart/catalog"
	"github.com/fedmart/fedmart/federation/order"
)

// The node passes its services as they are.
var (
	_ Merchants     = (*catalog.Catalog)(nil)
	_ ListingEditor = (*catalog.Catalog)(nil)
	_ Parts         = (*order.Service)(nil)
)
