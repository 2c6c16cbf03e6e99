package order

import (
	"fmt"
	"strings"
	"sync"
	"time"

	badger "github.com/dgraph-io/badger/v4"
	"github.com/fedmart/fedmart/internal/groupsync"
)

// Order is a shopper's order on this storefront: one payment, one part
// per merchant, each part followed by its home node's statuses.
type Order struct {
	ID      string `json:"order_id"`
	Shopper string `json:"shopper"`
	Status  string `json:"status"`
	// Total is what the shopper pays: items and shipping, less the
	// storefront's coupon.
	Total Money `json:"total"`
	// Coupon is the storefront's code the order used, and CouponDiscount
	// what it took off; the storefront funds it, the parts' totals (what
	// the homes are paid) do not change.
	Coupon         string `json:"coupon,omitempty"`
	CouponDiscount Money  `json:"coupon_discount,omitzero"`
	// Shipping is the part of Total paid for shipping.
	Shipping Money   `json:"shipping,omitzero"`
	Parts    []Part  `json:"parts"`
	ShipTo   Address `json:"shipping_address"`
	Payment  Payment `json:"payment"`
	// Points is what loyalty points paid of Total, when the shopper
	// spent some (points_hold.go); the payment took the rest.
	Points    *OrderPoints `json:"points,omitempty"`
	CreatedAt time.Time    `json:"created_at"`
	UpdatedAt time.Time    `json:"updated_at"`
}

// partOf returns the order's part id, or nil.
func (o *Order) partOf(id string) *Part {
	for i := range o.Parts {
		if o.Parts[i].ID == id {
			return &o.Parts[i]
		}
	}
	return nil
}

// orderOfPart is the order id in a part id ("<order>-<n>").
func orderOfPart(part string) string {
	if i := strings.LastIndexByte(part, '-'); i > 0 {
		return part[:i]
	}
	return part
}

func loadOrder(txn *badger.Txn, id string) (*Order, error) {
	var o Order
	ok, err := getJSON(txn, prefixOrder+id, &o)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, fmt.Errorf("%w: order %s", ErrNotFound, id)
	}
	return &o, refold(txn, &o)
}

// refold gives the parts of an order stored before parts kept their seq
// the state of their highest status, from the message log: such a part
// reads seq 0, which would let any older status overwrite its state.
func refold(txn *badger.Txn, o *Order) error {
	for i := range o.Parts {
		p := &o.Parts[i]
		if p.Seq != 0 || p.Status == StatusReserved {
			continue
		}
		var msgs []*Message
		for _, k := range keys(txn, prefixMessages+p.ID+"/", "", 0) {
			raw, err := getRaw(txn, k)
			if err != nil {
				return err
			}
			if m, err := DecodeMessage(raw); err == nil && m.From == p.Platform {
				msgs = append(msgs, m)
			}
		}
		*p = Fold(*p, msgs)
	}
	return nil
}

// receiveStatus applies a status message a home node sent this node and
// acknowledges it, once synced: the home forgets what was acknowledged.
func (s *Service) receiveStatus(m *Message, raw []byte) ([]byte, error) {
	answer, changed, before, err := s.takeStatus(m, raw, true, "")
	if before && err == nil && s.taken.durable(m.From, m.ID, s.durable) {
		// The copy of a status taken from an answer, and a flush since has
		// made that commit durable: nothing needs one now.
		s.durable.End(false)
		return answer, nil
	}
	// After the order's lock, so that its other statuses commit meanwhile
	// and share the flush. A copy answered before syncs too: its first
	// copy may have committed and not yet synced.
	if err := s.syncedShop(changed, err); err != nil {
		return nil, err
	}
	return answer, nil
}

// takeAnswer applies a status that answered a request of this node's
// own (a confirm, a cancel), without a sync of its own. Nothing is
// acknowledged to anyone. sent, when set, is the outbox key of the
// request answered: it leaves the outbox in the same commit, which
// takeAnswer reports (a status taken before commits nothing, and leaves
// the key to its caller). Badger's log replays a prefix of its commits,
// so a crash loses the status and the removal together, and the request
// is sent again and answered with the same status. A checkout storm
// makes two of these per checkout; each would otherwise wait for a
// flush.
//
// The home sends a copy of the status through its outbox all the same
// (see commitHome), and its copy is acknowledged only once durable. So
// that a copy that comes after a flush has made this commit durable
// costs no flush, the commit's mark is kept for it (takenMarks).
func (s *Service) takeAnswer(m *Message, raw []byte, sent string) (removed bool, err error) {
	_, changed, before, err := s.takeStatus(m, raw, false, sent)
	if err != nil {
		return false, err
	}
	if !before { // one taken before has had its copy, or has its mark
		s.taken.put(m.From, m.ID, s.durable.Mark())
	}
	s.afterShop(changed)
	return !before && sent != "", nil
}

