package dashboard

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/fedmart/fedmart/federation"
	"github.com/fedmart/fedmart/node/web"
	"github.com/fedmart/fedmart/node/web/webtest"
)

func TestCharterPageListsPendingAmendment(t *testing.T) {
	h := newHarness(t)
	p, _ := amendment(t, h)
	h.amend.add(p)
	r := h.operator().Get("/operator/charter")
	webtest.WantStatus(t, r, http.StatusOK)
	for _, want := range []string{
		"Pending amendments", "Version 3", web.ShortID(p.Digest),
		`<span class="change-label">Storefront commission</span>: <del>250 bps (2.50%)</del> → <ins>300 bps (3.00%)</ins>`,
		`<span class="change-label">Member added</span>: Gamma Goods (`,
		`<span class="change-label">Member suspended</span>: Beta Bazaar (`,
		"<strong>1 of 2</strong> needed signatures, from 2 voting members",
		"Signed: Beta Bazaar", "Not yet signed: Alpha Market",
		`action="/operator/charter/proposals/` + p.Digest + `/sign"`, "Sign with this node's key",
		`<label for="f-charter">Charter document (JSON)</label>`, `<input id="propose-sign" type="checkbox" name="sign" value="1" checked>`, `<label for="charter-file">`,
	} {
		if !strings.Contains(r.Body, want) {
			t.Errorf("charter page lacks %s", want)
		}
	}
	if strings.Contains(r.Body, "does not directly follow") {
		t.Error("the amendment is said to be out of sequence")
	}
}

func TestSignAmendment(t *testing.T) {
	h := newHarness(t)
	p, _ := amendment(t, h)
	h.amend.add(p)
	b := h.operator()
	r := b.Submit("/operator/charter", "/operator/charter/proposals/"+p.Digest+"/sign", url.Values{})
	if r.Code != http.StatusSeeOther || r.Header.Get("Location") != "/operator/charter?done=in-force" {
		t.Fatalf("sign: %d %s\n%s", r.Code, r.Header.Get("Location"), r.Body)
	}
	if _, signed := h.amend.calls(); len(signed) != 1 || signed[0] != p.Digest {
		t.Errorf("SignProposal calls = %v", signed)
	}
	page := b.Get(r.Header.Get("Location"))
	if !strings.Contains(page.Body, "It has the signatures it needs") {
		t.Error("no notice after signing")
	}
	if strings.Contains(page.Body, "/sign\"") || !strings.Contains(page.Body, "this node signed") {
		t.Error("the sign button is still offered after this node signed")
	}

	// A refusal is shown at the amendment; an unknown one is 404.
	h.amend.setErrs(nil, fmt.Errorf("%w: charter.previous: does not match", federation.ErrVersion))
	h.amend.mu.Lock()
	h.amend.proposals[0].Signers = nil
	h.amend.mu.Unlock()
	r = b.Submit("/operator/charter", "/operator/charter/proposals/"+p.Digest+"/sign", url.Values{})
	webtest.WantStatus(t, r, http.StatusConflict)
	if !strings.Contains(r.Body, "This amendment does not follow the current charter version") {
		t.Errorf("the refusal is not shown:\n%s", r.Body)
	}
	webtest.WantStatus(t, b.Submit("/operator/charter", "/operator/charter/proposals/"+strings.Repeat("0", 64)+"/sign", url.Values{}), http.StatusNotFound)
}

