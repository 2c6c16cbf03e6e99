package web_test

import (
	"context"

	"github.com/fedmart/fedmart/federation"
	"github.com/fedmart/fedmart/federation/replication"
	"github.com/libp2p/go-libp2p/core/peer"
)

// The whole site's tests open no federation: no amendment is pending and
// no member's catalog has been replicated from. The dashboard's own tests
// set both.

type noAmendments struct{}

func (noAmendments) Proposals() []federation.Proposal { return nil }

func (noAmendments) Propose(context.Context, *federation.SignedCharter) (federation.Proposal, error) {
	return federation.Proposal{}, federation.ErrInvalid
}

func (noAmendments) ProposeSigned(context.Context, *federation.SignedCharter) (federation.Proposal, error) {
	return federation.Proposal{}, federation.ErrInvalid
}

func (noAmendments) SignProposal(context.Context, string) (federation.Proposal, error) {
	return federation.Proposal{}, federation.ErrInvalid
}

type noReplication struct{}

func (noReplication) Progress(peer.ID) replication.Progress { return replication.Progress{} }
