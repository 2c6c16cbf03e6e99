package order

import (
	"context"
	"fmt"
	"net/url"
	"slices"
	"time"

	"github.com/fedmart/fedmart/catalog"
)

// States of a Return.
const (
	// ReturnRequested: the shopper asked, the merchant has not answered.
	ReturnRequested = "requested"
	// ReturnApproved: the merchant said how to send the units back.
	ReturnApproved = "approved"
	// ReturnRefused: the home node (outside the terms) or the merchant
	// said no, with a reason.
	ReturnRefused = "refused"
	// ReturnReceived: the merchant has the units back; the refund of
	// them is stated by the same status.
	ReturnReceived = "received"
)

// Reasons a shopper may give for a return.
var ReturnReasons = []string{"damaged", "wrong_item", "not_as_described", "no_longer_needed", "other"}

// Who took a step of a return.
const (
	ByShopper  = "shopper"
	ByHome     = "home"
	ByMerchant = "merchant"
)

// Bounds of a return.
const (
	maxReturns       = 20
	maxReturnNote    = 1000
	maxReturnAddress = 500
	maxLabelURL      = 2000
	maxDropOffCode   = 100
	// maxClockSkew is how far in the future a request's time may be, as
	// the home node's clock reads it.
	maxClockSkew = 5 * time.Minute
)

// Return is a shopper's return of some units of a delivered part, and
// what became of it. The storefront's return message opens it (its id is
// the return's); every later step is a status of the home node that
// states the return as it stands after the step (Status.Return), so both
// sides hold the same record, each step signed and timed.
type Return struct {
	// ID is the id of the storefront's return message.
	ID string `json:"id"`
	// Seq is the seq of the status that stated the return last; 0 while
	// only the storefront knows it.
	Seq   uint64  `json:"seq"`
	State string  `json:"state"`
	Lines []Units `json:"lines"`
	// Reason is one of ReturnReasons; Note is the shopper's words.
	Reason string `json:"reason"`
	Note   string `json:"note,omitempty"`
	// Steps are the return's steps, oldest first.
	Steps []ReturnStep `json:"steps"`
	// Instructions say how to send the units back (approved).
	Instructions *ReturnInstructions `json:"instructions,omitempty"`
	// ShippingPaidBy is who pays the return's shipping, from the
	// merchant's policy when it approved: "shopper" or "merchant".
	ShippingPaidBy string `json:"shipping_paid_by,omitempty"`
	// RestockingFeeBPS is the merchant's restocking fee when it approved,
	// in basis points of the units' worth.
	RestockingFeeBPS int `json:"restocking_fee_bps,omitempty"`
	// Refusal is why it was refused.
	Refusal string `json:"refusal,omitempty"`
	// RestockingFee is what the refund kept back (received).
	RestockingFee Money `json:"restocking_fee,omitzero"`
	// Refund is the id of the refund that paid the units back (received).
	Refund string `json:"refund,omitempty"`
}

// ReturnStep is one step of a return: its state after it, when, and who
// took it. Seq is the seq of the home's status that states the step (0 for
// the shopper's request, which is the storefront's message ID).
type ReturnStep struct {
	State string    `json:"state"`
	At    time.Time `json:"at"`
	By    string    `json:"by"`
	Seq   uint64    `json:"seq,omitempty"`
	Note  string    `json:"note,omitempty"`
}

// ReturnInstructions tell the shopper how to send units back: an address,
// a prepaid label to print (https), or a code to give at a carrier's
// drop-off point; at least one of them.
type ReturnInstructions struct {
	Address     string `json:"address,omitempty"`
	LabelURL    string `json:"label_url,omitempty"`
	DropOffCode string `json:"drop_off_code,omitempty"`
}

// ReturnAsk is what a storefront's return message asks: some units of a
// delivered part, a reason and the shopper's words.
type ReturnAsk struct {
	Lines  []Units `json:"lines"`
	Reason string  `json:"reason"`
	Note   string  `json:"note,omitempty"`
}

