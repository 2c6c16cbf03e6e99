package dashboard

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/fedmart/fedmart/federation"
	"github.com/fedmart/fedmart/node/web"
	"github.com/libp2p/go-libp2p/core/peer"
	ma "github.com/multiformats/go-multiaddr"
)

// Drafting an amendment by form: the operator edits the next version of
// the charter in force (revenue-share rates and when a sale is payable,
// each member's status, one member to add), reviews what it changes
// against the version in force, then signs it with this node's key and
// proposes it (federation.Federation.ProposeSigned): it is sent to every
// member and takes force once more than two thirds of the current
// version's active members have signed it.
//
// The form carries the digest of the version it was drawn from ("base"):
// a version that took force meanwhile is not amended blindly, the
// operator reviews the changes against it first. Every problem is shown
// next to its input, by name:
//
//	commission, fee, payable_on     the policy
//	protocol                        the protocol level the members speak
//	members[i].status               member i of the version in force
//	new.name, new.peer_id, new.api, new.addrs   the member to add
//
// The protocol level is raised only when every active member's build is
// known to speak the new level (it said so on connecting): a member
// whose build does not refuses what the others send at that level.

// amendActions are the form's two buttons.
const (
	actionReview  = "review"
	actionPropose = "propose"
)

// amendPage is what the amendment template shows.
type amendPage struct {
	// Version is the version in force; Next the one drafted.
	Version, Next uint64
	Form          *web.Form
	Members       []amendMember
	PayableOn     []web.Choice
	// Protocol are the protocol levels this build speaks.
	Protocol []web.Choice
	// Changes are what the draft changes, once reviewed; Reviewed is
	// true then.
	Changes  []charterChange
	Reviewed bool
	// Needed and Voters say how many signatures the draft needs, of how
	// many active members.
	Needed, Voters int
	// CanSign is false when this node has no vote.
	CanSign bool
}

// amendMember is one member of the version in force, with its status
// input.
type amendMember struct {
	Name, PeerID, API string
	Self              bool
	// Speaks says which protocol levels its build speaks, as far as this
	// node knows: "speaks protocol levels up to 2".
	Speaks  string
	Field   web.Field
	Choices []web.Choice
}

// amendForm shows the draft of the next version, as the version in force
// reads: GET /operator/charter/amend.
func (d *Dashboard) amendForm(w http.ResponseWriter, r *http.Request, sess *web.Session) {
	sc, ok := d.charterInForce(w, r)
	if !ok {
		return
	}
	cur := &sc.Charter
	f := web.NewForm()
	f.Set("base", cur.Digest())
	f.Set("commission", percentText(cur.Policy.StorefrontCommissionBPS))
	f.Set("fee", percentText(cur.Policy.FederationFeeBPS))
	f.Set("payable_on", cur.Policy.PayableOn)
	f.Set("protocol", strconv.Itoa(cur.Level()))
	for i, m := range cur.Members {
		f.Set(memberStatusField(i), m.Status)
	}
	d.amendPage(w, r, sess, http.StatusOK, cur, f, nil, false)
}

// charterInForce returns the charter in force, answering the page itself
// when there is none.
func (d *Dashboard) charterInForce(w http.ResponseWriter, r *http.Request) (*federation.SignedCharter, bool) {
	sc, err := d.deps.Federation.Charter()
	if errors.Is(err, federation.ErrNoCharter) || (err == nil && sc == nil) {
		d.site.Status(w, r, http.StatusConflict, "No charter to amend",
			"This node holds no charter yet, so there is nothing to amend. Join a federation with the fedmart charter commands first.")
		return nil, false
	}
	if err != nil {
		d.site.Fail(w, r, err)
		return nil, false
	}
	return sc, true
}

