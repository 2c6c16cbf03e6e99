package dashboard

import (
	"github.com/fedmart/fedmart/catalog"
	"github.com/fedmart/fedmart/catalog/content"
	"github.com/fedmart/fedmart/federation"
	"github.com/fedmart/fedmart/federation/order"
	"github.com/fedmart/fedmart/federation/replication"
	"github.com/fedmart/fedmart/node/adstats"
	"github.com/fedmart/fedmart/node/mail"
)

// The node passes its services as they are.
var (
	_ Federation  = (*federation.Federation)(nil)
	_ Amendments  = (*federation.Federation)(nil)
	_ Merchants   = (*catalog.Catalog)(nil)
	_ Orders      = (*order.Service)(nil)
	_ Replication = (*replication.Replicator)(nil)
	_ Mailbox     = (*mail.Queue)(nil)
	_ Content     = (*content.Store)(nil)
	_ AdStats     = (*adstats.Counter)(nil)
	_ Campaigns   = (*catalog.Catalog)(nil)
)
