package node

import (
	"github.com/fedmart/fedmart/catalog/media"
	"github.com/fedmart/fedmart/federation/mediawire"
	"github.com/prometheus/client_golang/prometheus"
)

// openMedia opens the store of pictures on the node's database, lets
// the catalog's merchants show the pictures they upload, and serves the
// pictures to the members over mediawire, fetching others' from the
// homes of the listings that show them.
func (n *Node) openMedia(reg prometheus.Registerer) error {
	log := n.log.With("component", "media")
	store, err := media.Open(n.cfg.Media, n.db, log)
	if err != nil {
		return err
	}
	n.cat.UseImages(store)
	n.media, err = media.NewService(store, media.Deps{Self: n.fed.Self().String(), Homes: n.cat,
		Transport: mediawire.Transport{Fed: n.fed}, Log: log, Registry: reg, Now: n.now})
	if err != nil {
		return err
	}
	mediawire.Serve(n.fed, n.media)
	return nil
}

// Media exposes the pictures to in-process tools (demo, tests).
func (n *Node) Media() *media.Service { return n.media }
