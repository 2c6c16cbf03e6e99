package order

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	badger "github.com/dgraph-io/badger/v4"
)

// Catch-up. Both sides of a part keep every signed message of it, so a
// node can learn from the other side whatever it lacks: statuses it missed
// while it was away, and, after its data was restored from an older
// backup, the orders and home parts it lost. CatchUp asks a member for the
// messages of the parts the two share, from a little before the newest
// such message this node holds; the member pages through its per-member
// index (SyncPage). Every message is checked like any other (signature,
// and that it is between the two), and applied only where this node holds
// less: a status is folded as if it had just arrived; a lost storefront
// order is rebuilt from this node's own signed reserve and the home's
// statuses; a lost home part from the storefront's signed reserve and
// this node's own signed statuses, its stock left as the catalog's own
// signed stock records (learnt back from members) say.
const (
	// catchUpMargin reaches back before the newest message held, for
	// clocks that differ and messages that were in flight.
	catchUpMargin = 10 * time.Minute
	// syncPageMessages and syncPageBytes bound one page.
	syncPageMessages = 256
	syncPageBytes    = 4 << 20
	// MaxSyncPageBytes bounds a page on the wire.
	MaxSyncPageBytes = syncPageBytes + syncPageMessages*MaxMessageBytes/64
)

// SyncTransport fetches one page of a catch-up from member to.
type SyncTransport interface {
	Fetch(ctx context.Context, to string, since time.Time, cursor string) (SyncPage, error)
}

// SyncPage is one page of the signed messages two members share.
type SyncPage struct {
	Messages [][]byte `json:"messages"`
	// Next is the cursor of the next page; "" on the last.
	Next string `json:"next,omitempty"`
}

// SyncPageOf answers member peer's catch-up: the messages of the parts
// the two share, stated at or after since, after cursor.
func (s *Service) SyncPageOf(ctx context.Context, peer string, since time.Time, cursor string) (SyncPage, error) {
	prefix := prefixPeerMessages + peer + "/"
	start := prefix + timeKey(since)
	if cursor != "" {
		start = prefix + cursor + "\x00"
	}
	page := SyncPage{Messages: [][]byte{}}
	err := s.db.View(func(txn *badger.Txn) error {
		it := txn.NewIterator(badger.IteratorOptions{Prefix: []byte(prefix)})
		defer it.Close()
		size := 0
		for it.Seek([]byte(start)); it.Valid(); it.Next() {
			if err := ctx.Err(); err != nil {
				return err
			}
			suffix := string(it.Item().Key()[len(prefix):])
			if len(page.Messages) == syncPageMessages || size > syncPageBytes {
				return nil
			}
			raw, err := getRaw(txn, messageKey(suffix))
			if err != nil || raw == nil {
				continue
			}
			page.Messages, page.Next, size = append(page.Messages, raw), suffix, size+len(raw)
		}
		page.Next = ""
		return nil
	})
	return page, err
}

// messageKey turns a per-member index suffix ("<time>/<part>/<from>/<id>")
// into the key of the message.
func messageKey(suffix string) string {
	f := strings.SplitN(suffix, "/", 4)
	if len(f) != 4 {
		return ""
	}
	return prefixMessages + f[1] + "/" + f[0] + "/" + f[2] + "/" + f[3]
}

// CatchUp learns from member peer what this node lacks of the parts the
// two share (see the comment at the top of catchup.go), and returns how
// many messages were new here.
func (s *Service) CatchUp(ctx context.Context, peer string) (int, error) {
	if s.syncer == nil || peer == s.self {
		return 0, nil
	}
	since, err := s.newestWith(peer)
	if err != nil {
		return 0, err
	}
	if s.recovering.Load() {
		// Members deliver their outboxes as soon as they see this node
		// again, perhaps before this catch-up: the newest message with
		// peer may be newer than the gap the restore left. Start from what
		// the restored data held.
		since = s.restoredNewest[peer]
		if !since.IsZero() {
			since = since.Add(-catchUpMargin)
		}
	}
	learnt, cursor := 0, ""
	var waiting []signed
	for {
		page, err := s.syncer.Fetch(ctx, peer, since, cursor)
		if err != nil {
			return learnt, err
		}
		batch := append(waiting, s.admitSynced(peer, page.Messages)...)
		n, rest, unconfirmed, err := s.applySynced(ctx, peer, batch)
		learnt, waiting = learnt+n, rest
		if err != nil || page.Next == "" {
			if err == nil && unconfirmed > 0 {
				s.log.Debug("order: catch-up skipped statuses of checkouts that never completed", "peer", peer, "statuses", unconfirmed)
			}
			if n := len(rest) - unconfirmed; err == nil && n > 0 {
				s.log.Warn("order: catch-up left statuses whose part it could not rebuild", "peer", peer, "statuses", n)
			}
			return learnt, err
		}
		cursor = page.Next
	}
}

