package dashboard

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/fedmart/fedmart/federation"
	"github.com/fedmart/fedmart/node/web"
)

// charterView is what the charter template shows.
type charterView struct {
	federation.Charter
	Period     string
	Treasury   string // the treasury member's name, or its peer ID
	Self       string // this node's peer ID, marked in the members table
	Signatures []signatureRow
	// Proposals are the amendments gathering signatures, oldest first.
	Proposals []proposalView
	// Propose is the form that proposes an amendment.
	Propose *web.Form
}

// signatureRow is one signature, named by its signer.
type signatureRow struct {
	PeerID, Name, Signature string
}

// charterViewOf builds the charter page from the signed charter.
func charterViewOf(sc *federation.SignedCharter, self string) *charterView {
	names := memberNames(&sc.Charter)
	v := &charterView{Charter: sc.Charter, Period: web.Duration(time.Duration(sc.Charter.Period)), Self: self}
	if t := sc.Charter.Policy.Treasury; t != "" {
		v.Treasury = web.PlatformName(names, t)
	}
	for _, s := range sc.Signatures {
		v.Signatures = append(v.Signatures, signatureRow{PeerID: s.PeerID, Name: names[s.PeerID], Signature: web.ShortID(s.Signature)})
	}
	return v
}

// memberNames maps each member of c to its name.
func memberNames(c *federation.Charter) map[string]string {
	names := make(map[string]string, len(c.Members))
	for _, m := range c.Members {
		names[m.PeerID] = m.Name
	}
	return names
}

// charterChange is one difference between two charter versions, as text:
// "Storefront commission: 250 bps (2.50%) → 300 bps (3.00%)", or "Member
// added: Gamma Goods (12D3Ko…abcdef)" with Old empty.
type charterChange struct {
	Label    string
	Old, New string
}

// charterChanges lists what next changes compared with cur: the name,
// currency and period; policy fields, old → new; members added, removed,
// suspended, reactivated, renamed or moved.
func charterChanges(cur, next *federation.Charter) []charterChange {
	var out []charterChange
	field := func(label, old, new string) {
		if old != new {
			out = append(out, charterChange{Label: label, Old: old, New: new})
		}
	}
	field("Federation ID", cur.FederationID, next.FederationID)
	field("Name", cur.Name, next.Name)
	field("Settlement currency", cur.Currency, next.Currency)
	field("Settlement period", web.Duration(time.Duration(cur.Period)), web.Duration(time.Duration(next.Period)))
	field("Protocol level", strconv.Itoa(cur.Level()), strconv.Itoa(next.Level()))
	out = append(out, policyChanges(cur, next)...)
	return append(out, memberChanges(cur, next)...)
}

// policyChanges lists the revenue-share policy's differences.
func policyChanges(cur, next *federation.Charter) []charterChange {
	var out []charterChange
	field := func(label, old, new string) {
		if old != new {
			out = append(out, charterChange{Label: label, Old: old, New: new})
		}
	}
	a, b := cur.Policy, next.Policy
	field("Storefront commission", bpsText(a.StorefrontCommissionBPS), bpsText(b.StorefrontCommissionBPS))
	field("Federation fee", bpsText(a.FederationFeeBPS), bpsText(b.FederationFeeBPS))
	field("Treasury", treasuryText(cur, a.Treasury), treasuryText(next, b.Treasury))
	field("Sales payable when", a.PayableOn, b.PayableOn)
	old := map[string]federation.Override{}
	for _, o := range a.Overrides {
		old[o.CategoryPrefix] = o
	}
	for _, o := range b.Overrides {
		was, ok := old[o.CategoryPrefix]
		delete(old, o.CategoryPrefix)
		if !ok || was != o {
			prev := ""
			if ok {
				prev = overrideText(was)
			}
			field("Category override "+o.CategoryPrefix, prev, overrideText(o))
		}
	}
	for _, o := range a.Overrides {
		if _, gone := old[o.CategoryPrefix]; gone {
			field("Category override "+o.CategoryPrefix, overrideText(o), "")
		}
	}
	return out
}

// memberChanges lists members added, removed, suspended, reactivated,
// renamed, or with a new API URL or new addresses.
func memberChanges(cur, next *federation.Charter) []charterChange {
	var out []charterChange
	for _, m := range next.Members {
		i := slices.IndexFunc(cur.Members, func(o federation.Member) bool { return o.PeerID == m.PeerID })
		if i < 0 {
			label := "Member added"
			if m.Status == federation.StatusSuspended {
				label = "Member added, suspended"
			}
			out = append(out, charterChange{Label: label, New: memberText(m)})
			continue
		}
		was := cur.Members[i]
		switch {
		case was.Status == federation.StatusActive && m.Status == federation.StatusSuspended:
			out = append(out, charterChange{Label: "Member suspended", New: memberText(m)})
		case was.Status == federation.StatusSuspended && m.Status == federation.StatusActive:
			out = append(out, charterChange{Label: "Member reactivated", New: memberText(m)})
		case was.Status != m.Status:
			out = append(out, charterChange{Label: "Member status of " + memberText(m), Old: was.Status, New: m.Status})
		}
		if was.Name != m.Name {
			out = append(out, charterChange{Label: "Member renamed", Old: memberText(was), New: m.Name})
		}
		if was.API != m.API {
			out = append(out, charterChange{Label: "API of " + m.Name, Old: was.API, New: m.API})
		}
		if !slices.Equal(was.Addrs, m.Addrs) {
			out = append(out, charterChange{Label: "Addresses of " + m.Name, Old: strings.Join(was.Addrs, " "), New: strings.Join(m.Addrs, " ")})
		}
	}
	for _, m := range cur.Members {
		if !slices.ContainsFunc(next.Members, func(o federation.Member) bool { return o.PeerID == m.PeerID }) {
			out = append(out, charterChange{Label: "Member removed", Old: memberText(m)})
		}
	}
	return out
}

// memberText names a member with its abbreviated peer ID.
func memberText(m federation.Member) string { return m.Name + " (" + web.ShortID(m.PeerID) + ")" }

// bpsText writes a rate: "250 bps (2.50%)".
func bpsText(bps int64) string { return fmt.Sprintf("%d bps (%s)", bps, web.FormatBPS(bps)) }

// overrideText writes a category override's rates.
func overrideText(o federation.Override) string {
	return fmt.Sprintf("commission %s, fee %s", bpsText(o.StorefrontCommissionBPS), bpsText(o.FederationFeeBPS))
}

// treasuryText names the treasury of c, "none" when there is none.
func treasuryText(c *federation.Charter, id string) string {
	if id == "" {
		return "none"
	}
	if n := memberNames(c)[id]; n != "" {
		return n + " (" + web.ShortID(id) + ")"
	}
	return web.ShortID(id)
}
