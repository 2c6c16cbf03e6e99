package order

import (
	"context"
	"fmt"
	"testing"
	"time"

	badger "github.com/dgraph-io/badger/v4"

	"github.com/fedmart/fedmart/internal/testwait"
)

// TestMerchantRecord: a storefront measures a merchant from the home's
// signed statuses of the parts it placed: a part shipped the day it was
// accepted is on time, one shipped ten days later and one still unshipped
// past its handling time are late, a part the merchant refunded before
// shipping counts as its cancellation (a shopper's cancellation does
// not), and an issue answered two hours after it was opened gives the
// response time. A rebuild from the orders alone gives the same record.
func TestMerchantRecord(t *testing.T) {
	f := newCluster(t, 2)
	a, b := f.members[0], f.members[1]
	f.setTerms(demoTerms(""))
	ctx := context.Background()
	pan := f.list(b, "forge", "PAN", 1000, 100)
	buy := func(key string) Order {
		t.Helper()
		o, err := f.buy(a, key, 1, pan)
		if err != nil {
			t.Fatal(err)
		}
		statusOn(t, a, o.Parts[0].ID, StatusAccepted)
		if h := partOn(t, a, o.Parts[0].ID).Handling; h == nil || *h != 1 {
			t.Fatalf("part sold with handling %v, want 1 business day", h)
		}
		return o
	}
	onTime := buy("on-time")
	if _, err := b.svc.Ship(ctx, "forge", onTime.Parts[0].ID, "DHL", "T1"); err != nil {
		t.Fatal(err)
	}
	late := buy("late")
	f.clk.add(10 * 24 * time.Hour)
	if _, err := b.svc.Ship(ctx, "forge", late.Parts[0].ID, "DHL", "T2"); err != nil {
		t.Fatal(err)
	}
	refunded := buy("merchant-cancels")
	if _, err := b.svc.Refund(ctx, "forge", refunded.Parts[0].ID); err != nil {
		t.Fatal(err)
	}
	shopperCancels := buy("shopper-cancels")
	if _, err := a.svc.CancelOrder(ctx, shopperCancels.Shopper, shopperCancels.ID); err != nil {
		t.Fatal(err)
	}
	waiting := buy("unshipped")
	statusOn(t, a, onTime.Parts[0].ID, StatusShipped)
	statusOn(t, a, late.Parts[0].ID, StatusShipped)
	statusOn(t, a, refunded.Parts[0].ID, StatusRefunded)
	statusOn(t, a, shopperCancels.Parts[0].ID, StatusCancelled)

	i, err := a.svc.OpenIssue(ctx, onTime.Shopper, onTime.ID, onTime.Parts[0].ID, IssueInput{Category: "damaged", Description: "dented", Remedy: RemedyRefund}, "")
	if err != nil {
		t.Fatal(err)
	}
	issueOn(t, a, onTime, onTime.Parts[0].ID, i.ID, IssueOpen, 1)
	f.clk.add(2 * time.Hour)
	if _, err := b.svc.AnswerIssue(ctx, "forge", onTime.Parts[0].ID, i.ID, IssueAnswer{Action: IssueActAskInfo, Text: "a photo, please"}); err != nil {
		t.Fatal(err)
	}
	issueOn(t, a, onTime, onTime.Parts[0].ID, i.ID, IssueAwaitingShopper, 2)
	f.clk.add(5 * 24 * time.Hour) // the unshipped part's handling time runs out
	f.drained()

	want := MerchantRecord{Merchant: b.id + ".forge", Orders: 5, Due: 3, OnTime: 1, OnTimeShare: 1.0 / 3,
		Cancelled: 1, CancelRate: 0.2, Issues: 1, Answered: 1, ResponseAverage: 7200}
	var got MerchantRecord
	testwait.For(t, 10*time.Second, func() error {
		got, err = a.svc.MerchantRecord(ctx, b.id, "forge")
		if err != nil {
			return err
		}
		if got != want {
			return fmt.Errorf("record %+v, want %+v", got, want)
		}
		return nil
	})
	if p := partOn(t, a, waiting.Parts[0].ID); p.Status != StatusAccepted {
		t.Fatalf("the unshipped part is %s", p.Status)
	}
	if other, err := a.svc.MerchantRecord(ctx, b.id, "nobody"); err != nil || other.Orders != 0 || other.Enough {
		t.Errorf("a merchant with no parts here: %+v %v", other, err)
	}

	// The record as a node that kept no facts yet would build it.
	if err := a.db.DropPrefix([]byte(prefixRecord), []byte(keyRecordDone)); err != nil {
		t.Fatal(err)
	}
	a.svc.records.drop(want.Merchant)
	if r, err := a.svc.MerchantRecord(ctx, b.id, "forge"); err != nil || r.Orders != 0 {
		t.Fatalf("with the facts gone: %+v %v", r, err)
	}
	a.svc.records.drop(want.Merchant)
	if err := a.svc.buildRecords(ctx); err != nil {
		t.Fatal(err)
	}
	if got, err = a.svc.MerchantRecord(ctx, b.id, "forge"); err != nil || got != want {
		t.Fatalf("rebuilt: %+v %v, want %+v", got, err, want)
	}
	if err := a.db.View(func(txn *badger.Txn) error { _, err := txn.Get([]byte(keyRecordDone)); return err }); err != nil {
		t.Errorf("the rebuild left no mark: %v", err)
	}
}

// BenchmarkMerchantRecord reads a merchant's record from the facts of
// 10,000 parts, uncached: what a listing page pays once per recordTTL.
func BenchmarkMerchantRecord(b *testing.B) {
	db, err := badger.Open(badger.DefaultOptions("").WithInMemory(true).WithLogger(nil))
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	at := time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC)
	err = db.Update(func(txn *badger.Txn) error {
		for i := range 10000 {
			f := partFacts{Status: StatusDelivered, Handling: 1, AcceptedAt: at, ShippedAt: at.Add(time.Duration(i%48) * time.Hour), Issues: i % 20 / 19, Answered: i % 20 / 19, ResponseSeconds: 3600}
			if err := putJSON(txn, recordPrefix("home", "forge")+fmt.Sprintf("p%05d", i), f); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	s := &Service{db: db, now: func() time.Time { return at.Add(240 * time.Hour) }}
	b.ResetTimer()
	for b.Loop() {
		s.records.drop("home.forge")
		if _, err := s.MerchantRecord(context.Background(), "home", "forge"); err != nil {
			b.Fatal(err)
		}
	}
}
