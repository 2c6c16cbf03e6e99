package dashboard

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/fedmart/fedmart/federation"
	"github.com/fedmart/fedmart/node/web/webtest"
)

// amendDraft is the amendment form as the GET page fills it, with change
// applied.
func amendDraft(t *testing.T, h *harness, b *webtest.Browser, change func(url.Values)) url.Values {
	t.Helper()
	cur, _ := h.Fed.Charter()
	page := b.Get("/operator/charter/amend")
	webtest.WantStatus(t, page, http.StatusOK)
	form := url.Values{"csrf": {webtest.CSRF(t, page)}, "base": {cur.Charter.Digest()}, "commission": {"2.50"}, "fee": {"0.50"},
		"payable_on": {federation.PayableOnDelivered}, "members[0].status": {"active"}, "members[1].status": {"active"}, "action": {"review"}}
	if change != nil {
		change(form)
	}
	return form
}

func TestAmendmentFormStartsFromTheCharterInForce(t *testing.T) {
	h := newHarness(t)
	r := h.operator().Get("/operator/charter/amend")
	webtest.WantStatus(t, r, http.StatusOK)
	cur, _ := h.Fed.Charter()
	for _, want := range []string{`name="base" value="` + cur.Charter.Digest() + `"`, `id="f-commission" name="commission" value="2.50"`,
		`id="f-fee" name="fee" value="0.50"`, `<option value="delivered" selected>On delivery</option>`,
		`<select id="f-members-1-status" name="members[1].status">`, `<option value="active" selected>Active</option>`,
		`<input type="hidden" name="members[0].status" value="active">`, // this node's own status is not offered
		"Draft version 3 of the charter", "takes force once 2 of the 2 active members have signed it",
		`id="review-amendment"`} {
		if !strings.Contains(r.Body, want) {
			t.Errorf("the amendment form lacks %s", want)
		}
	}
	if strings.Contains(r.Body, `id="sign-propose"`) {
		t.Error("the form offers to sign before the changes were reviewed")
	}
	if !strings.Contains(h.operator().Get("/operator/charter").Body, `href="/operator/charter/amend"`) {
		t.Error("the charter page does not link to the form")
	}
}

// Every problem of a draft is shown next to its input, by name.
func TestAmendmentFormNamesTheFieldAtFault(t *testing.T) {
	h := newHarness(t)
	b := h.operator()
	beta := h.Other.ID.String()
	for _, c := range []struct {
		name   string
		change func(url.Values)
		field  string
		want   string
	}{
		{"commission not a number", func(f url.Values) { f.Set("commission", "two") }, "commission",
			"Enter the storefront commission as a percentage between 0 and 100, with at most two decimals, such as 2.50."},
		{"commission with three decimals", func(f url.Values) { f.Set("commission", "2.505") }, "commission",
			"Enter the storefront commission as a percentage between 0 and 100, with at most two decimals, such as 2.50."},
		{"fee over 100", func(f url.Values) { f.Set("fee", "101") }, "fee",
			"Enter the federation fee as a percentage between 0 and 100, with at most two decimals, such as 0.50."},
		{"rates over 100 together", func(f url.Values) { f.Set("commission", "60"); f.Set("fee", "50") }, "fee",
			"The commission and the fee together must not exceed 100%."},
		{"payable on", func(f url.Values) { f.Set("payable_on", "shipped") }, "payable_on", "Choose when a sale becomes payable."},
		{"member status", func(f url.Values) { f.Set("members[1].status", "banned") }, "members[1].status",
			"Choose whether the member is active or suspended."},
		{"new member without a peer ID", func(f url.Values) { f.Set("new.name", "Gamma Goods") }, "new.peer_id",
			"Enter the new member&#39;s peer ID (fedmart id --data DIR prints it)."},
		{"new member with a bad peer ID", func(f url.Values) { f.Set("new.peer_id", "not-a-peer") }, "new.peer_id",
			"This is not a peer ID: it is the text fedmart id prints, such as 12D3KooW…"},
		{"new member who is one", func(f url.Values) { f.Set("new.peer_id", beta) }, "new.peer_id",
			"This platform is a member already, as Beta Bazaar."},
		{"new member's name", func(f url.Values) { f.Set("new.api", "https://gamma.example") }, "new.name", "Enter the new member&#39;s name."},
		{"new member's URL", func(f url.Values) { f.Set("new.api", "gamma.example") }, "new.api",
			"Enter the address of the member&#39;s storefront and API, such as https://shop.example."},
		{"new member's addresses", func(f url.Values) { f.Set("new.addrs", "/dns4/gamma.example/tcp/4001\n\nnonsense") }, "new.addrs",
			"Line 2 is not a multiaddr such as /ip4/203.0.113.7/tcp/4001."},
		{"no address", func(f url.Values) { f.Set("new.name", "Gamma Goods") }, "new.addrs",
			"Enter at least one address the member&#39;s node listens on, such as /dns4/p2p.shop.example/tcp/4001."},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := b.Post("/operator/charter/amend", amendDraft(t, h, b, c.change))
			webtest.WantStatus(t, r, http.StatusUnprocessableEntity)
			webtest.HasFieldError(t, r.Body, c.field, c.want)
			if strings.Contains(r.Body, `id="sign-propose"`) {
				t.Error("a draft with problems may be signed")
			}
		})
	}
	r := b.Post("/operator/charter/amend", amendDraft(t, h, b, nil))
	webtest.WantStatus(t, r, http.StatusUnprocessableEntity)
	webtest.WantText(t, r, "This draft changes nothing: change a rate, the protocol level, a member's status, or add a member.")
	if proposed, _ := h.amend.calls(); len(proposed) != 0 {
		t.Errorf("%d drafts were proposed", len(proposed))
	}
}

