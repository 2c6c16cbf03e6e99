package order

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"sync"
	"testing"
	"time"

	badger "github.com/dgraph-io/badger/v4"
	"github.com/fedmart/fedmart/settlement"
)

func pointsDB(t testing.TB) *badger.DB {
	t.Helper()
	db, err := badger.Open(badger.DefaultOptions("").WithInMemory(true).WithLogger(nil).WithMemTableSize(16 << 20))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = db.Close() })
	return db
}

// pointsUpdate runs fn in a transaction, again on a conflict.
func pointsUpdate(db *badger.DB, fn func(txn *badger.Txn) error) error {
	for {
		err := db.Update(fn)
		if !errors.Is(err, badger.ErrConflict) {
			return err
		}
	}
}

func accountOf(t testing.TB, db *badger.DB, account string) *PointsAccount {
	t.Helper()
	var a *PointsAccount
	if err := db.View(func(txn *badger.Txn) (err error) { a, err = loadPoints(txn, account); return err }); err != nil {
		t.Fatal(err)
	}
	return a
}

// TestPointsProperty: for any sequence of earns, holds confirmed or
// released, refunds of parts and of orders paid with points, and expiry,
// an account keeps earned − spent + returned − expired − reversed = what
// it has (never negative), a refused step
// changes nothing, and the settlement events the steps state derive the
// same entries at the issuer, the home and the storefront, whose netting
// sums to zero.
func TestPointsProperty(t *testing.T) {
	const issuer, home, shop = "I", "H", "S"
	pol := settlement.Policy{Version: 1, Currency: "EUR", Period: 24 * time.Hour,
		Loyalty: settlement.Loyalty{PointValue: 2, Funder: settlement.FunderSplit, FunderHomeBPS: 4000}}
	for round := range 60 { // a subtest per round, so that its databases close with it
		t.Run(fmt.Sprint("round", round), func(t *testing.T) {
			rng := rand.New(rand.NewPCG(uint64(round), 99))
			db := pointsDB(t)
			now := time.Date(2026, 12, 3, 1, 0, 0, 0, time.UTC)
			var events []settlement.Event
			earned := map[string]int64{}
			reversedOf := map[string]int64{}
			var holds, confirmed []string
			var asked, lost int64
			for step := range 80 {
				now = now.Add(time.Duration(rng.IntN(90)) * time.Minute)
				before := accountOf(t, db, "alice")
				var err error
				switch op := rng.IntN(7); op {
				case 0: // a part becomes payable
					part := fmt.Sprintf("part%d", step)
					n := 1 + rng.Int64N(500)
					err = pointsUpdate(db, func(txn *badger.Txn) error {
						_, err := earnPoints(txn, "alice", part, n, now.Add(time.Hour), now.Add(time.Duration(1+rng.IntN(10))*time.Hour), now)
						return err
					})
					earned[part] = n
					events = append(events, settlement.Event{PartID: part, Kind: settlement.EventPointsEarned, Storefront: shop, Home: home,
						Merchant: "m", Issuer: issuer, Points: n, Gross: settlement.Money{Amount: 2 * n, Currency: "EUR"}, PolicyVersion: 1, At: now})
				case 1: // a refund of some of a part
					for part, n := range earned {
						k := min(n-reversedOf[part], 1+rng.Int64N(n))
						if k <= 0 {
							continue
						}
						var r PointsReversal
						ref := fmt.Sprintf("r%d", step)
						err = pointsUpdate(db, func(txn *badger.Txn) (err error) {
							r, err = reversePoints(txn, "alice", part, ref, k, now)
							return err
						})
						asked, lost = asked+k, lost+r.Lost
						events = append(events, settlement.Event{PartID: part, Kind: settlement.EventPointsReversed, Storefront: shop, Home: home,
							Merchant: "m", Issuer: issuer, Points: k, PointsEarned: n, PointsReversedBefore: reversedOf[part], RefundOf: ref,
							Gross: settlement.Money{Amount: 2 * k, Currency: "EUR"}, PolicyVersion: 1, At: now})
						reversedOf[part] += k
						break
					}
				case 2, 3: // a checkout holds points, maybe more than there are
					id := fmt.Sprintf("hold%d", step)
					n := 1 + rng.Int64N(400)
					err = pointsUpdate(db, func(txn *badger.Txn) error {
						_, err := holdPoints(txn, id, "alice", shop, n, 1, now.Add(time.Minute), now)
						return err
					})
					if err == nil {
						holds = append(holds, id)
					} else if !errors.Is(err, ErrPointsShort) {
						t.Fatal(err)
					}
				case 4: // a hold ends
					if len(holds) == 0 {
						continue
					}
					id := holds[0]
					holds = holds[1:]
					state := []string{PointsConfirmed, PointsReleased}[rng.IntN(2)]
					var h *PointsHold
					err = pointsUpdate(db, func(txn *badger.Txn) (err error) {
						h, err = endPointsHold(txn, id, shop, state, now)
						return err
					})
					if err == nil && state == PointsConfirmed {
						confirmed = append(confirmed, id)
						events = append(events, settlement.Event{PartID: id, Kind: settlement.EventPointsRedeemed, Storefront: shop,
							Issuer: issuer, Points: h.Points, Gross: settlement.Money{Amount: 2 * h.Points, Currency: "EUR"}, PolicyVersion: 1, At: now})
					}
				case 5:
					err = pointsUpdate(db, func(txn *badger.Txn) error { _, err := expirePoints(txn, "alice", now); return err })
				case 6: // a refund gives back points of a confirmed hold, maybe more than it spent
					if len(confirmed) == 0 {
						continue
					}
					id := confirmed[rng.IntN(len(confirmed))]
					ref := fmt.Sprintf("r%d", step)
					var h *PointsHold
					var before int64
					err = pointsUpdate(db, func(txn *badger.Txn) (err error) {
						h, before, err = returnToAccount(txn, id, ref, 1+rng.Int64N(200), now)
						return err
					})
					if err == nil {
						events = append(events, settlement.Event{PartID: id, Kind: settlement.EventPointsReturned, Storefront: shop, Issuer: issuer,
							Points: h.Returned - before, PointsEarned: h.Points, PointsReversedBefore: before, RefundOf: ref,
							Gross: settlement.Money{Amount: 2 * (h.Returned - before), Currency: "EUR"}, PolicyVersion: 1, At: now})
					} else if !errors.Is(err, ErrInvalid) {
						t.Fatal(err)
					}
				}
				a := accountOf(t, db, "alice")
				if err := a.Check(); err != nil {
					t.Fatalf("round %d step %d: %v", round, step, err)
				}
				if err != nil {
					if fmt.Sprint(a) != fmt.Sprint(before) {
						t.Fatalf("round %d step %d: refused step (%v) changed the account", round, step, err)
					}
				}
				if b := a.Balance(now); b.Spendable < 0 || b.Pending < 0 || b.Held < 0 {
					t.Fatalf("round %d step %d: negative balance %+v", round, step, b)
				}
			}
			if a := accountOf(t, db, "alice"); a.Reversed+a.Lost != asked || a.Lost != lost {
				t.Fatalf("round %d: reversed %d + lost %d, refunds asked %d", round, a.Reversed, a.Lost, asked)
			}
			checkPointsLedgers(t, round, pol, events, issuer, home, shop)
		})
	}
}

