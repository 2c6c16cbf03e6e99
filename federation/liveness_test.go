package federation

import (
	"errors"
	"testing"
	"time"

	"github.com/fedmart/fedmart/internal/testwait"
	"github.com/libp2p/go-libp2p/p2p/protocol/ping"
)

// TestSilentMemberIsUnreachableWithinSeconds: a member whose connection
// stays up but that answers nothing (here: no longer answers pings, as a
// cut link looks until TCP gives up) is shown unreachable within a few
// ping intervals, and its connection is closed so that it is dialled
// afresh.
func TestSilentMemberIsUnreachableWithinSeconds(t *testing.T) {
	ka, _ := newKey(t)
	kb, _ := newKey(t)
	a, b := startNode(t, ka), startNode(t, kb)
	federate(t, founding(t, []Member{a.member("alpha"), b.member("beta")}, ka, kb), a, b)
	if !a.Reachable(b.Self()) {
		t.Fatal("a connected member answering pings is not reachable")
	}
	b.Host().RemoveStreamHandler(ping.ID)
	testwait.For(t, 20*time.Second, func() error {
		for _, m := range a.Members() {
			if m.PeerID == b.Self() && !m.Reachable && !a.Reachable(b.Self()) {
				return nil
			}
		}
		return errors.New("beta still shown reachable although it answers no ping")
	})
}