func TestProposeAmendment(t *testing.T) {
	h := newHarness(t)
	b := h.operator()
	cases := []struct {
		name, text string
		err        error
		want       string
	}{
		{"empty", "  ", nil, "Paste the signed charter document (JSON) of the amendment."},
		{"malformed", `{"charter": {`, nil, "This is not a valid signed charter: charter: unexpected EOF."},
		{"unknown field", `{"charter": {}, "signatures": [], "extra": 1}`, nil, "This is not a valid signed charter: charter: json: unknown field &#34;extra&#34;."},
		{"bad signature", `{"charter": {}, "signatures": []}`, fmt.Errorf("%w: signatures[0]: signature of x (Beta): does not verify", federation.ErrBadSignature),
			"A signature is not valid: signatures[0]: signature of x (Beta): does not verify."},
		{"version", `{"charter": {}, "signatures": []}`, fmt.Errorf("%w: charter.version: 7 does not follow the current version 2", federation.ErrVersion),
			"This amendment does not follow the current charter version: charter.version: 7 does not follow the current version 2."},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			h.amend.setErrs(c.err, nil)
			r := b.Submit("/operator/charter", "/operator/charter/proposals", url.Values{"charter": {c.text}})
			webtest.WantStatus(t, r, http.StatusUnprocessableEntity)
			if got := webtest.FieldError(r.Body, "charter"); got != c.want {
				t.Errorf("error next to the textarea = %q, want %q", got, c.want)
			}
			if !strings.Contains(r.Body, `aria-describedby="f-charter-hint f-charter-error" aria-invalid="true"`) {
				t.Error("the textarea is not marked invalid")
			}
		})
	}

	h.amend.setErrs(nil, nil)
	p, _ := amendment(t, h)
	r := b.Submit("/operator/charter", "/operator/charter/proposals", url.Values{"charter": {string(p.Charter.Marshal())}})
	if r.Code != http.StatusSeeOther || r.Header.Get("Location") != "/operator/charter?done=proposed" {
		t.Fatalf("propose: %d %s\n%s", r.Code, r.Header.Get("Location"), r.Body)
	}
	proposed, _ := h.amend.calls()
	if n := len(proposed); n == 0 || proposed[n-1].Charter.Digest() != p.Digest {
		t.Fatalf("Propose was not called with the document")
	}
	page := b.Get(r.Header.Get("Location"))
	if !strings.Contains(page.Body, "Amendment proposed.") || !strings.Contains(page.Body, web.ShortID(p.Digest)) {
		t.Error("the charter page does not confirm or list the proposal")
	}
	// With the box checked (as it is by default) the node signs it too.
	if h.amend.selfProposed != 0 {
		t.Fatal("an unchecked box signed the proposal")
	}
	draft, _ := amendment(t, h)
	draft.Charter.Signatures = nil
	r = b.Submit("/operator/charter", "/operator/charter/proposals", url.Values{"charter": {string(draft.Charter.Marshal())}, "sign": {"1"}})
	if r.Code != http.StatusSeeOther || h.amend.selfProposed != 1 {
		t.Fatalf("propose and sign: %d, %d signed by this node", r.Code, h.amend.selfProposed)
	}
}

func TestAmendmentFormsNeedCSRFToken(t *testing.T) {
	h := newHarness(t)
	p, _ := amendment(t, h)
	h.amend.add(p)
	b := h.operator()
	webtest.WantStatus(t, b.Post("/operator/charter/proposals", url.Values{"charter": {string(p.Charter.Marshal())}}), http.StatusForbidden)
	webtest.WantStatus(t, b.Post("/operator/charter/proposals/"+p.Digest+"/sign", url.Values{"csrf": {"forged"}}), http.StatusForbidden)
	if proposed, signed := h.amend.calls(); len(proposed)+len(signed) != 0 {
		t.Errorf("a refused form reached the federation: %d proposed, %d signed", len(proposed), len(signed))
	}
	// A merchant's session, with its own valid token, is not the operator's.
	m := h.browser()
	m.SignInMerchant(h.Token)
	r := m.Submit("/merchant", "/operator/charter/proposals/"+p.Digest+"/sign", url.Values{})
	if r.Code != http.StatusSeeOther || r.Header.Get("Location") != "/operator/signin" {
		t.Errorf("a merchant's sign: %d %s", r.Code, r.Header.Get("Location"))
	}
}