// amend reviews the draft, or signs and proposes it: POST
// /operator/charter/amend, with action=review or action=propose.
func (d *Dashboard) amend(w http.ResponseWriter, r *http.Request, sess *web.Session) {
	sc, ok := d.charterInForce(w, r)
	if !ok {
		return
	}
	cur := &sc.Charter
	f := amendFormOf(r.PostForm, cur, d.speaks())
	next := draftOf(cur, f)
	var changes []charterChange
	if f.OK() {
		changes = charterChanges(cur, next)
		if len(changes) == 0 {
			f.Add("", "This draft changes nothing: change a rate, the protocol level, a member's status, or add a member.")
		}
	}
	if f.OK() && f.Value("base") != cur.Digest() {
		f.Add("", fmt.Sprintf("Version %d of the charter took force while you drafted: check what the draft changes against it, then propose it again.", cur.Version))
		f.Set("base", cur.Digest())
		d.amendPage(w, r, sess, http.StatusConflict, cur, f, changes, true)
		return
	}
	if !f.OK() {
		d.amendPage(w, r, sess, http.StatusUnprocessableEntity, cur, f, nil, false)
		return
	}
	if r.PostForm.Get("action") != actionPropose {
		d.amendPage(w, r, sess, http.StatusOK, cur, f, changes, true)
		return
	}
	p, err := d.deps.Amendments.ProposeSigned(r.Context(), &federation.SignedCharter{Charter: *next})
	if msg, ok := amendmentProblem(err); ok {
		f.Add("", msg)
		d.amendPage(w, r, sess, http.StatusUnprocessableEntity, cur, f, changes, true)
		return
	}
	if err != nil {
		d.site.Fail(w, r, err)
		return
	}
	done := "proposed"
	if p.Carried() {
		done = "in-force"
	}
	web.SeeOther(w, r, "/operator/charter?done="+done+"#proposal-"+url.PathEscape(p.Digest))
}

// amendPage renders the form with its problems and, once reviewed, the
// changes.
func (d *Dashboard) amendPage(w http.ResponseWriter, r *http.Request, sess *web.Session, status int, cur *federation.Charter, f *web.Form, changes []charterChange, reviewed bool) {
	self := d.deps.Merchants.Platform()
	voters := len(cur.ActiveMembers())
	v := amendPage{Version: cur.Version, Next: cur.Version + 1, Form: f, Changes: changes, Reviewed: reviewed && len(changes) > 0,
		Needed: 2*voters/3 + 1, Voters: voters, CanSign: slices.ContainsFunc(cur.ActiveMembers(), func(m federation.Member) bool { return m.PeerID == self }),
		PayableOn: []web.Choice{
			{Value: federation.PayableOnDelivered, Label: "On delivery", Selected: f.Value("payable_on") == federation.PayableOnDelivered},
			{Value: federation.PayableOnAccepted, Label: "When the merchant accepts the order", Selected: f.Value("payable_on") == federation.PayableOnAccepted},
		}}
	for l := 1; l <= federation.ProtocolLevel; l++ {
		v.Protocol = append(v.Protocol, web.Choice{Value: strconv.Itoa(l), Label: fmt.Sprintf("Level %d: %s", l, federation.Levels[l-1]), Selected: f.Value("protocol") == strconv.Itoa(l)})
	}
	speaks := d.speaks()
	for i, m := range cur.Members {
		name := memberStatusField(i)
		am := amendMember{Name: m.Name, PeerID: m.PeerID, API: m.API, Self: m.PeerID == self, Field: f.Field(name), Speaks: speaksText(speaks[m.PeerID])}
		for _, s := range []struct{ value, label string }{{federation.StatusActive, "Active"}, {federation.StatusSuspended, "Suspended"}} {
			am.Choices = append(am.Choices, web.Choice{Value: s.value, Label: s.label, Selected: f.Value(name) == s.value})
		}
		v.Members = append(v.Members, am)
	}
	p := d.dashboardPage(sess, "Amend the charter", "/operator/charter", v)
	p.Styles = []string{"dashboard.css"}
	d.pages.Render(w, r, status, "operator_amend", p)
}

// speaks maps each member's peer ID to the highest protocol level its
// build speaks (0: not known yet), this node included.
func (d *Dashboard) speaks() map[string]int {
	out := map[string]int{d.deps.Merchants.Platform(): federation.ProtocolLevel}
	for _, m := range d.deps.Federation.Members() {
		out[m.PeerID.String()] = m.Protocol
	}
	return out
}

