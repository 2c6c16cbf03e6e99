package node

import (
	"time"

	"github.com/fedmart/fedmart/federation"
	"github.com/fedmart/fedmart/federation/order"
	"github.com/fedmart/fedmart/federation/settlewire"
	"github.com/fedmart/fedmart/node/api"
	"github.com/fedmart/fedmart/settlement"
)

// openSettler builds the settler over the ledger, the order service's
// watermarks and evidence, and the federation's streams, and answers the
// sessions members open.
func (n *Node) openSettler() {
	n.settle = settlement.NewSettler(settlement.SettlerDeps{
		Ledger: n.ledger, Key: n.key, Federation: roster{n.fed}, Sessions: settlewire.Net{Fed: n.fed},
		Statements: settlewire.Net{Fed: n.fed}, Watermarks: n.orders, Evidence: evidence{n.orders, n.pointsEvent},
		MaxProofSize: order.MaxProofBytes, Log: n.log.With("component", "settlement"), Now: n.now,
	})
	settlewire.Serve(n.fed, n.settle)
}

// roster is the federation as settlement sees it: the active members of
// the charter in force, with their reachability, its treasury and period.
type roster struct{ fed *federation.Federation }

// Roster reads the charter and the members' states now.
func (r roster) Roster() (settlement.Roster, error) {
	sc, err := r.fed.Charter()
	if err != nil {
		return settlement.Roster{}, err
	}
	states := map[string]federation.MemberState{}
	for _, m := range r.fed.Members() {
		states[m.PeerID.String()] = m
	}
	out := settlement.Roster{Treasury: sc.Charter.Policy.Treasury, Length: time.Duration(sc.Charter.Period)}
	for _, m := range sc.Charter.ActiveMembers() {
		st := states[m.PeerID]
		out.Members = append(out.Members, settlement.Member{PeerID: m.PeerID, Name: m.Name, Reachable: st.Reachable, LastSeen: st.LastSeen})
	}
	return out, nil
}

// Settlement exposes the settler, which serves the settlement API, to
// in-process tools (demo).
func (n *Node) Settlement() api.Settlement { return n.settle }
