package settlement

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/dgraph-io/badger/v4"
)

// Accounts of a node's double-entry books. Balances are signed: debits
// positive, credits negative, so the balances of one currency always sum to
// zero.
const (
	// AccountClearing holds what the storefront collected from shoppers
	// and has not yet attributed to commission, fees or home platforms.
	AccountClearing = "clearing:storefront"
	// AccountCommission is the storefront's commission revenue (credit).
	AccountCommission = "revenue:commission"
	// AccountFee is federation fee revenue of the treasury, or of a
	// storefront that is itself the treasury (credit).
	AccountFee = "revenue:fee"
	// PrefixReceivable + peer: what the peer owes this node (debit).
	PrefixReceivable = "receivable:"
	// PrefixPayable + peer: what this node owes the peer (credit).
	PrefixPayable = "payable:"
	// PrefixMerchantPayable + merchant: what a home platform owes its
	// merchant for cross-platform sales (credit).
	PrefixMerchantPayable = "merchant_payable:"
)

// Balance is the signed balance of one account: debit positive.
type Balance struct {
	// Account is one of the account names above.
	Account string `json:"account"`
	// Amount is the balance; credits are negative.
	Amount Money `json:"amount"`
}

// posting is one line of a journal: amount (debit positive) on account.
type posting struct {
	Account  string `json:"account"`
	Amount   int64  `json:"amount"`
	Currency string `json:"currency"`
}

// entryPostings books entry e in self's books: the counterparty account on
// one side, the account the money comes from or goes to on the other.
func entryPostings(self string, e Entry) [2]posting {
	a := e.Amount.Amount
	pair := posting{Account: PrefixPayable + e.To, Amount: -a, Currency: e.Amount.Currency}
	if e.To == self {
		pair = posting{Account: PrefixReceivable + e.From, Amount: a, Currency: e.Amount.Currency}
	}
	other := AccountClearing
	switch {
	case e.Kind == EntrySale && e.To == self, e.Kind == EntryRefund && e.From == self,
		e.Kind == EntryShipping && e.To == self, e.Kind == EntryShippingRefund && e.From == self:
		other = PrefixMerchantPayable + e.Merchant
	case e.Kind == EntryFee && e.To == self, e.Kind == EntryFeeRefund && e.From == self:
		other = AccountFee
	case e.Kind == EntryPointsFunding && e.From == self, e.Kind == EntryPointsReversal && e.To == self:
		other = AccountPointsExpense
	case e.Kind == EntryPointsFunding && e.To == self, e.Kind == EntryPointsReversal && e.From == self,
		e.Kind == EntryPointsRedemption && e.From == self, e.Kind == EntryPointsReturn && e.To == self:
		other = AccountPointsLiability
	case e.Kind == EntryAdFee && e.From == self, e.Kind == EntryAdFeeReversal && e.To == self:
		other = AccountAdExpense
	case e.Kind == EntryAdFee && e.To == self, e.Kind == EntryAdFeeReversal && e.From == self:
		other = AccountAdRevenue
	}
	return [2]posting{pair, {Account: other, Amount: -pair.Amount, Currency: pair.Currency}}
}

// localPostings books what a storefront keeps of an effect, which is no
// obligation to anybody and so no entry: its commission, and the fee when it
// is the treasury itself. Reversals book the same accounts the other way.
func localPostings(self, treasury string, eff effect) []posting {
	if self != eff.ev.Storefront {
		return nil
	}
	sign := int64(1)
	if eff.reversal {
		sign = -1
	}
	cur := eff.split.Gross.Currency
	var out []posting
	add := func(account string, amount int64) {
		if amount != 0 {
			out = append(out,
				posting{Account: AccountClearing, Amount: sign * amount, Currency: cur},
				posting{Account: account, Amount: -sign * amount, Currency: cur})
		}
	}
	add(AccountCommission, eff.split.Commission.Amount+eff.ship.Commission.Amount)
	if treasury == self {
		add(AccountFee, eff.split.Fee.Amount+eff.ship.Fee.Amount)
	}
	return out
}

