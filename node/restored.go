package node

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	badger "github.com/dgraph-io/badger/v4"
	"github.com/fedmart/fedmart/federation"
)

// Badger keys owned by package node, all under "n/":
//
//	n/restored    RestoreInfo JSON: the last restore of this database
const keyRestored = "n/restored"

// RestoreInfo is the note Restore leaves in the database it loads. A
// restored node lacks what it committed after the backup was taken; the
// parts of the node that can learn it back from members (the catalog
// does; the order service can from the members' signed messages) read
// the note to know since when.
type RestoreInfo struct {
	// RestoredAt is when the backup was loaded.
	RestoredAt time.Time `json:"restored_at"`
	// BackupTakenAt is when the backup was taken: what the node committed
	// after it is known only to the members.
	BackupTakenAt time.Time `json:"backup_taken_at"`
	// File is the backup file's path as it was restored from.
	File string `json:"file"`
	// Node and PeerID name the node the backup was taken of (another than
	// this one only when the restore was forced).
	Node   string `json:"node"`
	PeerID string `json:"peer_id"`
}

// RestoreMarker reads the note the last restore left in db; ok is false
// when the database was never restored.
func RestoreMarker(db *badger.DB) (info RestoreInfo, ok bool, err error) {
	err = db.View(func(txn *badger.Txn) error {
		item, err := txn.Get([]byte(keyRestored))
		if errors.Is(err, badger.ErrKeyNotFound) {
			return nil
		}
		if err != nil {
			return err
		}
		ok = true
		return item.Value(func(v []byte) error { return json.Unmarshal(v, &info) })
	})
	if err != nil {
		return RestoreInfo{}, false, fmt.Errorf("reading the restore note: %w", err)
	}
	return info, ok, nil
}

// putRestoreMarker writes the note in txn.
func putRestoreMarker(txn *badger.Txn, info RestoreInfo) error {
	b, err := json.Marshal(info)
	if err != nil {
		return err
	}
	return txn.Set([]byte(keyRestored), b)
}

// logRestore tells the operator, at start, that this database came from
// a backup and what the node is catching up on. The note only informs:
// one that cannot be read is reported, and the node starts all the same.
func (n *Node) logRestore() {
	info, ok, err := RestoreMarker(n.db)
	switch {
	case err != nil:
		n.log.Warn("this database's restore note is unreadable", "err", err)
	case !ok:
	case !n.cat.Restored():
		n.log.Debug("this database was restored from a backup earlier", "backup_taken_at", info.BackupTakenAt, "restored_at", info.RestoredAt)
	default:
		n.log.Info(fmt.Sprintf("restored from a backup taken at %s; catching up from members", info.BackupTakenAt.Format(time.RFC3339)),
			"restored_at", info.RestoredAt.Format(time.RFC3339), "file", info.File, "backup_of", info.Node)
	}
}

// learnBackPoll is how often a restored node looks for connected members
// to learn its catalog records back from.
const learnBackPoll = 250 * time.Millisecond

// learnBack ends the catalog's wait after a restore (see
// catalog.MarkRestored): once members are connected it runs a catch-up
// with each of them, and when one has completed, this node holds every
// record of its own that member holds, so its catalog may sign again,
// continuing after the highest seq seen. Until then listing and stock
// changes are refused (503), which is what keeps them from repeating seqs
// the members hold.
//
// Then the order service learns back the parts it lost from every
// connected member's signed messages (order.Service.CatchUp), and only
// then holds stock again (order.Service.EndRecovery): its holds are
// judged against the stock the catalog learnt back.
func (n *Node) learnBack(ctx context.Context) error {
	if !n.cat.Restored() && !n.orders.Recovering() {
		return nil
	}
	t := time.NewTicker(learnBackPoll)
	defer t.Stop()
	for (n.cat.Restored() && !n.learnBackOnce(ctx)) || !n.learnBackOrders(ctx) {
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
	}
	return nil
}

// learnBackOrders catches the order service up with every connected
// member and ends its recovery when all of them answered. It reports
// whether it did.
func (n *Node) learnBackOrders(ctx context.Context) bool {
	if !n.orders.Recovering() {
		return true
	}
	asked, learnt := 0, 0
	for _, m := range n.fed.Members() {
		if !m.Connected || m.Status != federation.StatusActive {
			continue
		}
		k, err := n.orders.CatchUp(ctx, m.PeerID.String())
		if err != nil {
			n.log.Warn("order catch-up after a restore failed; trying again", "member", m.Name, "err", err)
			return false
		}
		asked, learnt = asked+1, learnt+k
	}
	if asked == 0 {
		return false
	}
	if err := n.orders.EndRecovery(ctx); err != nil {
		n.log.Warn("orders: could not end the recovery after a restore; trying again", "err", err)
		return false
	}
	n.log.Info("learnt back this node's orders from members; holding stock again", "members", asked, "messages", learnt)
	return true
}

// learnBackOnce catches up with every connected member and, if any
// catch-up completed, ends the catalog's wait. It reports whether it did.
func (n *Node) learnBackOnce(ctx context.Context) bool {
	caught, records := 0, 0
	for _, m := range n.fed.Members() {
		if !m.Connected {
			continue
		}
		st, err := n.repl.SyncWith(ctx, m.PeerID)
		if err != nil {
			n.log.Debug("catch-up after a restore failed", "member", m.Name, "err", err)
			continue
		}
		caught, records = caught+1, records+st.Applied
	}
	if caught == 0 {
		return false
	}
	if err := n.cat.LearntBack(); err != nil {
		n.log.Warn("catalog: could not end the wait after a restore; trying again", "err", err)
		return false
	}
	mark, _ := n.cat.Origin(n.fed.Self().String())
	n.log.Info("learnt back this node's catalog from members; listings and stock can change again",
		"members", caught, "records", records, "own_seq", mark)
	return true
}