// ReturnInput is a shopper's return request.
type ReturnInput = ReturnAsk

// Open reports whether the return waits for the merchant.
func (r *Return) Open() bool { return r.State == ReturnRequested || r.State == ReturnApproved }

// Profiles reads merchants' profiles from the node's catalog: a home node
// reads its own merchants' return policies there, a storefront the
// policies every member's merchants published.
type Profiles interface {
	MerchantProfile(ctx context.Context, platform, merchant string) (catalog.MerchantProfile, error)
}

// returnPolicy returns the return policy of merchant on platform, and
// whether it takes returns at all.
func (s *Service) returnPolicy(ctx context.Context, platform, merchant string) (catalog.Policies, bool) {
	if s.profiles == nil {
		return catalog.Policies{}, false
	}
	p, err := s.profiles.MerchantProfile(ctx, platform, merchant)
	if err != nil || p.Policies.ReturnDays <= 0 {
		return catalog.Policies{}, false
	}
	return p.Policies, true
}

// check checks a return ask's shape; errors name "<field>".
func (a *ReturnAsk) check(errs *FieldErrors) {
	switch {
	case len(a.Lines) == 0:
		errs.add("lines", "name at least one line and how many of its units to return")
	case len(a.Lines) > maxLines:
		errs.add("lines", "names more than %d lines", maxLines)
	}
	for i, u := range a.Lines {
		if u.ListingID == "" || u.SKU == "" {
			errs.add(fmt.Sprintf("lines[%d]", i), "needs listing_id and sku")
		} else if u.Quantity < 1 || u.Quantity > 10000 {
			errs.add(fmt.Sprintf("lines[%d].quantity", i), "must be 1..10000")
		}
	}
	if !slices.Contains(ReturnReasons, a.Reason) {
		errs.add("reason", "%q is not one of %v", a.Reason, ReturnReasons)
	}
	if len(a.Note) > maxReturnNote {
		errs.add("note", "is longer than %d bytes", maxReturnNote)
	}
}

// check checks instructions; errors name "instructions.<field>".
func (in *ReturnInstructions) check(errs *FieldErrors) {
	if in.Address == "" && in.LabelURL == "" && in.DropOffCode == "" {
		errs.add("instructions", "give an address, a label_url or a drop_off_code")
	}
	if len(in.Address) > maxReturnAddress {
		errs.add("instructions.address", "is longer than %d bytes", maxReturnAddress)
	}
	if len(in.DropOffCode) > maxDropOffCode {
		errs.add("instructions.drop_off_code", "is longer than %d bytes", maxDropOffCode)
	}
	if in.LabelURL != "" {
		if err := checkLabelURL(in.LabelURL); err != nil {
			errs.add("instructions.label_url", "%v", err)
		}
	}
}

// checkLabelURL checks that a label is an absolute https URL.
func checkLabelURL(s string) error {
	if len(s) > maxLabelURL {
		return fmt.Errorf("is longer than %d bytes", maxLabelURL)
	}
	u, err := url.Parse(s)
	if err != nil || u.Scheme != "https" || u.Host == "" || u.User != nil {
		return fmt.Errorf("%q is not an absolute https URL", s)
	}
	return nil
}

