package dashboard

import (
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/fedmart/fedmart/node/web"
	"github.com/fedmart/fedmart/settlement"
)

// nettingTimeout bounds gathering the other members' statements for the
// netting, so that an unreachable member cannot hold the page.
const nettingTimeout = 15 * time.Second

// periodView is what the period template shows.
type periodView struct {
	web.PeriodRow
	Open       bool
	Statements []statementView
	// Unsettled are the statements of an ended period that are not
	// agreed, listed first with what each waits for.
	Unsettled []statementView
	// Events is the event stream that follows the page; Version is the
	// digest of the period's status and statements, which the stream
	// compares.
	Events, Version string
	Netting         *nettingView // nil until the netting is known
	// NettingNote says why there is no netting yet.
	NettingNote string
	Interval    int // seconds between live updates
}

// statementView is this node's statement with one counterparty.
type statementView struct {
	Counterparty, CounterpartyID string
	Status, StatusText           string
	Count                        int
	Totals                       []totalView
	Digest, ShortDigest          string
	Signatures                   int
	Disputes                     []disputeView
	// Waiting says what an unsettled statement of an ended period waits
	// for ("waiting for Gamma's entries up to 07:07:00 UTC; Gamma
	// unreachable since 07:06:12 UTC"); "" otherwise.
	Waiting string
	// Anchor is the statement's element id on the page.
	Anchor string
}

// totalView is the sum of a statement's entries of one kind and
// direction.
type totalView struct {
	Kind     string // what the entries are
	From, To string // member names
	Amount   string
	Count    int
}

// disputeView is one entry the parties disagree on.
type disputeView struct {
	EntryID, Short string
	Reason         string
}

// nettingView is the netting of a period: each member's net position and
// the transfers that settle them.
type nettingView struct {
	Charts    web.NettingCharts
	Rows      []nettingRow
	Transfers []transferView
}

// nettingRow is one member's net position in the netting table.
type nettingRow struct {
	PeerID, Name string
	Net          string // signed amount with currency
	Standing     string // "is owed", "owes", "even"
	Class        string // "owed", "owes", "even"
	Self         bool
}

// transferView is one payment that settles the period: From pays To.
type transferView struct {
	From, To, Amount string
}

// entryKinds describe the kinds of ledger entries.
var entryKinds = map[string]string{
	settlement.EntrySale:      "Merchant shares of sales",
	settlement.EntryFee:       "Federation fees",
	settlement.EntryRefund:    "Merchant shares refunded",
	settlement.EntryFeeRefund: "Federation fees refunded",

	settlement.EntryPointsFunding:    "Loyalty points funded",
	settlement.EntryPointsReversal:   "Loyalty points funding given back",
	settlement.EntryPointsRedemption: "Loyalty points redeemed",
	settlement.EntryPointsReturn:     "Redeemed points refunds gave back",
}

// disputeReasons explain a dispute from this node's side.
var disputeReasons = map[string]string{
	settlement.DisputeMissingHere:    "Missing here: the counterparty holds this entry, this node does not.",
	settlement.DisputeMissingThere:   "Missing there: this node holds this entry, the counterparty does not.",
	settlement.DisputeContentDiffers: "Differs: both hold this entry, with different content.",
}

