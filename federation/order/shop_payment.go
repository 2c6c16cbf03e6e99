package order

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	badger "github.com/dgraph-io/badger/v4"
)

// Payment methods the node ships.
const (
	MethodManual      = "manual"
	MethodSandboxCard = "sandbox_card"
)

// Payment statuses.
const (
	PaymentCaptured = "captured" // the money is taken
	PaymentPending  = "pending"  // to be paid offline; the operator marks it paid
	PaymentPaid     = "paid"     // a pending payment the operator marked paid
	// PaymentRecovered marks an order rebuilt from members' signed
	// messages after a restore: what was paid, and how, is not known here.
	PaymentRecovered = "recovered"
)

// PaymentRequest is how the shopper pays, from the checkout body.
type PaymentRequest struct {
	Method     string `json:"method"`
	CardNumber string `json:"card_number,omitempty"`
}

// Payment is a payment taken (or owed) for an order.
type Payment struct {
	Method   string    `json:"method"`
	ID       string    `json:"id"`
	Status   string    `json:"status"`
	Amount   Money     `json:"amount"`
	Last4    string    `json:"last4,omitempty"`
	Refunded Money     `json:"refunded,omitzero"`
	At       time.Time `json:"at"`
}

// Provider takes and gives back payments on the storefront, which collects
// for every part of an order. Charge fails with an error wrapping
// ErrDeclined when the payer's side refuses and ErrPaymentFailed when the
// provider cannot answer. Refund is idempotent on key.
type Provider interface {
	Method() string
	Validate(req PaymentRequest) FieldErrors
	Charge(ctx context.Context, order string, amount Money, req PaymentRequest) (Payment, error)
	Refund(ctx context.Context, p Payment, amount Money, key string) error
}

// Manual is bank transfer or cash on delivery: the order goes ahead and
// the payment stays pending until the operator marks it paid. A refund is
// recorded for the operator to pay back offline.
type Manual struct{ Now func() time.Time }

// Method is "manual".
func (Manual) Method() string { return MethodManual }

// Validate accepts any manual request without a card.
func (Manual) Validate(req PaymentRequest) FieldErrors {
	if req.CardNumber != "" {
		return FieldErrors{{Field: "payment.card_number", Message: "is not used with the manual method"}}
	}
	return nil
}

// Charge records a pending payment.
func (m Manual) Charge(_ context.Context, order string, amount Money, _ PaymentRequest) (Payment, error) {
	return Payment{Method: MethodManual, ID: "man_" + order, Status: PaymentPending, Amount: amount, At: m.Now().UTC()}, nil
}

// Refund has nothing to call: the refund is paid offline.
func (Manual) Refund(context.Context, Payment, Money, string) error { return nil }

// Sandbox card numbers: everything else with a valid check digit is
// approved.
const (
	CardApprove      = "4242424242424242"
	CardDecline      = "4000000000000002"
	CardInsufficient = "4000000000009995"
	CardFail         = "4000000000000119"
)

// SandboxCard is a card provider for demos and tests that answers like a
// payment sandbox: approves, declines and fails by card number. It keeps
// its payments and refunds in Badger so that refunds are idempotent.
type SandboxCard struct {
	DB  *badger.DB
	Now func() time.Time
}

// Method is "sandbox_card".
func (SandboxCard) Method() string { return MethodSandboxCard }

// Validate checks the card number's shape and Luhn digit.
func (SandboxCard) Validate(req PaymentRequest) FieldErrors {
	n := strings.ReplaceAll(req.CardNumber, " ", "")
	if len(n) < 12 || len(n) > 19 || !luhn(n) {
		return FieldErrors{{Field: "payment.card_number", Message: "is not a valid card number"}}
	}
	return nil
}

// Charge approves, declines or fails by card number.
func (c SandboxCard) Charge(_ context.Context, order string, amount Money, req PaymentRequest) (Payment, error) {
	n := strings.ReplaceAll(req.CardNumber, " ", "")
	switch n {
	case CardDecline:
		return Payment{}, fmt.Errorf("%w: card declined", ErrDeclined)
	case CardInsufficient:
		return Payment{}, fmt.Errorf("%w: insufficient funds", ErrDeclined)
	case CardFail:
		return Payment{}, fmt.Errorf("%w: sandbox processing error", ErrPaymentFailed)
	}
	p := Payment{Method: MethodSandboxCard, ID: "sbx_" + newMessageID()[:24], Status: PaymentCaptured, Amount: amount, Last4: n[len(n)-4:], At: c.Now().UTC()}
	err := c.DB.Update(func(txn *badger.Txn) error { return putJSON(txn, prefixPayment+p.ID, p) })
	return p, err
}

// Refund gives amount back once per key, never more than was captured.
func (c SandboxCard) Refund(_ context.Context, p Payment, amount Money, key string) error {
	return c.DB.Update(func(txn *badger.Txn) error {
		var stored Payment
		ok, err := getJSON(txn, prefixPayment+p.ID, &stored)
		if err != nil || !ok {
			return errors.Join(err, fmt.Errorf("%w: sandbox payment %s", ErrNotFound, p.ID))
		}
		done := prefixPayment + p.ID + "/refund/" + key
		if raw, err := getRaw(txn, done); err != nil || raw != nil {
			return err
		}
		if stored.Refunded.Amount+amount.Amount > stored.Amount.Amount {
			return fmt.Errorf("%w: refund of %s exceeds payment %s", ErrConflict, amount, p.ID)
		}
		stored.Refunded.Amount += amount.Amount
		stored.Refunded.Currency = stored.Amount.Currency
		if err := txn.Set([]byte(done), []byte{1}); err != nil {
			return err
		}
		return putJSON(txn, prefixPayment+p.ID, stored)
	})
}

// luhn checks a card number's check digit.
func luhn(n string) bool {
	sum := 0
	for i := range len(n) {
		d := int(n[len(n)-1-i] - '0')
		if d < 0 || d > 9 {
			return false
		}
		if i%2 == 1 {
			if d *= 2; d > 9 {
				d -= 9
			}
		}
		sum += d
	}
	return sum%10 == 0
}
