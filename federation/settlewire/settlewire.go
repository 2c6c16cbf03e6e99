// Package settlewire carries settlement between members over libp2p: the
// period sessions (settlement.SessionProtocol: one stream per session, the
// frames settlement reads and writes) and the statement exchange netting
// uses (StatementsProtocol). It opens and answers streams, and nothing
// else: what a session decides is settlement's (settlement.Settler).
package settlewire

import (
	"context"
	"fmt"
	"io"

	"github.com/fedmart/fedmart/federation"
	"github.com/fedmart/fedmart/federation/wire"
	"github.com/fedmart/fedmart/settlement"
	"github.com/libp2p/go-libp2p/core/network"
	"github.com/libp2p/go-libp2p/core/peer"
	"github.com/libp2p/go-libp2p/core/protocol"
)

// SessionProtocol carries one settlement session between two members.
const SessionProtocol = protocol.ID(settlement.SessionProtocol)

// StatementsProtocol hands a member's statements of a period to another
// member, for netting:
//
//	requester -> responder: one JSON frame {"period": "..."}
//	responder -> requester: one JSON frame {"statements": [...]}
//
// Only agreed statements count, and the requester checks what each member
// answered and both parties' signatures (settlement.Settler.Netting), so a
// member cannot make up another pair's statement.
const StatementsProtocol protocol.ID = "/fedmart/settlement/statements/1.0.0"

// Limits are the settlement protocols' stream limits, for federation.New.
// A session that restores hundreds of entries outlasts the federation's
// stream timeout, so sessions have the settler's budget.
var Limits = []federation.ProtocolLimit{
	{ID: SessionProtocol, Streams: 32, Memory: 64 << 20, Timeout: settlement.SessionBudget},
	{ID: StatementsProtocol, Streams: 32, Memory: 16 << 20},
}

// maxStatementsFrame bounds a statements answer.
const maxStatementsFrame = 4 << 20

type statementsRequest struct {
	Period string `json:"period"`
}

type statementsReply struct {
	Statements []settlement.Statement `json:"statements"`
}

// Net opens session streams and fetches statements over the federation:
// the settler's Sessions and StatementSource.
type Net struct{ Fed *federation.Federation }

// Open opens a session stream to member id.
func (n Net) Open(ctx context.Context, id string) (settlement.SessionStream, error) {
	p, err := peer.Decode(id)
	if err != nil {
		return nil, fmt.Errorf("settlement: member %q: %w", id, err)
	}
	return n.Fed.Open(ctx, p, SessionProtocol)
}

// Statements fetches member's statements of period.
func (n Net) Statements(ctx context.Context, member, period string) ([]settlement.Statement, error) {
	p, err := peer.Decode(member)
	if err != nil {
		return nil, fmt.Errorf("settlement: member %q: %w", member, err)
	}
	s, err := n.Fed.Open(ctx, p, StatementsProtocol)
	if err != nil {
		return nil, err
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

// Serve answers the sessions and statement requests members open, with
// the settler's answers.
func Serve(fed *federation.Federation, s *settlement.Settler) {
	fed.Handle(SessionProtocol, func(ctx context.Context, remote peer.ID, st network.Stream) error {
		return s.Answer(ctx, remote.String(), st)
	})
	fed.Handle(StatementsProtocol, func(ctx context.Context, _ peer.ID, st network.Stream) error {
		var req statementsRequest
		if err := wire.NewReader(st).ReadJSON(1024, &req); err != nil {
			return err
		}
		list, err := s.Statements(ctx, req.Period)
		if err != nil {
			return err
		}
		return wire.WriteJSON(st, statementsReply{Statements: list})
	})
}
