package mail

// Letters of an issue (a complaint about a part). Every one is a
// notification (see IsNotification) but the one telling the shopper of
// money refunded by the issue, which is transactional.
const (
	// KindIssueUpdate tells a shopper what became of their issue (data:
	// IssueLetter; Event: opened with its deadlines, info_asked, offered,
	// refused, resolved without money, escalated, decided without money).
	KindIssueUpdate = "issue_update"
	// KindIssueRefund tells a shopper their issue was resolved or decided
	// with a refund, and how much goes back (data: IssueLetter; Event
	// resolved or decided, Refund set).
	KindIssueRefund = "issue_refund"
	// KindMerchantIssue tells a merchant of a step of an issue on one of
	// its parts (data: IssueLetter; Event: opened with its deadlines,
	// replied with Action info, accept or reject, escalated, decided).
	KindMerchantIssue = "merchant_issue"
	// KindIssueDue reminds a merchant that a deadline of an issue is
	// close (data: IssueLetter; Due respond or resolve, Deadline).
	KindIssueDue = "issue_due"
)

// Events of an issue letter (IssueLetter.Event).
const (
	IssueOpened    = "opened"
	IssueInfoAsked = "info_asked"
	IssueOffered   = "offered"
	IssueRefused   = "refused"
	IssueResolved  = "resolved"
	IssueEscalated = "escalated"
	IssueDecided   = "decided"
	IssueReplied   = "replied"
)

// IssueLetter is one step of an issue, as the shopper's or the merchant's
// letter shows it; amounts and times are written out.
type IssueLetter struct {
	// Store is the sending node's name; URL the page to follow or answer
	// the issue on (the shopper's order, the merchant's console).
	Store, URL string
	// To is the reader's name; Merchant the merchant's.
	To, Merchant string
	Order, Part  string
	// ID is the issue's id.
	ID string
	// Event is what happened (IssueOpened...); Action, on IssueReplied,
	// is the shopper's answer: info, accept or reject.
	Event, Action string
	// Category and Remedy are codes the letter puts in words; Amount is
	// the refund asked for ("" unsaid); Description the complaint.
	Category, Description, Remedy, Amount string
	// RespondBy and ResolveBy are the deadlines.
	RespondBy, ResolveBy string
	// Text is the step's words: the merchant's question, offer or
	// refusal, the shopper's answer, the escalation's reason, the
	// arbiter's decision.
	Text string
	// OfferRemedy and OfferAmount are the remedy offered, agreed or
	// decided ("" amount for none).
	OfferRemedy, OfferAmount string
	// Refund is what the issue gave back, "" for nothing.
	Refund string
	// ByHome is a refusal by the home node (the issue could not be
	// opened), not by the merchant.
	ByHome bool
	// Due is the deadline a reminder is about, respond or resolve, and
	// Deadline when it falls.
	Due, Deadline string
}

func (l IssueLetter) clean() IssueLetter {
	l.Store, l.URL, l.To, l.Merchant, l.Order, l.Part, l.ID = oneLine(l.Store), oneLine(l.URL), oneLine(l.To), oneLine(l.Merchant), oneLine(l.Order), oneLine(l.Part), oneLine(l.ID)
	l.Event, l.Action, l.Category, l.Remedy, l.Amount = oneLine(l.Event), oneLine(l.Action), oneLine(l.Category), oneLine(l.Remedy), oneLine(l.Amount)
	l.RespondBy, l.ResolveBy, l.OfferRemedy, l.OfferAmount, l.Refund = oneLine(l.RespondBy), oneLine(l.ResolveBy), oneLine(l.OfferRemedy), oneLine(l.OfferAmount), oneLine(l.Refund)
	l.Due, l.Deadline = oneLine(l.Due), oneLine(l.Deadline)
	return l
}