// takenMarks are the flush marks (groupsync.Group.Mark) of statuses
// taken from answers, by sender and message id, taken once each status's
// commit had returned: its copy is durable already when a flush begun
// after the mark has succeeded. A copy takes its mark away. The marks
// are memory only, at most maxTakenMarks: a copy whose mark is gone
// (a restart, or more statuses waiting for copies than that) syncs, as
// every copy did before.
type takenMarks struct {
	mu    sync.Mutex
	marks map[string]uint64
}

const maxTakenMarks = 1 << 16

func (t *takenMarks) put(from, id string, mark uint64) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.marks == nil || len(t.marks) >= maxTakenMarks {
		t.marks = map[string]uint64{}
	}
	t.marks[from+"/"+id] = mark
}

// durable takes the mark of status id from member from, and reports
// whether g has made its commit durable.
func (t *takenMarks) durable(from, id string, g *groupsync.Group) bool {
	t.mu.Lock()
	mark, ok := t.marks[from+"/"+id]
	delete(t.marks, from+"/"+id)
	t.mu.Unlock()
	return ok && g.Durable(mark)
}

// takeStatus folds status m into its order under the order's lock,
// committed and not synced, unless it was taken before. It returns the
// answer to give, the part when the status was news, and whether it was
// taken before (the answer then is the one it got, and nothing was
// committed). A status folded removes outbox key sent (when set) in its
// commit. With sync, the
// caller will sync the commit: it is begun once the lock is held (a
// commit begun while it waits for the lock would hold up every flush,
// and the lock's holder may itself be waiting for one), and the caller
// ends it.
func (s *Service) takeStatus(m *Message, raw []byte, sync bool, sent string) (answer []byte, changed *Part, before bool, err error) {
	unlock := s.lockShop(orderOfPart(m.Part))
	defer unlock()
	if sync {
		s.durable.Begin()
	}
	if answer, err := s.answered(m); answer != nil || err != nil {
		return answer, nil, answer != nil, err
	}
	if changed, err = s.foldStatus(m, raw, sent); err != nil {
		return nil, nil, false, err
	}
	return mustJSON(Reply{Ack: true}), changed, false, nil
}

// applyStatusTxn folds status m into its order in txn, logs it, marks it
// answered, books it for settlement, queues the webhook and owes the
// shopper a refund when the part ended unpaid-for. Settlement gets every
// status, in whatever order they come (its fold does not mind); the order
// takes a status only when it is newer than what it holds. It returns the
// part when the status was news.
func (s *Service) applyStatusTxn(txn *badger.Txn, m *Message, raw []byte) (*Part, error) {
	o, err := loadOrder(txn, orderOfPart(m.Part))
	if err != nil {
		return nil, err
	}
	return s.applyStatusTo(txn, o, m, raw)
}

