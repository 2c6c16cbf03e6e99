package federation

import (
	"fmt"
	"slices"

	"github.com/libp2p/go-libp2p/core/peer"
)

// ContentTerms say who may publish federation pages and help articles:
// pages and articles every member's storefront shows beside its own
// (the alliance's terms, how cross-member returns work, the starter help
// centre).
//
// With no Publishers, every active member may publish. That is the
// default because a federation doc is signed by its author, shown with
// its author's name, and taken down by its author's tombstone, as a
// listing is: a member is already trusted to put listings on every
// storefront, and an alliance that wants one voice names its publishers.
// The zero value leaves the signed bytes of a charter written before it
// existed as they were.
type ContentTerms struct {
	// Publishers are the peer IDs of the members that may publish
	// federation pages and articles; empty: every active member.
	Publishers []string `json:"publishers,omitempty"`
}

// MaxPublishers caps ContentTerms.Publishers.
const MaxPublishers = MaxMembers

// MayPublish reports whether the member id may publish federation pages
// and articles under c: an active member the terms name, or any active
// member when they name none.
func (c *Charter) MayPublish(id peer.ID) bool {
	if !c.IsActive(id) {
		return false
	}
	return len(c.Content.Publishers) == 0 || slices.Contains(c.Content.Publishers, id.String())
}

func (t ContentTerms) validate(c *Charter, draft bool) error {
	if len(t.Publishers) > MaxPublishers {
		return invalid("charter.content.publishers", fmt.Sprintf("at most %d publishers", MaxPublishers))
	}
	for i, p := range t.Publishers {
		field := fmt.Sprintf("charter.content.publishers[%d]", i)
		id, err := peer.Decode(p)
		switch {
		case err != nil || id.String() != p:
			return invalid(field, "not a peer ID in canonical form")
		case slices.Contains(t.Publishers[:i], p):
			return invalid(field, "is listed twice")
		}
		if _, ok := c.Member(id); !ok && !draft {
			return invalid(field, "must be a member of the charter")
		}
	}
	return nil
}