// speaksText says which levels a build speaks, as the form shows it.
func speaksText(level int) string {
	if level == 0 {
		return "its build is not known (it is not connected)"
	}
	return fmt.Sprintf("speaks protocol levels up to %d", level)
}

// memberStatusField names the status input of member i.
func memberStatusField(i int) string { return "members[" + strconv.Itoa(i) + "].status" }

// amendFormOf reads the posted draft into a form, with a problem next to
// each input at fault.
func amendFormOf(post url.Values, cur *federation.Charter, speaks map[string]int) *web.Form {
	f := web.NewForm()
	get := func(name string) string {
		v := strings.TrimSpace(post.Get(name))
		f.Set(name, v)
		return v
	}
	get("base")
	commission, cok := parsePercent(get("commission"))
	if !cok {
		f.Add("commission", "Enter the storefront commission as a percentage between 0 and 100, with at most two decimals, such as 2.50.")
	}
	fee, fok := parsePercent(get("fee"))
	if !fok {
		f.Add("fee", "Enter the federation fee as a percentage between 0 and 100, with at most two decimals, such as 0.50.")
	}
	if cok && fok && commission+fee > federation.MaxBPS {
		f.Add("fee", "The commission and the fee together must not exceed 100%.")
	}
	if p := get("payable_on"); p != federation.PayableOnDelivered && p != federation.PayableOnAccepted {
		f.Add("payable_on", "Choose when a sale becomes payable.")
	}
	var active []federation.Member // those of the draft
	for i, m := range cur.Members {
		s := get(memberStatusField(i))
		switch s {
		case federation.StatusActive:
			active = append(active, m)
		case federation.StatusSuspended:
		default:
			f.Add(memberStatusField(i), "Choose whether the member is active or suspended.")
		}
	}
	newMember(f, get, cur)
	if id := f.Value("new.peer_id"); id != "" {
		active = append(active, federation.Member{PeerID: id, Name: f.Value("new.name")})
	} else if len(active) == 0 {
		f.Add("", "At least one member must stay active.")
	}
	if get("protocol") == "" { // a page from before the field: the level stays
		f.Set("protocol", strconv.Itoa(cur.Level()))
	}
	protocolLevel(f, f.Value("protocol"), cur.Level(), active, speaks)
	return f
}

// protocolLevel checks the protocol level chosen: one this build speaks
// and, when it raises the charter's (cur), one the build of every member
// active in the draft is known to speak (a member it adds is not known).
func protocolLevel(f *web.Form, value string, cur int, active []federation.Member, speaks map[string]int) {
	level, err := strconv.Atoi(value)
	if err != nil || level < 1 || level > federation.ProtocolLevel {
		f.Add("protocol", fmt.Sprintf("Choose a protocol level from 1 to %d.", federation.ProtocolLevel))
		return
	}
	if level <= cur {
		return
	}
	behind, unknown := levelGaps(level, active, speaks)
	if len(behind) > 0 {
		f.Add("protocol", fmt.Sprintf("Not every member's build speaks level %d yet: %s. Upgrade fedmart there first.", level, strings.Join(behind, ", ")))
	}
	if len(unknown) > 0 {
		f.Add("protocol", fmt.Sprintf("The level these members' builds speak is not known, as they are not connected: %s. Raise the level once they are.", strings.Join(unknown, ", ")))
	}
}

// levelGaps names the members whose build speaks less than level
// ("Beta (up to level 1)"), and those whose build is not known (they are
// not connected).
func levelGaps(level int, members []federation.Member, speaks map[string]int) (behind, unknown []string) {
	for _, m := range members {
		switch s := speaks[m.PeerID]; {
		case s == 0:
			unknown = append(unknown, m.Name)
		case s < level:
			behind = append(behind, fmt.Sprintf("%s (up to level %d)", m.Name, s))
		}
	}
	return behind, unknown
}

