package webhook

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"
)

// stepClock is a clock that advances one second per reading.
type stepClock struct {
	mu sync.Mutex // guards t
	t  time.Time
}

func (c *stepClock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(time.Second)
	return c.t
}

func TestDeliveriesPagesNewestFirst(t *testing.T) {
	db := openDB(t)
	clock := &stepClock{t: time.Date(2026, 11, 24, 14, 0, 0, 0, time.UTC)}
	d, err := Open(db, []Config{newReceiver(t, nil).hook()}, fastOptions, nil, nil, clock.now)
	if err != nil {
		t.Fatal(err)
	}
	for i := range 5 {
		enqueue(t, d, db, "order.accepted", i)
	}
	var pages [][]string
	cursor := ""
	for {
		page, next, err := d.Deliveries(context.Background(), cursor, 2)
		if err != nil {
			t.Fatal(err)
		}
		var events []string
		for _, dl := range page {
			events = append(events, fmt.Sprintf("%d %s", dl.CreatedAt.Second(), dl.Status))
		}
		pages = append(pages, events)
		if next == "" {
			break
		}
		cursor = next
	}
	want := "[[5 pending 4 pending] [3 pending 2 pending] [1 pending]]"
	if got := fmt.Sprint(pages); got != want {
		t.Fatalf("pages = %s, want %s", got, want)
	}
	if _, _, err := d.Deliveries(context.Background(), "not-a-cursor", 2); !errors.Is(err, ErrInvalid) {
		t.Fatalf("bad cursor: %v", err)
	}
}

func TestLogKeepsTheNewestFinished(t *testing.T) {
	db := openDB(t)
	rc := newReceiver(t, nil)
	opts := fastOptions
	opts.KeepFinished = 3
	d, err := Open(db, []Config{rc.hook()}, opts, nil, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	start(t, d)
	for i := range 7 {
		enqueue(t, d, db, "order.accepted", i)
		checkFor(t, "the delivery", func() bool { return len(rc.requests()) == i+1 })
	}
	checkFor(t, "the log to be trimmed", settled(t, d, 3))
	var ids []string
	for _, r := range rc.requests()[4:] {
		ids = append([]string{r.id}, ids...)
	}
	for i, dl := range deliveries(t, d) {
		if dl.ID != ids[i] || dl.Status != StatusDelivered {
			t.Errorf("log[%d] = %s %s, want %s delivered", i, dl.ID, dl.Status, ids[i])
		}
	}
}