// validate checks a return as a status states it.
func (r *Return) validate(st *Status) error {
	bad := func(field, format string, args ...any) error {
		return fmt.Errorf("%w: message.status.return.%s: %s", ErrInvalid, field, fmt.Sprintf(format, args...))
	}
	var errs FieldErrors
	ask := ReturnAsk{Lines: r.Lines, Reason: r.Reason, Note: r.Note}
	ask.check(&errs)
	switch {
	case len(r.ID) != 32 || !isHex(r.ID):
		return bad("id", "must be 32 hex digits")
	case r.Seq != st.Seq:
		return bad("seq", "%d is not the status's %d", r.Seq, st.Seq)
	case r.State != ReturnRequested && r.State != ReturnApproved && r.State != ReturnRefused && r.State != ReturnReceived:
		return bad("state", "%q is not requested, approved, refused or received", r.State)
	case len(errs) > 0:
		return bad(errs[0].Field, "%s", errs[0].Message)
	case len(r.Steps) == 0 || len(r.Steps) > 8:
		return bad("steps", "must hold 1..8 steps")
	case len(r.Refusal) > 512:
		return bad("refusal", "longer than 512 bytes")
	case r.State == ReturnApproved && r.Instructions == nil:
		return bad("instructions", "missing on an approved return")
	case r.RestockingFee.Amount < 0:
		return bad("restocking_fee", "is negative")
	case r.RestockingFeeBPS < 0 || r.RestockingFeeBPS > 10000:
		return bad("restocking_fee_bps", "must be 0..10000")
	}
	if r.Instructions != nil {
		var ierrs FieldErrors
		r.Instructions.check(&ierrs)
		if len(ierrs) > 0 {
			return bad(ierrs[0].Field, "%s", ierrs[0].Message)
		}
	}
	for i, step := range r.Steps {
		if step.At.IsZero() || len(step.Note) > 512 || (step.By != ByShopper && step.By != ByHome && step.By != ByMerchant) {
			return bad(fmt.Sprintf("steps[%d]", i), "needs a time, a note of at most 512 bytes and by shopper, home or merchant")
		}
	}
	return nil
}

// returnOf returns the return rid of returns, or nil.
func returnOf(returns []Return, rid string) *Return {
	for i := range returns {
		if returns[i].ID == rid {
			return &returns[i]
		}
	}
	return nil
}

// foldReturn folds the return a status states into returns when it is
// newer than the one held, and reports whether it was.
func foldReturn(returns *[]Return, r *Return) bool {
	if r == nil {
		return false
	}
	cp := cloneReturn(*r)
	if have := returnOf(*returns, r.ID); have != nil {
		if have.Seq >= r.Seq && have.Seq != 0 {
			return false
		}
		*have = cp
		return true
	}
	*returns = append(*returns, cp)
	return true
}

func cloneReturn(r Return) Return {
	r.Lines, r.Steps = slices.Clone(r.Lines), slices.Clone(r.Steps)
	if r.Instructions != nil {
		in := *r.Instructions
		r.Instructions = &in
	}
	return r
}

// returnable is what is left of a part to return: its units neither
// refunded nor cancelled, less those of returns still open.
func returnable(left Left, returns []Return) Left {
	left.Units = slices.Clone(left.Units)
	for _, r := range returns {
		if !r.Open() {
			continue
		}
		for _, u := range r.Lines {
			for i := range left.Units {
				if left.Units[i].key() == u.key() {
					left.Units[i].Quantity -= u.Quantity
				}
			}
		}
	}
	return left
}

// windowEnd is when a part delivered at delivered may no longer be
// returned under a window of days.
func windowEnd(delivered time.Time, days int) time.Time {
	return delivered.Add(time.Duration(days) * 24 * time.Hour)
}

// restockingFee is bps basis points of worth, rounded down.
func restockingFee(worth int64, bps int) int64 { return worth * int64(bps) / 10000 }

// newerReturn reports whether r is news to returns.
func newerReturn(returns []Return, r *Return) bool {
	if r == nil {
		return false
	}
	have := returnOf(returns, r.ID)
	return have == nil || have.Seq == 0 || have.Seq < r.Seq
}

// checkReturnOf checks a return a status states against the part's
// lines: its units are units the part has.
func checkReturnOf(r *Return, lines []Line) error {
	units := leftOf(lines, Money{}, Money{}, nil)
	for _, u := range r.Lines {
		if u.Quantity > units.units(u.key()) {
			return fmt.Errorf("return %s sends back %d of %s, the part has %d", r.ID, u.Quantity, u.SKU, units.units(u.key()))
		}
	}
	return nil
}