// periodViewOf reads one period's statements and, for a closed period,
// its netting.
func (d *Dashboard) periodViewOf(ctx context.Context, ps settlement.PeriodStatus) (periodView, error) {
	v := periodView{PeriodRow: d.site.PeriodRow(ps), Open: ps.Status == string(settlement.StatusOpen),
		Events:   "/operator/events?" + url.Values{"settlement": {"1"}, "period": {ps.Period}}.Encode(),
		Interval: int(d.opts.EventInterval.Seconds())}
	sts, err := d.deps.Settlement.Statements(ctx, ps.Period)
	if err != nil {
		return periodView{}, err
	}
	v.Version = periodVersion(v.PeriodRow, sts)
	names, self := d.site.PlatformNames(), d.deps.Merchants.Platform()
	for _, st := range sts {
		sv := statementViewOf(st, self, names)
		v.Statements = append(v.Statements, sv)
		if !v.Open && st.Status != settlement.StatusAgreed && st.Status != settlement.StatusOpen {
			v.Unsettled = append(v.Unsettled, sv)
		}
	}
	if v.Open {
		v.NettingNote = "The period is still open: entries may still be added, so there is nothing to net yet."
		return v, nil
	}
	nctx, cancel := context.WithTimeout(ctx, nettingTimeout)
	defer cancel()
	n, err := d.deps.Settlement.NettingReport(nctx, ps.Period)
	switch {
	case err == nil:
		v.Netting = nettingViewOf(n, self, names)
	case errors.Is(err, settlement.ErrNotAgreed), errors.Is(err, settlement.ErrConflict), errors.Is(err, settlement.ErrNotFound):
		v.NettingNote = "The netting is computed once every pair of members has agreed its statement of the period. Not all have yet."
	case errors.Is(err, context.DeadlineExceeded) && ctx.Err() == nil:
		v.NettingNote = "The other members' statements could not all be gathered in time; reload the page to try again."
	default:
		return periodView{}, err
	}
	return v, nil
}

// periodVersion is the version of a period's page: a digest of its
// status and of its statements (status, entries, signatures, disputes and
// what they wait for), as the event stream compares it.
func periodVersion(row web.PeriodRow, sts []settlement.Statement) string {
	return versionOf(struct {
		Row        web.PeriodRow
		Statements []settlement.Statement
	}{row, sts})
}

// statementViewOf names a statement's parties with the charter's names.
func statementViewOf(st settlement.Statement, self string, names map[string]string) statementView {
	cp := st.Parties[0]
	if cp == self {
		cp = st.Parties[1]
	}
	v := statementView{Counterparty: web.PlatformName(names, cp), CounterpartyID: cp,
		Status: string(st.Status), StatusText: web.SettlementStatusText(string(st.Status)), Count: st.Count,
		Digest: st.Digest, ShortDigest: web.ShortID(st.Digest), Signatures: len(st.Signatures), Waiting: st.Waiting,
		Anchor: "with-" + cp}
	for _, t := range st.Totals {
		kind := entryKinds[t.Kind]
		if kind == "" {
			kind = t.Kind
		}
		v.Totals = append(v.Totals, totalView{Kind: kind, From: web.PlatformName(names, t.From), To: web.PlatformName(names, t.To),
			Amount: web.FormatMoney(t.Amount.Amount, t.Amount.Currency), Count: t.Count})
	}
	for _, d := range st.Disputes {
		reason := disputeReasons[d.Reason]
		if reason == "" {
			reason = d.Reason
		}
		v.Disputes = append(v.Disputes, disputeView{EntryID: d.EntryID, Short: web.ShortID(d.EntryID), Reason: reason})
	}
	return v
}

// nettingViewOf builds the netting chart and tables.
func nettingViewOf(n settlement.Netting, self string, names map[string]string) *nettingView {
	v := &nettingView{}
	named := func(id, name string) string {
		if name != "" {
			return name
		}
		return web.PlatformName(names, id)
	}
	var chart []web.NettingPosition
	var desc []string
	for _, p := range n.Positions {
		name := named(p.PeerID, p.Name)
		names[p.PeerID] = name
		row := nettingRow{PeerID: p.PeerID, Name: name, Net: signedMoney(p.Net), Self: p.PeerID == self}
		switch {
		case p.Net.Amount > 0:
			row.Standing, row.Class = "is owed", "owed"
		case p.Net.Amount < 0:
			row.Standing, row.Class = "owes", "owes"
		default:
			row.Standing, row.Class = "even", "even"
		}
		v.Rows = append(v.Rows, row)
		chart = append(chart, web.NettingPosition{PeerID: p.PeerID, Name: name, Amount: row.Net, Net: p.Net.Amount})
		desc = append(desc, fmt.Sprintf("%s %s", name, standingText(row.Standing, p.Net)))
	}
	for _, t := range n.Transfers {
		v.Transfers = append(v.Transfers, transferView{From: web.PlatformName(names, t.From), To: web.PlatformName(names, t.To),
			Amount: web.FormatMoney(t.Amount.Amount, t.Amount.Currency)})
	}
	summary := "No member has a position in this period."
	if len(desc) > 0 {
		summary = "Net positions: " + strings.Join(desc, "; ") + "."
	}
	v.Charts = web.NewNettingCharts("netting-chart", "Net positions, period "+n.Period, summary, chart)
	return v
}