// newestPerPeer returns, for every member this node shares messages with,
// the time of the newest of them: one seek per member in the index.
func (s *Service) newestPerPeer() (map[string]time.Time, error) {
	out := map[string]time.Time{}
	err := s.db.View(func(txn *badger.Txn) error {
		opts := badger.DefaultIteratorOptions
		opts.PrefetchValues, opts.Prefix = false, []byte(prefixPeerMessages)
		it := txn.NewIterator(opts)
		defer it.Close()
		for it.Seek([]byte(prefixPeerMessages)); it.Valid(); {
			peer, _, ok := strings.Cut(strings.TrimPrefix(string(it.Item().Key()), prefixPeerMessages), "/")
			if !ok {
				it.Next()
				continue
			}
			ks := reverseKeys(txn, prefixPeerMessages+peer+"/", "", 1)
			if len(ks) == 1 {
				ns, err := strconv.ParseInt(strings.SplitN(strings.TrimPrefix(ks[0], prefixPeerMessages+peer+"/"), "/", 2)[0], 10, 64)
				if err != nil {
					return fmt.Errorf("order: index key %q: %w", ks[0], err)
				}
				out[peer] = time.Unix(0, ns)
			}
			it.Seek([]byte(prefixPeerMessages + peer + "0")) // '0' follows '/': the next member's keys
		}
		return nil
	})
	return out, err
}

// signed is a decoded message with its wire form.
type signed struct {
	m   *Message
	raw []byte
}

// newestWith is where a catch-up with peer starts: a margin before the
// newest message of a part shared with it (zero when there is none).
func (s *Service) newestWith(peer string) (time.Time, error) {
	var newest time.Time
	err := s.db.View(func(txn *badger.Txn) error {
		ks := reverseKeys(txn, prefixPeerMessages+peer+"/", "", 1)
		if len(ks) == 1 {
			ns, err := strconv.ParseInt(strings.SplitN(strings.TrimPrefix(ks[0], prefixPeerMessages+peer+"/"), "/", 2)[0], 10, 64)
			if err != nil {
				return fmt.Errorf("order: index key %q: %w", ks[0], err)
			}
			newest = time.Unix(0, ns)
		}
		return nil
	})
	if newest.IsZero() || err != nil {
		return time.Time{}, err
	}
	return newest.Add(-catchUpMargin), nil
}

// admitSynced decodes a page's messages and keeps those that are signed,
// between this node and peer.
func (s *Service) admitSynced(peer string, raws [][]byte) []signed {
	var out []signed
	for _, raw := range raws {
		m, err := DecodeMessage(raw)
		if err != nil || !((m.From == peer && m.To == s.self) || (m.From == s.self && m.To == peer)) {
			s.log.Warn("order: catch-up message refused", "peer", peer, "err", err)
			continue
		}
		out = append(out, signed{m, raw})
	}
	return out
}

// applySynced applies a batch, requests first (so that a status finds the
// reserve and confirm its part is rebuilt from) and then statuses newest
// first (a lost part is rebuilt at its latest state; the older statuses
// are kept and booked). It returns the statuses it could not apply yet,
// and how many of those found their part's reserve but no confirm.
//
// The index orders messages by the time their signer stated, and the two
// sides' clocks differ: a home's statuses may come pages before the
// storefront's reserve, and the reserve a page before its confirm. A
// status that finds no confirm (errNoOrder) therefore waits like one that
// finds no reserve; only when the catch-up ends does it mean a checkout
// that never completed.
func (s *Service) applySynced(ctx context.Context, peer string, batch []signed) (int, []signed, int, error) {
	slices.SortStableFunc(batch, func(a, b signed) int {
		return cmp.Or(cmp.Compare(isStatus(a.m), isStatus(b.m)), cmp.Compare(seqOf(b.m), seqOf(a.m)))
	})
	learnt, unconfirmed := 0, 0
	var rest []signed
	for _, x := range batch {
		if err := ctx.Err(); err != nil {
			return learnt, nil, 0, err
		}
		n, err := s.applyOne(ctx, peer, x)
		switch {
		case errors.Is(err, errNoOrder):
			unconfirmed++
			fallthrough
		case errors.Is(err, ErrNotFound):
			n, rest = 0, append(rest, x)
		case err != nil:
			return learnt, nil, 0, err
		}
		learnt += n
	}
	return learnt, rest, unconfirmed, nil
}

func isStatus(m *Message) int {
	if m.Kind == KindStatus {
		return 1
	}
	return 0
}

func seqOf(m *Message) uint64 {
	if m.Status != nil {
		return m.Status.Seq
	}
	return 0
}

// applyOne applies one synced message; 1 when it was new here.
func (s *Service) applyOne(ctx context.Context, peer string, x signed) (int, error) {
	known, err := s.logged(x.m)
	if err != nil || known {
		return 0, err
	}
	switch {
	case x.m.Kind != KindStatus: // a request: kept, for the parts it rebuilds and as evidence
		return 1, s.update(func(txn *badger.Txn) error { return s.logMessage(txn, x.m, x.raw) })
	case x.m.From == peer: // a home's status of a part this node sold
		return 1, s.recoverStatus(x.m, x.raw)
	default: // this node's own status of a part it is home of
		return 1, s.recoverHome(ctx, x.m, x.raw)
	}
}

// logged reports whether this node keeps m.
func (s *Service) logged(m *Message) (bool, error) {
	var raw []byte
	err := s.db.View(func(txn *badger.Txn) (err error) {
		raw, err = getRaw(txn, prefixMessages+m.Part+"/"+timeKey(m.At)+"/"+m.From+"/"+m.ID)
		return err
	})
	return raw != nil, err
}