// applyPostings adds lines to the stored balances inside txn.
func applyPostings(txn *badger.Txn, lines []posting) error {
	for _, p := range lines {
		key := balanceKey(p.Currency, p.Account)
		cur, err := readInt64(txn, key)
		if err != nil {
			return err
		}
		sum, ok := addInt64(cur, p.Amount)
		if !ok {
			return fmt.Errorf("%w: balance %s %s", ErrOverflow, p.Account, p.Currency)
		}
		if err := txn.Set(key, binary.BigEndian.AppendUint64(nil, uint64(sum))); err != nil {
			return err
		}
	}
	return nil
}

// readInt64 reads a stored balance; a missing key is zero.
func readInt64(txn *badger.Txn, key []byte) (int64, error) {
	item, err := txn.Get(key)
	if errors.Is(err, badger.ErrKeyNotFound) {
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	var v int64
	err = item.Value(func(b []byte) error {
		if len(b) != 8 {
			return fmt.Errorf("%w: balance %q has %d bytes", ErrInvalid, key, len(b))
		}
		v = int64(binary.BigEndian.Uint64(b))
		return nil
	})
	return v, err
}

// Balances returns every account's stored balance, by currency then account.
func (l *Ledger) Balances(ctx context.Context) ([]Balance, error) {
	var out []Balance
	err := l.db.View(func(txn *badger.Txn) error {
		return scan(ctx, txn, []byte(prefixBalance), func(k, v []byte) error {
			cur, account, ok := strings.Cut(string(k[len(prefixBalance):]), "/")
			if !ok || len(v) != 8 {
				return fmt.Errorf("%w: balance key %q", ErrInvalid, k)
			}
			out = append(out, Balance{Account: account, Amount: Money{Amount: int64(binary.BigEndian.Uint64(v)), Currency: cur}})
			return nil
		})
	})
	return out, err
}

// CheckBalances recomputes every balance from the stored entries and the
// storefront's local journal and compares with the stored balances; it also
// checks that each currency's balances sum to zero. A difference is an
// ErrUnbalanced naming the first accounts that differ.
func (l *Ledger) CheckBalances(ctx context.Context) error {
	want, err := l.recomputeBalances(ctx)
	if err != nil {
		return err
	}
	have, err := l.Balances(ctx)
	if err != nil {
		return err
	}
	got := make(map[[2]string]int64, len(have))
	for _, b := range have {
		got[[2]string{b.Amount.Currency, b.Account}] = b.Amount.Amount
	}
	var diffs []string
	sums := map[string]int64{}
	for k := range mergeKeys(want, got) {
		if want[k] != got[k] {
			diffs = append(diffs, fmt.Sprintf("%s %s: stored %d, entries give %d", k[1], k[0], got[k], want[k]))
		}
		sums[k[0]] += got[k]
	}
	for cur, s := range sums {
		if s != 0 {
			diffs = append(diffs, fmt.Sprintf("%s balances sum to %d", cur, s))
		}
	}
	if len(diffs) > 0 {
		slices.Sort(diffs)
		return fmt.Errorf("%w: %s", ErrUnbalanced, strings.Join(diffs[:min(len(diffs), 5)], "; "))
	}
	return nil
}

// recomputeBalances folds all entries and local journal lines.
func (l *Ledger) recomputeBalances(ctx context.Context) (map[[2]string]int64, error) {
	want := map[[2]string]int64{}
	add := func(p posting) { want[[2]string{p.Currency, p.Account}] += p.Amount }
	err := l.db.View(func(txn *badger.Txn) error {
		err := scan(ctx, txn, []byte(prefixEntry), func(_, v []byte) error {
			var e Entry
			if err := e.UnmarshalBinary(v); err != nil {
				return err
			}
			for _, p := range entryPostings(l.self, e) {
				add(p)
			}
			return nil
		})
		if err != nil {
			return err
		}
		return scan(ctx, txn, []byte(prefixJournal), func(k, v []byte) error {
			var lines []posting
			if err := json.Unmarshal(v, &lines); err != nil {
				return fmt.Errorf("%w: journal %q: %v", ErrInvalid, k, err)
			}
			for _, p := range lines {
				add(p)
			}
			return nil
		})
	})
	return want, err
}

// mergeKeys returns the union of the keys of a and b.
func mergeKeys(a, b map[[2]string]int64) map[[2]string]struct{} {
	out := make(map[[2]string]struct{}, len(a)+len(b))
	for k := range a {
		out[k] = struct{}{}
	}
	for k := range b {
		out[k] = struct{}{}
	}
	return out
}
