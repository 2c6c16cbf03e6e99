package order

import (
	"slices"
	"strconv"

	badger "github.com/dgraph-io/badger/v4"
)

// Notifier is told, inside the transaction that commits it, of a change
// a shopper or a merchant may be e-mailed about, so that the message is
// queued if and only if the change commits. The node adapts its mail
// queue to it; a nil Notifier sends nothing. An error aborts the change:
// return one only when the queue cannot be written.
type Notifier interface {
	Notify(txn *badger.Txn, n Notice) error
}

// Kinds of Notice.
const (
	// NoticeOrderPlaced: a shopper's order was placed on this storefront
	// (Order, Shopper).
	NoticeOrderPlaced = "order.placed"
	// NoticePartChanged: a home node's status changed a part of a
	// shopper's order on this storefront (Order, Part, Shopper); Part.Status
	// says how.
	NoticePartChanged = "order.part.changed"
	// NoticeHomePart: a part this node is home of changed (Home);
	// Home.Status says how.
	NoticeHomePart = "home.part.changed"
	// NoticeNoteToShopper: the merchant of a part of a shopper's order on
	// this storefront wrote to the shopper (Order, Part, Shopper, Note).
	NoticeNoteToShopper = "order.note.shopper"
	// NoticeNoteToMerchant: the shopper of a part this node is home of
	// wrote to its merchant (Home, Note).
	NoticeNoteToMerchant = "home.note.merchant"
	// NoticeIssueDue: a deadline of an issue on a part this node is home
	// of falls within Config.IssueDueWarning, and the merchant has yet to
	// meet it (Home, Issue, Due: DueRespond or DueResolve). Its ID names
	// the issue and the deadline.
	NoticeIssueDue = "home.issue.due"
)

// Notice is one change to tell someone about.
type Notice struct {
	// ID identifies the event: the same change notified again (a status
	// received twice, replayed after a restore) has the same ID.
	ID   string
	Kind string
	// Order, Part and Shopper are the storefront's: the order after the
	// change, the part that changed, and the shopper who placed it.
	Order   *Order
	Part    *Part
	Shopper Shopper
	// Home is the home node's part after the change.
	Home *HomePart
	// Issue, when set, is the issue whose step the change was, when the
	// step moved no money: the part's status is as it was, and only the
	// issue moved. (A step that pays a refund leaves it unset: the
	// change is a refund like any other.) On NoticeIssueDue, the issue
	// whose deadline is close.
	Issue *Issue
	// Note is the message written, on the note notices.
	Note *ChatMessage
	// Due is the deadline a NoticeIssueDue is about.
	Due string
}

// noticeOrder tells the notifier of order o placed, in txn.
func (s *Service) noticeOrder(txn *badger.Txn, o *Order) error {
	if s.notify == nil {
		return nil
	}
	sh, err := shopperIn(txn, o.Shopper)
	if err != nil {
		return err
	}
	return s.notify.Notify(txn, Notice{ID: "order/" + o.ID, Kind: NoticeOrderPlaced, Order: o, Shopper: sh})
}

// noticePart tells the notifier of part p of order o changed by the home
// node's status p.Seq, in txn.
func (s *Service) noticePart(txn *badger.Txn, o *Order, p *Part) error {
	if s.notify == nil {
		return nil
	}
	sh, err := shopperIn(txn, o.Shopper)
	if err != nil {
		return err
	}
	var stated *Issue
	refunded := slices.ContainsFunc(p.Refunds, func(r Refund) bool { return r.Seq == p.Seq })
	for k := range p.Issues {
		if p.Issues[k].Seq == p.Seq && p.Seq != 0 && !refunded {
			cp := cloneIssue(p.Issues[k])
			stated = &cp
		}
	}
	return s.notify.Notify(txn, Notice{ID: "part/" + p.ID + "/" + strconv.FormatUint(p.Seq, 10), Kind: NoticePartChanged, Order: o, Part: p, Shopper: sh, Issue: stated})
}

// noticeHome tells the notifier of home part p committed at p.Seq, in txn.
func (s *Service) noticeHome(txn *badger.Txn, p *HomePart) error {
	if s.notify == nil {
		return nil
	}
	return s.notify.Notify(txn, Notice{ID: "home/" + p.ID + "/" + strconv.FormatUint(p.Seq, 10), Kind: NoticeHomePart, Home: p, Issue: issueStep(p)})
}

// shopperIn reads a shopper in txn; one that is gone is a zero Shopper
// (the notifier mails no one).
func shopperIn(txn *badger.Txn, id string) (Shopper, error) {
	var sh Shopper
	_, err := getJSON(txn, prefixShopper+id, &sh)
	return sh, err
}

// issueStep is the issue p's current status states, when it states no
// refund.
func issueStep(p *HomePart) *Issue {
	if p.stated() != nil {
		return nil
	}
	return p.statedIssue()
}