func TestCharterChanges(t *testing.T) {
	h := newHarness(t)
	cur, _ := h.Fed.Charter()
	gamma := webtest.NewPeerID(t).String()
	cases := []struct {
		name   string
		change func(c *federation.Charter)
		want   []charterChange
	}{
		{"nothing", func(c *federation.Charter) {}, nil},
		{"name, currency and period", func(c *federation.Charter) {
			c.Name, c.Currency, c.Period = "New Fed", "USD", federation.Duration(48*3600e9)
		}, []charterChange{{"Name", "Test Federation", "New Fed"}, {"Settlement currency", "EUR", "USD"}, {"Settlement period", "1 day", "2 days"}}},
		{"policy", func(c *federation.Charter) {
			c.Policy.FederationFeeBPS, c.Policy.PayableOn = 75, federation.PayableOnAccepted
			c.Policy.Overrides = []federation.Override{{CategoryPrefix: "Books", StorefrontCommissionBPS: 100, FederationFeeBPS: 10}}
		}, []charterChange{{"Federation fee", "50 bps (0.50%)", "75 bps (0.75%)"}, {"Sales payable when", "delivered", "accepted"},
			{"Category override Books", "", "commission 100 bps (1.00%), fee 10 bps (0.10%)"}}},
		{"members", func(c *federation.Charter) {
			c.Members = []federation.Member{c.Members[0], {PeerID: gamma, Name: "Gamma", Status: federation.StatusSuspended}}
		}, []charterChange{{"Member added, suspended", "", "Gamma (" + web.ShortID(gamma) + ")"},
			{"Member removed", "Beta Bazaar (" + web.ShortID(h.Other.ID.String()) + ")", ""}}},
		{"renamed", func(c *federation.Charter) {
			c.Members[1].Name = "Beta 2"
		}, []charterChange{{"Member renamed", "Beta Bazaar (" + web.ShortID(h.Other.ID.String()) + ")", "Beta 2"}}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			next := cur.Charter
			next.Members = append([]federation.Member(nil), cur.Charter.Members...)
			c.change(&next)
			got := charterChanges(&cur.Charter, &next)
			if fmt.Sprint(got) != fmt.Sprint(c.want) {
				t.Errorf("changes =\n%v\nwant\n%v", got, c.want)
			}
		})
	}
	suspended := cur.Charter
	suspended.Members = append([]federation.Member(nil), cur.Charter.Members...)
	suspended.Members[1].Status = federation.StatusSuspended
	back := charterChanges(&suspended, &cur.Charter)
	if len(back) != 1 || back[0].Label != "Member reactivated" {
		t.Errorf("reactivation = %v", back)
	}
}

// A pending amendment that raises the protocol level names the members
// whose build does not speak it, or is not known to: signing it would
// leave them behind.
func TestPendingAmendmentNamesBuildsBehindItsLevel(t *testing.T) {
	h := newHarness(t)
	p, _ := amendment(t, h) // suspends Beta Bazaar, adds Gamma Goods
	p.Charter.Charter.Members[1].Status = federation.StatusActive
	p.Charter.Charter.SetLevel(2)
	p.Digest = p.Charter.Charter.Digest()
	h.amend.add(p)
	h.Fed.Edit(func(_ **federation.SignedCharter, states *[]federation.MemberState) { (*states)[0].Protocol = 1 })
	r := h.operator().Get("/operator/charter")
	webtest.WantStatus(t, r, http.StatusOK)
	if !strings.Contains(webtest.UnescapeHTML(r.Body), "This version raises the protocol level to 2, which these members' builds do not speak, or are not known to: Beta Bazaar (up to level 1), Gamma Goods (not connected).") {
		t.Error("the amendment does not name the builds it would leave behind")
	}
	if !strings.Contains(r.Body, `<span class="change-label">Protocol level</span>: <del>1</del> → <ins>2</ins>`) {
		t.Error("the change of level is not listed")
	}

	h.Fed.Edit(func(_ **federation.SignedCharter, states *[]federation.MemberState) { (*states)[0].Protocol = 2 })
	if r := h.operator().Get("/operator/charter"); !strings.Contains(r.Body, "(not connected)") || strings.Contains(r.Body, "Beta Bazaar (up to level") {
		t.Error("a member whose build speaks the level is still named")
	}
}