// A draft is reviewed against the version in force, then signed with
// this node's key and proposed as exactly the charter reviewed.
func TestAmendmentReviewedThenSignedAndProposed(t *testing.T) {
	h := newHarness(t)
	b := h.operator()
	cur, _ := h.Fed.Charter()
	gamma := webtest.NewPeerID(t)
	draft := amendDraft(t, h, b, func(f url.Values) {
		f.Set("commission", "3")
		f.Set("fee", "0.75 %")
		f.Set("members[1].status", "suspended")
		f.Set("new.name", "Gamma Goods")
		f.Set("new.peer_id", gamma.String())
		f.Set("new.api", "https://gamma.example")
		f.Set("new.addrs", " /dns4/p2p.gamma.example/tcp/4001 \r\n/dns4/p2p.gamma.example/udp/4001/quic-v1\r\n")
	})
	r := b.Post("/operator/charter/amend", draft)
	webtest.WantStatus(t, r, http.StatusOK)
	body := webtest.UnescapeHTML(r.Body)
	for _, want := range []string{"Changes from version 2",
		"Storefront commission</span>: <del>250 bps (2.50%)</del> → <ins>300 bps (3.00%)</ins>",
		"Federation fee</span>: <del>50 bps (0.50%)</del> → <ins>75 bps (0.75%)</ins>",
		"Member suspended</span>: Beta Bazaar", "Member added</span>: Gamma Goods",
		`id="sign-propose"`, `value="Gamma Goods"`} {
		if !strings.Contains(body, want) {
			t.Errorf("the review lacks %s", want)
		}
	}
	if proposed, _ := h.amend.calls(); len(proposed) != 0 {
		t.Fatal("reviewing proposed the draft")
	}

	draft.Set("action", "propose")
	r = b.Post("/operator/charter/amend", draft)
	proposed, _ := h.amend.calls()
	if len(proposed) != 1 {
		t.Fatalf("%d drafts proposed:\n%s", len(proposed), r.Body)
	}
	next := proposed[0].Charter
	webtest.WantRedirect(t, r, "/operator/charter?done=proposed#proposal-"+next.Digest())
	if next.Version != 3 || next.Previous != cur.Charter.Digest() || next.Policy.StorefrontCommissionBPS != 300 || next.Policy.FederationFeeBPS != 75 ||
		next.Policy.Treasury != cur.Charter.Policy.Treasury || len(next.Members) != 3 || next.Members[1].Status != federation.StatusSuspended ||
		next.Members[2].PeerID != gamma.String() || next.Members[2].Status != federation.StatusActive ||
		strings.Join(next.Members[2].Addrs, " ") != "/dns4/p2p.gamma.example/tcp/4001 /dns4/p2p.gamma.example/udp/4001/quic-v1" {
		t.Errorf("proposed %+v", next)
	}
	if err := next.Validate(); err != nil {
		t.Errorf("the proposed charter is not valid: %v", err)
	}
	if h.amend.selfProposed != 1 || len(proposed[0].Signatures) != 0 {
		t.Error("the draft was not proposed with this node's signature (ProposeSigned), unsigned")
	}
	webtest.WantText(t, b.Get("/operator/charter?done=proposed"), "Amendment proposed.")
}

// A version that took force while the operator drafted is not amended
// blindly; a refusal by the federation is shown above the form.
func TestAmendmentAgainstAnotherVersion(t *testing.T) {
	h := newHarness(t)
	b := h.operator()
	draft := amendDraft(t, h, b, func(f url.Values) { f.Set("commission", "3"); f.Set("action", "propose") })
	h.Fed.Edit(func(charter **federation.SignedCharter, _ *[]federation.MemberState) {
		next := **charter
		next.Charter.Version, next.Charter.Previous = 3, next.Charter.Digest()
		*charter = &next
	})
	r := b.Post("/operator/charter/amend", draft)
	webtest.WantStatus(t, r, http.StatusConflict)
	cur, _ := h.Fed.Charter()
	webtest.WantText(t, r, "Version 3 of the charter took force while you drafted")
	if !strings.Contains(r.Body, `name="base" value="`+cur.Charter.Digest()+`"`) || !strings.Contains(r.Body, "Changes from version 3") {
		t.Error("the form is not redrawn on the version in force, with its changes")
	}
	if proposed, _ := h.amend.calls(); len(proposed) != 0 {
		t.Fatal("a draft of an older version was proposed")
	}
	draft.Set("base", cur.Charter.Digest())
	h.amend.setErrs(fmt.Errorf("federation: proposing: %w: this node signed amendment abc for version 4 already", federation.ErrVersion), nil)
	r = b.Post("/operator/charter/amend", draft)
	webtest.WantStatus(t, r, http.StatusUnprocessableEntity)
	webtest.WantText(t, r, "This amendment does not follow the current charter version")
}

