package dashboard

import (
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/fedmart/fedmart/federation"
	"github.com/fedmart/fedmart/node/web"
)

// Charter amendments: another version of the charter, proposed by any
// member as a signed document (what `fedmart charter amend` and `charter
// sign` write), gathers the signatures of the current version's active
// members and takes force once more than two thirds have signed. The
// charter page lists the pending ones with what each changes, and lets
// the operator sign one with this node's key or propose another.

// proposalView is one pending amendment on the charter page.
type proposalView struct {
	Version       uint64
	Digest        string
	ShortDigest   string
	ReceivedAt    time.Time
	OutOfSequence bool // it does not follow the current version
	Changes       []charterChange
	Signers       []string // names of the voters who signed
	Waiting       []string // names of the voters who have not
	Signed        int
	Needed        int
	Voters        int
	SelfSigned    bool // this node signed it
	SelfVoter     bool // this node's signature counts
	SignURL       string
	Error         string // why signing it just failed
	// LevelGaps, for an amendment that raises the protocol level, names
	// its active members whose build does not speak the new level, or is
	// not known to.
	LevelGaps string
	Level     int // the protocol level it sets
}

// charterNotices are the confirmations the charter page shows after a
// redirect, by its "done" parameter.
var charterNotices = map[string]string{
	"proposed": "Amendment proposed. It is sent to every member and takes force once enough of them have signed it.",
	"signed":   "Amendment signed with this node's key.",
	"in-force": "Amendment signed with this node's key. It has the signatures it needs and takes force.",
}

// charterInput names the propose form's textarea.
const charterInput = "charter"

// proposalViews builds the pending amendments of cur for the page; self
// is this node's peer ID, speaks the level each member's build speaks.
func proposalViews(cur *federation.Charter, list []federation.Proposal, self string, speaks map[string]int) []proposalView {
	names := memberNames(cur)
	var out []proposalView
	for _, p := range list {
		if p.Charter == nil {
			continue
		}
		next := &p.Charter.Charter
		v := proposalView{Version: next.Version, Digest: p.Digest, ShortDigest: web.ShortID(p.Digest), ReceivedAt: p.ReceivedAt,
			OutOfSequence: next.Version != cur.Version+1 || next.Previous != cur.Digest(),
			Changes:       charterChanges(cur, next), Signed: len(p.Signers), Needed: p.Needed, Voters: len(p.Voters),
			SelfSigned: slices.Contains(p.Signers, self), SelfVoter: slices.Contains(p.Voters, self),
			SignURL: "/operator/charter/proposals/" + url.PathEscape(p.Digest) + "/sign"}
		if v.Level = next.Level(); v.Level > cur.Level() {
			behind, unknown := levelGaps(v.Level, next.ActiveMembers(), speaks)
			for _, name := range unknown {
				behind = append(behind, name+" (not connected)")
			}
			if len(behind) > 0 {
				v.LevelGaps = strings.Join(behind, ", ")
			}
		}
		for _, id := range p.Voters {
			if slices.Contains(p.Signers, id) {
				v.Signers = append(v.Signers, web.PlatformName(names, id))
			} else {
				v.Waiting = append(v.Waiting, web.PlatformName(names, id))
			}
		}
		out = append(out, v)
	}
	return out
}

// operatorCharter shows the current charter, the pending amendments and
// the form that proposes one: GET /operator/charter.
func (d *Dashboard) operatorCharter(w http.ResponseWriter, r *http.Request, sess *web.Session) {
	f := web.NewForm()
	f.Set("sign", "1") // signing with this node's key is the common case
	d.charterPage(w, r, sess, http.StatusOK, f, nil)
}

// charterPage renders the charter page with status, the propose form f
// and, by proposal digest, why signing failed.
func (d *Dashboard) charterPage(w http.ResponseWriter, r *http.Request, sess *web.Session, status int, f *web.Form, signErrs map[string]string) {
	sc, err := d.deps.Federation.Charter()
	if err != nil && !errors.Is(err, federation.ErrNoCharter) {
		d.site.Fail(w, r, err)
		return
	}
	var v *charterView
	if sc != nil {
		self := d.deps.Merchants.Platform()
		v = charterViewOf(sc, self)
		v.Proposals = proposalViews(&sc.Charter, d.deps.Amendments.Proposals(), self, d.speaks())
		for i := range v.Proposals {
			v.Proposals[i].Error = signErrs[v.Proposals[i].Digest]
		}
		v.Propose = f
	}
	p := d.dashboardPage(sess, "Charter", "/operator/charter", v)
	p.Styles, p.Scripts = []string{"dashboard.css"}, []string{"operator.js"}
	if status == http.StatusOK {
		p.Notice = charterNotices[r.URL.Query().Get("done")]
	}
	d.pages.Render(w, r, status, "operator_charter", p)
}

