package node

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"

	"github.com/fedmart/fedmart/federation/order"
	"github.com/fedmart/fedmart/node/oidc"
	"github.com/fedmart/fedmart/node/web/storefront"
	"github.com/libp2p/go-libp2p/core/crypto"
)

// openAlliance builds the node's OpenID Provider (for its own shoppers)
// and relying party (for the other members'), and mounts the provider's
// endpoints on mux; the storefront gets both through the returned
// adapter.
func (n *Node) openAlliance(key crypto.PrivKey, mux *http.ServeMux) (storefront.Alliance, error) {
	d := oidc.Deps{DB: n.db, Key: key, Charter: n.fed, Accounts: shopperAccounts{n.orders}, ClientAddr: n.budgets.Client,
		BaseURL: n.apiURL, Log: n.log.With("component", "oidc")}
	prov, err := oidc.NewProvider(oidc.DefaultConfig(), d)
	if err != nil {
		return nil, err
	}
	rp, err := oidc.NewRelyingParty(oidc.DefaultConfig(), d)
	if err != nil {
		return nil, err
	}
	n.provider = prov
	h := prov.Handler()
	mux.Handle("/oidc/", h)
	mux.Handle("/.well-known/openid-configuration", h)
	return alliance{prov: prov, rp: rp}, nil
}

// shopperAccounts are the node's own shoppers as its provider tells of
// them: a shopper linked to another member is that member's to tell.
type shopperAccounts struct{ orders *order.Service }

func (a shopperAccounts) Account(ctx context.Context, subject string) (oidc.Account, error) {
	sh, err := a.orders.Shopper(ctx, subject)
	if err != nil {
		return oidc.Account{}, err
	}
	if sh.Issuer != "" {
		return oidc.Account{}, fmt.Errorf("%w: shopper %s's account lives on another member", oidc.ErrInvalid, subject)
	}
	return oidc.Account{Name: sh.Name, Email: sh.Email}, nil
}

// alliance adapts the provider and the relying party to the storefront.
type alliance struct {
	prov *oidc.Provider
	rp   *oidc.RelyingParty
}

func (a alliance) Providers() []storefront.AllianceMember {
	var out []storefront.AllianceMember
	for _, m := range a.rp.Providers() {
		out = append(out, storefront.AllianceMember{PeerID: m.PeerID, Name: m.Name, API: m.API})
	}
	return out
}

func (a alliance) Active(peer string) bool { return a.rp.Active(peer) }

func (a alliance) Member(peer string) (storefront.AllianceMember, bool) {
	m, ok := a.rp.Member(peer)
	return storefront.AllianceMember{PeerID: m.PeerID, Name: m.Name, API: m.API}, ok
}

func (a alliance) Begin(ctx context.Context, issuer, bind, next string) (string, error) {
	return a.rp.Begin(ctx, issuer, bind, next)
}

func (a alliance) Finish(ctx context.Context, state, code, bind string) (storefront.AllianceIdentity, error) {
	id, err := a.rp.Finish(ctx, state, code, bind)
	return storefront.AllianceIdentity{Issuer: id.Issuer, Subject: id.Subject, Name: id.Name, Email: id.Email, Next: id.Next, IDToken: id.IDToken}, err
}

func (a alliance) Request(ctx context.Context, id string) (storefront.AllianceRequest, error) {
	r, err := a.prov.Request(ctx, id)
	return storefront.AllianceRequest{ID: r.ID, ClientName: r.ClientName, ClientAPI: r.ClientAPI}, err
}

func (a alliance) Approve(ctx context.Context, id, subject string) (string, error) {
	return a.prov.Approve(ctx, id, subject)
}

// spendLeave checks a shopper's leave for another member's storefront to
// hold its points here (order.Deps.PointsAuth).
func (n *Node) spendLeave(ctx context.Context, storefront, account string, auth []byte) error {
	if n.provider == nil {
		return fmt.Errorf("%w: this node signs no shoppers in elsewhere", oidc.ErrInvalid)
	}
	var token string // the storefront sends the ID token as a JSON string
	if len(auth) > 0 && json.Unmarshal(auth, &token) != nil {
		return fmt.Errorf("%w: the leave is not an ID token", oidc.ErrInvalid)
	}
	return n.provider.CheckLeave(ctx, storefront, account, []byte(token))
}
