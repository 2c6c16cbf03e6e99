package settlement

import (
	"context"
	"errors"
	"testing"

	"github.com/dgraph-io/badger/v4"
)

func TestCheckBalancesDetectsTampering(t *testing.T) {
	clk := &clock{t: t0}
	s := newLedger(t, "S", clk)
	postAll(t, scenario(), s)
	err := s.db.Update(func(txn *badger.Txn) error {
		return txn.Set(balanceKey("EUR", PrefixPayable+"H"), []byte{0, 0, 0, 0, 0, 0, 0, 1})
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.CheckBalances(context.Background()); !errors.Is(err, ErrUnbalanced) {
		t.Errorf("CheckBalances after tampering = %v, want ErrUnbalanced", err)
	}
}