// proposeAmendment checks a pasted charter document and proposes it,
// signed with this node's key first when the operator asks (the box is
// checked by default): POST /operator/charter/proposals. Problems are
// shown next to the textarea.
func (d *Dashboard) proposeAmendment(w http.ResponseWriter, r *http.Request, sess *web.Session) {
	f := web.NewForm()
	text := strings.TrimSpace(r.PostForm.Get(charterInput))
	f.Set(charterInput, text)
	f.Set("sign", r.PostForm.Get("sign"))
	if text == "" {
		f.Add(charterInput, "Paste the signed charter document (JSON) of the amendment.")
		d.charterPage(w, r, sess, http.StatusUnprocessableEntity, f, nil)
		return
	}
	sc, err := federation.ParseSignedCharter([]byte(text))
	switch {
	case err == nil && r.PostForm.Get("sign") != "":
		_, err = d.deps.Amendments.ProposeSigned(r.Context(), sc)
	case err == nil:
		_, err = d.deps.Amendments.Propose(r.Context(), sc)
	}
	if msg, ok := amendmentProblem(err); ok {
		f.Add(charterInput, msg)
		d.charterPage(w, r, sess, http.StatusUnprocessableEntity, f, nil)
		return
	}
	if err != nil {
		d.site.Fail(w, r, err)
		return
	}
	web.SeeOther(w, r, "/operator/charter?done=proposed")
}

// signAmendment signs a pending amendment with this node's key: POST
// /operator/charter/proposals/{digest}/sign.
func (d *Dashboard) signAmendment(w http.ResponseWriter, r *http.Request, sess *web.Session) {
	digest := r.PathValue("digest")
	if !slices.ContainsFunc(d.deps.Amendments.Proposals(), func(p federation.Proposal) bool { return p.Digest == digest }) {
		d.site.Status(w, r, http.StatusNotFound, "No such amendment",
			"This amendment is no longer pending: it may have taken force or been replaced. Go back to the charter page and reload it.")
		return
	}
	p, err := d.deps.Amendments.SignProposal(r.Context(), digest)
	if msg, ok := amendmentProblem(err); ok {
		d.charterPage(w, r, sess, http.StatusConflict, web.NewForm(), map[string]string{digest: msg})
		return
	}
	if err != nil {
		d.site.Fail(w, r, err)
		return
	}
	done := "signed"
	if p.Needed > 0 && len(p.Signers) >= p.Needed {
		done = "in-force"
	}
	web.SeeOther(w, r, "/operator/charter?done="+done)
}

// amendmentProblems are the federation's refusals of an amendment that
// are the document's fault, with what the page says of each; the first
// that matches wins.
var amendmentProblems = []struct {
	err    error
	prefix string
}{
	{federation.ErrVersion, "This amendment does not follow the current charter version"},
	{federation.ErrBadSignature, "A signature is not valid"},
	{federation.ErrForeignSigner, "A signature is not valid"},
	{federation.ErrTooFewSignatures, "The document lacks signatures"},
	{federation.ErrNotMember, "Only members may propose or sign amendments"},
	{federation.ErrInvalid, "This is not a valid signed charter"},
}

// amendmentProblem turns the federation's refusal of an amendment into a
// sentence for the page; ok is false for errors that are not the
// document's fault (nil included).
func amendmentProblem(err error) (msg string, ok bool) {
	if errors.Is(err, federation.ErrNoCharter) {
		return "This node holds no charter yet, so there is nothing to amend.", true
	}
	for _, p := range amendmentProblems {
		if errors.Is(err, p.err) {
			detail := strings.TrimPrefix(err.Error(), p.err.Error()+": ")
			return p.prefix + ": " + strings.TrimSuffix(detail, ".") + ".", true
		}
	}
	return "", false
}
