package node

import (
	"github.com/fedmart/fedmart/catalog"
	"github.com/fedmart/fedmart/catalog/content"
	"github.com/fedmart/fedmart/federation"
	"github.com/libp2p/go-libp2p/core/peer"
)

// openContent opens the store of the storefront's pages and help
// articles over the catalog's federation docs, and keeps both told who
// may publish those: the current charter's content terms.
func (n *Node) openContent() error {
	var err error
	if n.content, err = content.Open(n.db, n.cat, n.log.With("component", "content"), n.now); err != nil {
		return err
	}
	publishers := func(c *federation.Charter) {
		n.cat.SetPublishers(func(id string) bool {
			p, err := peer.Decode(id)
			return err == nil && c.MayPublish(p)
		})
		n.content.Invalidate()
	}
	if sc, err := n.fed.Charter(); err == nil {
		publishers(&sc.Charter)
	}
	n.fed.OnCharter(publishers)
	n.cat.OnChange(func(ch catalog.Change) {
		if ch.Record != nil && ch.Record.Kind == catalog.KindDoc {
			n.content.Invalidate()
		}
	})
	return nil
}

// Content exposes the pages and help articles to in-process tools (the
// demo's starter help centre).
func (n *Node) Content() *content.Store { return n.content }