func TestAmendmentWithoutCharter(t *testing.T) {
	h := newHarness(t)
	b := h.operator()
	h.Fed.Edit(func(charter **federation.SignedCharter, _ *[]federation.MemberState) { *charter = nil })
	webtest.WantStatus(t, b.Get("/operator/charter/amend"), http.StatusConflict)
}

// The protocol level is raised only when every active member's build is
// known to speak the new level; the form names the members whose build
// does not, or is not known.
func TestAmendmentRaisesTheProtocolLevelOnlyWhenEveryBuildSpeaksIt(t *testing.T) {
	h := newHarness(t)
	b := h.operator()
	page := b.Get("/operator/charter/amend")
	for _, want := range []string{`<option value="1" selected>Level 1:`, `<option value="2">Level 2:`,
		"speaks protocol levels up to 2", "its build is not known (it is not connected)"} {
		if !strings.Contains(page.Body, want) {
			t.Errorf("the form lacks %s", want)
		}
	}
	speaks := func(level int) {
		h.Fed.Edit(func(_ **federation.SignedCharter, states *[]federation.MemberState) { (*states)[0].Protocol = level })
	}
	raise := func(level string) url.Values {
		return amendDraft(t, h, b, func(f url.Values) { f.Set("protocol", level) })
	}
	for _, c := range []struct {
		name  string
		beta  int
		level string
		want  string
	}{
		{"Beta not connected", 0, "2", "The level these members&#39; builds speak is not known, as they are not connected: Beta Bazaar. Raise the level once they are."},
		{"Beta's build is older", 1, "2", "Not every member&#39;s build speaks level 2 yet: Beta Bazaar (up to level 1). Upgrade fedmart there first."},
		{"a level this build does not speak", 2, strconv.Itoa(federation.ProtocolLevel + 1), fmt.Sprintf("Choose a protocol level from 1 to %d.", federation.ProtocolLevel)},
	} {
		t.Run(c.name, func(t *testing.T) {
			speaks(c.beta)
			r := b.Post("/operator/charter/amend", raise(c.level))
			webtest.WantStatus(t, r, http.StatusUnprocessableEntity)
			webtest.HasFieldError(t, r.Body, "protocol", c.want)
		})
	}

	// A member the same draft adds has not connected: its build is not known.
	speaks(2)
	gamma := webtest.NewPeerID(t)
	r := b.Post("/operator/charter/amend", amendDraft(t, h, b, func(f url.Values) {
		f.Set("protocol", "2")
		f.Set("new.name", "Gamma Goods")
		f.Set("new.peer_id", gamma.String())
		f.Set("new.api", "https://gamma.example")
		f.Set("new.addrs", "/dns4/p2p.gamma.example/tcp/4001")
	}))
	webtest.WantStatus(t, r, http.StatusUnprocessableEntity)
	webtest.HasFieldError(t, r.Body, "protocol", "The level these members&#39; builds speak is not known, as they are not connected: Gamma Goods. Raise the level once they are.")
	// A member the draft suspends need not speak it.
	speaks(1)
	if r := b.Post("/operator/charter/amend", amendDraft(t, h, b, func(f url.Values) {
		f.Set("protocol", "2")
		f.Set("members[1].status", "suspended")
	})); r.Code != http.StatusOK {
		t.Errorf("raising the level while suspending the member whose build is older: %d", r.Code)
	}

	speaks(2)
	draft := raise("2")
	r = b.Post("/operator/charter/amend", draft)
	webtest.WantStatus(t, r, http.StatusOK)
	if !strings.Contains(r.Body, "Protocol level</span>: <del>1</del> → <ins>2</ins>") {
		t.Error("the review does not show the level raised")
	}
	draft.Set("action", "propose")
	b.Post("/operator/charter/amend", draft)
	proposed, _ := h.amend.calls()
	if len(proposed) != 1 || proposed[0].Charter.Protocol != 2 {
		t.Fatalf("proposed %d drafts, the last at protocol %v", len(proposed), proposed)
	}

	// Lowering needs no member's build: every build speaks level 1.
	h.Fed.Edit(func(charter **federation.SignedCharter, states *[]federation.MemberState) {
		next := **charter
		next.Charter.Protocol = 2
		*charter = &next
		(*states)[0].Protocol = 0
	})
	if r := b.Post("/operator/charter/amend", raise("1")); r.Code != http.StatusOK || !strings.Contains(r.Body, "Protocol level</span>: <del>2</del> → <ins>1</ins>") {
		t.Errorf("lowering the level: %d", r.Code)
	}
}