// checkPointsLedgers posts events at three ledgers, each in its own
// order, and checks that every pair holds the same entries and that they
// net to zero.
func checkPointsLedgers(t *testing.T, round int, pol settlement.Policy, events []settlement.Event, members ...string) {
	t.Helper()
	ctx := context.Background()
	ledgers := map[string]*settlement.Ledger{}
	rng := rand.New(rand.NewPCG(uint64(round), 7))
	for _, m := range members {
		l, err := settlement.Open(pointsDB(t), m, func(uint64) (settlement.Policy, bool) { return pol, true }, nil, nil)
		if err != nil {
			t.Fatal(err)
		}
		for _, i := range rng.Perm(len(events)) {
			if _, err := l.Post(ctx, events[i]); err != nil {
				t.Fatalf("round %d: %s: %v", round, m, err)
			}
		}
		ledgers[m] = l
	}
	var obs []settlement.Obligation
	for i, a := range members {
		for _, b := range members[i+1:] {
			held := map[string]map[string]settlement.Entry{}
			for _, who := range []string{a, b} {
				held[who] = map[string]settlement.Entry{}
				for _, p := range periodsOf(events, pol) {
					err := ledgers[who].Entries(ctx, p, map[string]string{a: b, b: a}[who], func(e settlement.Entry) error {
						held[who][e.ID] = e
						return nil
					})
					if err != nil {
						t.Fatal(err)
					}
				}
			}
			if fmt.Sprint(held[a]) != fmt.Sprint(held[b]) {
				t.Fatalf("round %d: %s and %s hold different entries:\n%v\n%v", round, a, b, held[a], held[b])
			}
			for _, e := range held[a] {
				obs = append(obs, settlement.Obligation{From: e.From, To: e.To, Amount: e.Amount})
			}
		}
	}
	pos, _, err := settlement.Net(members, obs)
	if err != nil {
		t.Fatal(err)
	}
	var sum int64
	for _, p := range pos {
		sum += p.Net.Amount
	}
	if sum != 0 {
		t.Fatalf("round %d: net positions sum to %d", round, sum)
	}
}

// periodsOf names the periods the events fall in.
func periodsOf(events []settlement.Event, pol settlement.Policy) []string {
	seen := map[string]bool{}
	var out []string
	for _, e := range events {
		if p := settlement.PeriodOf(e.At, pol.Period).Name; !seen[p] {
			seen[p] = true
			out = append(out, p)
		}
	}
	return out
}