// standingText says what a position means: "is owed 12.00 EUR",
// "owes 12.00 EUR", "is even".
func standingText(standing string, m settlement.Money) string {
	if standing == "even" {
		return "is even"
	}
	return standing + " " + web.FormatMoney(web.AbsAmount(m.Amount), m.Currency)
}

// signedMoney writes an amount with its sign: "+12.00 EUR", "-3.50 EUR",
// "0.00 EUR".
func signedMoney(m settlement.Money) string {
	s := web.FormatMoney(m.Amount, m.Currency)
	if m.Amount > 0 {
		return "+" + s
	}
	return s
}

// nettingCSV sends a closed period's netting as CSV, for the platform's
// accounting: GET /operator/settlement/{period}/netting.csv. One row per
// member's position, then one per transfer; amounts in major units.
func (d *Dashboard) nettingCSV(w http.ResponseWriter, r *http.Request, _ *web.Session) {
	period := r.PathValue("period")
	ctx, cancel := context.WithTimeout(r.Context(), nettingTimeout)
	defer cancel()
	n, err := d.deps.Settlement.NettingReport(ctx, period)
	switch {
	case errors.Is(err, settlement.ErrNotFound), errors.Is(err, settlement.ErrInvalid):
		d.site.NotFound(w, r)
		return
	case errors.Is(err, settlement.ErrNotAgreed), errors.Is(err, settlement.ErrConflict):
		d.site.Status(w, r, http.StatusConflict, "No netting yet",
			"The netting is computed once every pair of members has agreed its statement of the period. Not all have yet.")
		return
	case err != nil:
		d.site.Fail(w, r, err)
		return
	}
	names := d.site.PlatformNames()
	named := func(id, name string) string {
		if name != "" {
			return name
		}
		return web.PlatformName(names, id)
	}
	rows := [][]string{{"row", "member", "member_peer_id", "pays_to", "pays_to_peer_id", "amount", "currency"}}
	for _, p := range n.Positions {
		rows = append(rows, []string{"position", named(p.PeerID, p.Name), p.PeerID, "", "", web.FormatAmount(p.Net.Amount, p.Net.Currency), p.Net.Currency})
	}
	for _, t := range n.Transfers {
		rows = append(rows, []string{"transfer", web.PlatformName(names, t.From), t.From, web.PlatformName(names, t.To), t.To,
			web.FormatAmount(t.Amount.Amount, t.Amount.Currency), t.Amount.Currency})
	}
	h := w.Header()
	h.Set("Content-Type", "text/csv; charset=utf-8")
	h.Set("Content-Disposition", fmt.Sprintf(`attachment; filename="netting-%s.csv"`, strings.NewReplacer(":", "", " ", "").Replace(period)))
	h.Set("Cache-Control", "no-store")
	cw := csv.NewWriter(w)
	for _, row := range rows {
		_ = cw.Write(csvSafe(row))
	}
	cw.Flush()
}

// csvSafe keeps a spreadsheet from reading a cell as a formula: member
// names come from other operators.
func csvSafe(row []string) []string {
	out := make([]string, len(row))
	for i, c := range row {
		if c != "" && strings.ContainsRune("=+-@\t\r", rune(c[0])) && !isNumber(c) {
			c = "'" + c
		}
		out[i] = c
	}
	return out
}

// isNumber reports whether s is a plain signed decimal, such as "-75.60".
func isNumber(s string) bool {
	_, err := strconv.ParseFloat(s, 64)
	return err == nil && !strings.ContainsAny(s, "eEinfINFxX")
}