// applyStatusTo is applyStatusTxn for a caller that loaded the order, o,
// in txn.
func (s *Service) applyStatusTo(txn *badger.Txn, o *Order, m *Message, raw []byte) (*Part, error) {
	p := o.partOf(m.Part)
	switch {
	case p == nil: // an order rebuilt in part after a restore: the rest may come
		return nil, fmt.Errorf("%w: part %s of order %s", ErrNotFound, m.Part, o.ID)
	case p.Platform != m.From:
		return nil, fmt.Errorf("%w: %s states the status of part %s, which it is not home of", ErrForged, shortPeer(m.From), m.Part)
	}
	if err := p.consistent(m.Status); err != nil {
		return nil, fmt.Errorf("%w: %s: %v", ErrForged, shortPeer(m.From), err)
	}
	if err := s.remember(txn, m, raw, mustJSON(Reply{Ack: true})); err != nil {
		return nil, err
	}
	if m.From != s.self { // the home role booked the node's own parts
		if err := s.book(txn, PartEvent{Part: p.ID, Storefront: s.self, Home: m.From, Status: m.Status, At: m.At}); err != nil {
			return nil, err
		}
		if err := s.shopPoints(txn, m); err != nil {
			return nil, err
		}
	}
	before := p.Status
	st := m.Status
	added := st.Refund != nil && !hasRefund(p.Refunds, st.Refund.ID)
	returned := newerReturn(p.Returns, st.Return)
	issued := newerIssue(p.Issues, st.Issue)
	// The storefront said an issue it opened was opened when it sent it.
	toldOpened := st.Issue != nil && issueOf(p.Issues, st.Issue.ID) != nil && issueEvent(st.Issue) == "order.issue.opened"
	newer := p.apply(m)
	if err := s.noteRecord(txn, p, m); err != nil {
		return nil, err
	}
	if !newer && !added && !returned && !issued {
		return nil, nil
	}
	o.Status, o.UpdatedAt = orderStatus(o.Parts), s.now().UTC()
	if err := putJSON(txn, prefixOrder+o.ID, o); err != nil {
		return nil, err
	}
	if err := s.oweRefund(txn, o, p, st, before, added, newer); err != nil {
		return nil, err
	}
	if err := s.noticePart(txn, o, p); err != nil {
		return nil, err
	}
	cp := *p
	if returned {
		if err := s.emitEvent(txn, "order.return."+st.Return.State, map[string]any{"order": o.ID, "part": cp, "return": st.Return}); err != nil {
			return nil, err
		}
	}
	if issued && p.Platform != s.self { // the home sent its own copy of the case
		if err := s.caseOnEscalation(txn, p.ID, st.Issue); err != nil {
			return nil, err
		}
	}
	if issued && !toldOpened {
		if err := s.emitEvent(txn, issueEvent(st.Issue), map[string]any{"order": o.ID, "part": cp, "issue": st.Issue}); err != nil {
			return nil, err
		}
	}
	if (st.Return != nil || st.Issue != nil) && st.Refund == nil { // a step of a return or an issue: its own event says it
		return &cp, nil
	}
	return &cp, s.emitEvent(txn, partEvent(p.Status, st.Refund), map[string]any{"order": o.ID, "part": cp})
}

// partEvent names the webhook of a part's status: "order.part.<status>",
// or, for a refund or cancellation of some of a part that goes on,
// "order.part.partially_refunded" or "order.part.partially_cancelled".
func partEvent(status string, r *Refund) string {
	switch {
	case r == nil || final(status):
		return "order.part." + status
	case r.Kind == RefundKindCancel:
		return "order.part.partially_cancelled"
	}
	return "order.part.partially_refunded"
}

// oweRefund records the money a status owes the shopper: the refund it
// states, once, when it states one (added: p did not hold it yet);
// otherwise, for a part that ended with it, what was not given back
// before (rejected: the total; cancelled: all but the refunds before it;
// refunded, as a home stated before refunds had ids: what it refunded).
func (s *Service) oweRefund(txn *badger.Txn, o *Order, p *Part, st *Status, before string, added, newer bool) error {
	if st.Refund != nil {
		if !added || st.Refund.Amount.Amount == 0 {
			return nil
		}
		t := refundTask{Order: o.ID, Part: p.ID, Refund: st.Refund.ID, Amount: st.Refund.Amount}
		return putJSON(txn, t.key(), t)
	}
	if !newer || final(before) {
		return nil
	}
	t := refundTask{Order: o.ID, Part: p.ID}
	switch p.Status {
	case StatusRejected:
		t.Amount = p.Total
	case StatusCancelled:
		t.Amount = Money{Amount: p.Total.Amount - st.Refunded.Amount, Currency: p.Total.Currency}
	case StatusRefunded:
		t.Amount = Money{Amount: st.Refunded.Amount, Currency: p.Total.Currency}
	default:
		return nil
	}
	return putJSON(txn, t.key(), t)
}

// syncedShop ends the commit of a status this storefront folded, begun
// with s.durable.begin, whose error is err: once it is synced it tells
// the webhook sender and settlement about it (afterShop).
func (s *Service) syncedShop(p *Part, err error) error {
	if err := s.synced(err); err != nil {
		return err
	}
	s.afterShop(p)
	return nil
}

// afterShop tells the webhook sender and settlement about a status
// applied on this storefront.
func (s *Service) afterShop(p *Part) {
	s.notifyBooks()
	if p != nil {
		s.notifyEmitter()
	}
}
