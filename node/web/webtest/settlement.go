package webtest

import (
	"context"
	"fmt"
	"slices"
	"sync"

	"github.com/fedmart/fedmart/settlement"
)

// Settlement is the node's settlement view as the pages read it. It is
// a fake: real periods need statements reconciled between two nodes. It
// serves periods, statements, earnings and netting from
// maps keyed by period. A period without an entry has no statements, zero
// earnings and a settlement.ErrNotAgreed netting; err, when set, is
// returned by every method.
type Settlement struct {
	mu         sync.Mutex // guards every field below
	periods    []settlement.PeriodStatus
	statements map[string][]settlement.Statement
	earnings   map[string]settlement.Earnings // by merchant + "/" + period
	netting    map[string]settlement.Netting
	err        error
}

// NewSettlement returns a settlement view with no periods.
func NewSettlement() *Settlement {
	return &Settlement{statements: map[string][]settlement.Statement{}, earnings: map[string]settlement.Earnings{},
		netting: map[string]settlement.Netting{}}
}

// SetPeriods sets what the view says.
func (f *Settlement) SetPeriods(list ...settlement.PeriodStatus) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.periods = list
}

// SetStatus sets what the view says.
func (f *Settlement) SetStatus(period, status string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for i := range f.periods {
		if f.periods[i].Period == period {
			f.periods[i].Status = status
		}
	}
}

// SetStatements sets what the view says.
func (f *Settlement) SetStatements(period string, list ...settlement.Statement) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.statements[period] = list
}

// SetEarnings sets what the view says.
func (f *Settlement) SetEarnings(merchant string, e settlement.Earnings) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.earnings[merchant+"/"+e.Period] = e
}

// SetNetting sets what the view says.
func (f *Settlement) SetNetting(n settlement.Netting) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.netting[n.Period] = n
}

// SetErr sets what the view says.
func (f *Settlement) SetErr(err error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.err = err
}

// Periods answers what the test set.
func (f *Settlement) Periods(context.Context) ([]settlement.PeriodStatus, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.periods), f.err
}

// Statements answers what the test set.
func (f *Settlement) Statements(_ context.Context, period string) ([]settlement.Statement, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.statements[period]), f.err
}

// Earnings answers what the test set.
func (f *Settlement) Earnings(_ context.Context, merchant, period string) (settlement.Earnings, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.err != nil {
		return settlement.Earnings{}, f.err
	}
	if e, ok := f.earnings[merchant+"/"+period]; ok {
		return e, nil
	}
	return settlement.Earnings{Merchant: merchant, Period: period}, nil
}

// NettingReport answers what the test set.
func (f *Settlement) NettingReport(_ context.Context, period string) (settlement.Netting, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.err != nil {
		return settlement.Netting{}, f.err
	}
	n, ok := f.netting[period]
	if !ok {
		return settlement.Netting{}, fmt.Errorf("%w: period %s", settlement.ErrNotAgreed, period)
	}
	return n, nil
}

// ForgetNetting drops the netting of period, as if it were not agreed.
func (f *Settlement) ForgetNetting(period string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	delete(f.netting, period)
}