// TestPointsConcurrentHolds: twenty checkouts from two storefronts hold
// points of one account at once; exactly as many succeed as the points
// allow, each point is held once, and the account adds up.
func TestPointsConcurrentHolds(t *testing.T) {
	db := pointsDB(t)
	now := time.Date(2026, 12, 3, 10, 0, 0, 0, time.UTC)
	if err := pointsUpdate(db, func(txn *badger.Txn) error {
		_, err := earnPoints(txn, "bob", "part1", 1000, now.Add(-time.Hour), time.Time{}, now.Add(-2*time.Hour))
		return err
	}); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	var mu sync.Mutex // guards ok, short
	ok, short := 0, 0
	for i := range 20 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			shop := []string{"S1", "S2"}[i%2]
			err := pointsUpdate(db, func(txn *badger.Txn) error {
				h, err := holdPoints(txn, fmt.Sprintf("h%d", i), "bob", shop, 150, 1, now.Add(time.Minute), now)
				if err != nil {
					return err
				}
				_, err = endPointsHold(txn, h.ID, shop, PointsConfirmed, now)
				return err
			})
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err == nil:
				ok++
			case errors.Is(err, ErrPointsShort):
				short++
			default:
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	a := accountOf(t, db, "bob")
	if ok != 6 || short != 14 || a.Spent != 900 || a.Balance(now).Spendable != 100 {
		t.Errorf("%d holds succeeded, %d were short; spent %d, left %+v", ok, short, a.Spent, a.Balance(now))
	}
	if err := a.Check(); err != nil {
		t.Error(err)
	}
}

// TestPointsHoldRefusals: a second confirm is no second spend, a release
// after a confirm is refused, another storefront cannot end a hold, and a
// hold id reused for other points is refused; none changes the account.
func TestPointsHoldRefusals(t *testing.T) {
	db := pointsDB(t)
	now := time.Date(2026, 12, 3, 10, 0, 0, 0, time.UTC)
	step := func(fn func(txn *badger.Txn) error) error { return pointsUpdate(db, fn) }
	if err := step(func(txn *badger.Txn) error {
		_, err := earnPoints(txn, "carol", "p1", 100, now, time.Time{}, now)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if err := step(func(txn *badger.Txn) error {
		_, err := holdPoints(txn, "h1", "carol", "S", 60, 1, now.Add(time.Minute), now)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if err := step(func(txn *badger.Txn) error { _, err := endPointsHold(txn, "h1", "S", PointsConfirmed, now); return err }); err != nil {
		t.Fatal(err)
	}
	before := fmt.Sprint(accountOf(t, db, "carol"))
	tests := []struct {
		name string
		fn   func(txn *badger.Txn) error
		want error
	}{
		{"confirm again", func(txn *badger.Txn) error { _, err := endPointsHold(txn, "h1", "S", PointsConfirmed, now); return err }, nil},
		{"release after confirm", func(txn *badger.Txn) error { _, err := endPointsHold(txn, "h1", "S", PointsReleased, now); return err }, ErrConflict},
		{"another storefront", func(txn *badger.Txn) error { _, err := endPointsHold(txn, "h1", "T", PointsReleased, now); return err }, ErrForged},
		{"unknown hold", func(txn *badger.Txn) error { _, err := endPointsHold(txn, "h9", "S", PointsConfirmed, now); return err }, ErrNotFound},
		{"hold id replayed for other points", func(txn *badger.Txn) error {
			_, err := holdPoints(txn, "h1", "carol", "S", 40, 1, now.Add(time.Minute), now)
			return err
		}, ErrConflict},
		{"more than left", func(txn *badger.Txn) error {
			_, err := holdPoints(txn, "h2", "carol", "S", 41, 1, now.Add(time.Minute), now)
			return err
		}, ErrPointsShort},
		{"earn twice", func(txn *badger.Txn) error {
			_, err := earnPoints(txn, "carol", "p1", 100, now, time.Time{}, now)
			return err
		}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := step(tt.fn)
			if (tt.want == nil && err != nil) || (tt.want != nil && !errors.Is(err, tt.want)) {
				t.Fatalf("err = %v, want %v", err, tt.want)
			}
			if after := fmt.Sprint(accountOf(t, db, "carol")); after != before {
				t.Errorf("account changed: %s, was %s", after, before)
			}
		})
	}
}

// A short grace is swept as often as it lasts, so that a hold outlives
// its deadline by about the grace, not by the minute between sweeps.
func TestPointsSweepFollowsAShortGrace(t *testing.T) {
	for _, tc := range []struct{ grace, every time.Duration }{
		{0, time.Minute}, // the default 30m
		{time.Hour, time.Minute},
		{time.Minute, time.Minute},
		{5 * time.Second, 5 * time.Second},
		{time.Millisecond, time.Second},
	} {
		s := &Service{cfg: Config{PointsHoldGrace: tc.grace}}
		if got := s.pointsSweepEvery(); got != tc.every {
			t.Errorf("grace %s: swept every %s, want %s", tc.grace, got, tc.every)
		}
	}
}
