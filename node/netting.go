package node

import (
	"context"
	"fmt"
	"io"

	"github.com/fedmart/fedmart/federation"
	"github.com/fedmart/fedmart/federation/wire"
	"github.com/fedmart/fedmart/node/api"
	"github.com/fedmart/fedmart/settlement"
	"github.com/libp2p/go-libp2p/core/network"
	"github.com/libp2p/go-libp2p/core/peer"
	"github.com/libp2p/go-libp2p/core/protocol"
)

// statementsProtocol hands a member's statements of a period to another
// member, for netting:
//
//	requester -> responder: one JSON frame {"period": "..."}
//	responder -> requester: one JSON frame {"statements": [...]}
//
// Only agreed statements count, and the requester checks both parties'
// signatures, so a member cannot make up another pair's statement.
const statementsProtocol protocol.ID = "/fedmart/settlement/statements/1.0.0"

var statementsLimits = []federation.ProtocolLimit{{ID: statementsProtocol, Streams: 32, Memory: 16 << 20}}

const maxStatementsFrame = 4 << 20

type statementsRequest struct {
	Period string `json:"period"`
}

type statementsReply struct {
	Statements []settlement.Statement `json:"statements"`
}

func (n *Node) serveStatements() {
	n.fed.Handle(statementsProtocol, func(ctx context.Context, _ peer.ID, s network.Stream) error {
		var req statementsRequest
		if err := wire.NewReader(s).ReadJSON(1024, &req); err != nil {
			return err
		}
		list, err := settlementView{n}.Statements(ctx, req.Period)
		if err != nil {
			return err
		}
		return wire.WriteJSON(s, statementsReply{Statements: list})
	})
}

// Netting gathers the agreed statements of every pair of members for
// period (its own, and each other member's over libp2p), checks both
// signatures of each, and nets them. A pair that is not agreed yet makes
// the netting incomplete (settlement.ErrNotAgreed).
func (v settlementView) Netting(ctx context.Context, period string) ([]settlement.Position, []settlement.Transfer, error) {
	sc, err := v.n.fed.Charter()
	if err != nil {
		return nil, nil, err
	}
	var all []settlement.Statement
	var members []string
	active := map[string]bool{}
	for _, m := range sc.Charter.ActiveMembers() {
		members = append(members, m.PeerID)
		active[m.PeerID] = true
	}
	for _, m := range members {
		list, err := v.statementsOf(ctx, period, m)
		if err != nil {
			return nil, nil, err
		}
		for i := range list {
			if err := checkAnswer(&list[i], period, m, active); err != nil {
				return nil, nil, err
			}
		}
		all = append(all, list...)
	}
	if err := everyPair(all, members, period); err != nil {
		return nil, nil, err
	}
	obligations, err := settlement.ObligationsFromStatements(all)
	if err != nil {
		return nil, nil, err
	}
	return settlement.Net(members, obligations)
}

func (v settlementView) statementsOf(ctx context.Context, period, member string) ([]settlement.Statement, error) {
	if member == v.n.fed.Self().String() {
		return v.Statements(ctx, period)
	}
	id, err := peer.Decode(member)
	if err != nil {
		return nil, err
	}
	s, err := v.n.fed.Open(ctx, id, statementsProtocol)
	if err != nil {
		return nil, fmt.Errorf("%w: statements of %s: %v", settlement.ErrNotAgreed, member, err)
	}
	defer s.Close()
	if err := wire.WriteJSON(s, statementsRequest{Period: period}); err != nil {
		_ = s.Reset()
		return nil, err
	}
	_ = s.CloseWrite()
	var reply statementsReply
	if err := wire.NewReader(s).ReadJSON(maxStatementsFrame, &reply); err != nil && err != io.EOF {
		_ = s.Reset()
		return nil, err
	}
	return reply.Statements, nil
}

// checkAnswer holds a statement member sent for period to what netting
// may use: a statement of that period, to which member is a party with
// another active member, agreed and signed by both (checkAgreed). A member
// cannot pass off another period's statement, or another pair's.
func checkAnswer(st *settlement.Statement, period, member string, active map[string]bool) error {
	switch {
	case st.Period != period:
		return fmt.Errorf("%w: %s answered a statement of period %s for %s", settlement.ErrInvalid, member, st.Period, period)
	case st.Parties[0] != member && st.Parties[1] != member:
		return fmt.Errorf("%w: %s answered a statement between %v, to which it is no party", settlement.ErrInvalid, member, st.Parties)
	case !active[st.Parties[0]] || !active[st.Parties[1]]:
		return fmt.Errorf("%w: %s answered a statement with a non-member %v", settlement.ErrInvalid, member, st.Parties)
	}
	return checkAgreed(st)
}

// everyPair checks that every pair of members has an agreed statement of
// period among all.
func everyPair(all []settlement.Statement, members []string, period string) error {
	have := map[[2]string]bool{}
	for _, st := range all {
		have[st.Parties] = true
	}
	for i, a := range members {
		for _, b := range members[i+1:] {
			if !have[[2]string{min(a, b), max(a, b)}] {
				return fmt.Errorf("%w: no agreed statement of %s between %s and %s yet", settlement.ErrNotAgreed, period, a, b)
			}
		}
	}
	return nil
}

// checkAgreed verifies an agreed statement's two signatures with its
// parties' keys.
func checkAgreed(st *settlement.Statement) error {
	if st.Status != settlement.StatusAgreed {
		return fmt.Errorf("%w: statement %s between %v is %s", settlement.ErrNotAgreed, st.Period, st.Parties, st.Status)
	}
	a, err := peer.Decode(st.Parties[0])
	if err != nil {
		return err
	}
	b, err := peer.Decode(st.Parties[1])
	if err != nil {
		return err
	}
	ka, err := a.ExtractPublicKey()
	if err != nil {
		return err
	}
	kb, err := b.ExtractPublicKey()
	if err != nil {
		return err
	}
	return st.Agree(ka, kb)
}

// NettingReport is the API's answer: positions with names, and transfers.
func (v settlementView) NettingReport(ctx context.Context, period string) (api.Netting, error) {
	pos, tr, err := v.Netting(ctx, period)
	if err != nil {
		return api.Netting{}, err
	}
	sc, _ := v.n.fed.Charter()
	out := api.Netting{Period: period, Positions: []api.NetPosition{}, Transfers: []api.NetTransfer{}}
	for _, p := range pos {
		name := ""
		if id, err := peer.Decode(p.Member); err == nil {
			if m, ok := sc.Charter.Member(id); ok {
				name = m.Name
			}
		}
		out.Positions = append(out.Positions, api.NetPosition{PeerID: p.Member, Name: name, Net: p.Net})
	}
	for _, t := range tr {
		out.Transfers = append(out.Transfers, api.NetTransfer(t))
	}
	return out, nil
}