// newMember checks the member to add, when any of its inputs is filled.
func newMember(f *web.Form, get func(string) string, cur *federation.Charter) {
	name, id, api, addrs := get("new.name"), get("new.peer_id"), get("new.api"), get("new.addrs")
	if name == "" && id == "" && api == "" && addrs == "" {
		return
	}
	switch {
	case name == "":
		f.Add("new.name", "Enter the new member's name.")
	case utf8.RuneCountInString(name) > 100:
		f.Add("new.name", "Keep the name to 100 characters or fewer.")
	}
	pid, err := peer.Decode(id)
	switch {
	case id == "":
		f.Add("new.peer_id", "Enter the new member's peer ID (fedmart id --data DIR prints it).")
	case err != nil:
		f.Add("new.peer_id", "This is not a peer ID: it is the text fedmart id prints, such as 12D3KooW…")
	default:
		if _, err := pid.ExtractPublicKey(); err != nil {
			f.Add("new.peer_id", "This peer ID does not embed its public key: use the ID of an Ed25519 identity, as fedmart init makes.")
		} else if m, ok := cur.Member(pid); ok {
			f.Add("new.peer_id", "This platform is a member already, as "+m.Name+".")
		}
	}
	if u, err := url.Parse(api); api == "" || err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		f.Add("new.api", "Enter the address of the member's storefront and API, such as https://shop.example.")
	}
	lines := addrLines(addrs)
	if len(lines) == 0 {
		f.Add("new.addrs", "Enter at least one address the member's node listens on, such as /dns4/p2p.shop.example/tcp/4001.")
	}
	for i, a := range lines {
		if _, err := ma.NewMultiaddr(a); err != nil {
			f.Add("new.addrs", fmt.Sprintf("Line %d is not a multiaddr such as /ip4/203.0.113.7/tcp/4001.", i+1))
		}
	}
}

// addrLines splits the addresses typed, one a line, blank lines dropped.
func addrLines(s string) []string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, l)
		}
	}
	return out
}

// draftOf is the next version of cur as f, when it has no problems, asks
// for; nil otherwise. Policy overrides and the treasury are kept.
func draftOf(cur *federation.Charter, f *web.Form) *federation.Charter {
	if !f.OK() {
		return nil
	}
	next := *cur
	next.Version, next.Previous = cur.Version+1, cur.Digest()
	next.Members = slices.Clone(cur.Members)
	next.Policy.Overrides = slices.Clone(cur.Policy.Overrides)
	next.Policy.StorefrontCommissionBPS, _ = parsePercent(f.Value("commission"))
	next.Policy.FederationFeeBPS, _ = parsePercent(f.Value("fee"))
	next.Policy.PayableOn = f.Value("payable_on")
	level, _ := strconv.Atoi(f.Value("protocol"))
	next.SetLevel(level)
	for i := range next.Members {
		next.Members[i].Status = f.Value(memberStatusField(i))
	}
	if id := f.Value("new.peer_id"); id != "" {
		next.Members = append(next.Members, federation.Member{PeerID: id, Name: f.Value("new.name"), API: f.Value("new.api"),
			Addrs: addrLines(f.Value("new.addrs")), Status: federation.StatusActive})
	}
	if err := next.Validate(); err != nil { // what the fields above cannot tell
		f.Add("", "The draft is not a valid charter: "+strings.TrimPrefix(err.Error(), federation.ErrInvalid.Error()+": ")+".")
		return nil
	}
	return &next
}

// parsePercent reads a percentage with at most two decimals ("2.5",
// "2.50 %") as basis points, 0 to 10000.
func parsePercent(s string) (int64, bool) {
	s = strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(s), "%"))
	bps, err := web.ParseAmount(s, "EUR") // two decimals: hundredths of a percent
	if err != nil || bps > federation.MaxBPS {
		return 0, false
	}
	return bps, true
}

// percentText writes basis points as a percentage for the form: "2.50".
func percentText(bps int64) string { return strings.TrimSuffix(web.FormatBPS(bps), "%") }
