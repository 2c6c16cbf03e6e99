package mail

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	badger "github.com/dgraph-io/badger/v4"
)

// A letter is stored compressed, in well under half its bytes, and reads
// back whole; a message stored before letters were compressed, as plain
// JSON, still reads, is listed and is delivered.
func TestStoredLettersAreCompressedAndOldOnesStillRead(t *testing.T) {
	db := diskDB(t, t.TempDir())
	t.Cleanup(func() { _ = db.Close() })
	q := open(t, db, DefaultConfig(), fast(nil))

	m := letter("new")
	m.Letter.HTML = strings.Repeat("<tr><td>Cast-iron skillet, 26 cm</td><td>1</td><td>€49.00</td></tr>\n", 40)
	enqueue(t, db, q, m)
	list, _, err := q.Messages(context.Background(), "", 10)
	if err != nil || len(list) != 1 {
		t.Fatalf("messages %v, %v", list, err)
	}
	stored := storedValue(t, db, list[0].ID)
	plain, err := json.Marshal(mustMessage(t, q, list[0].ID))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(stored, []byte(compressed)) || len(stored)*2 > len(plain) {
		t.Fatalf("stored in %d bytes (compressed: %v), its JSON is %d", len(stored), bytes.HasPrefix(stored, []byte(compressed)), len(plain))
	}
	if got := mustMessage(t, q, list[0].ID); got.HTML != m.Letter.HTML || got.Text != m.Letter.Text || got.Subject != m.Letter.Subject {
		t.Fatalf("read back %+v", got)
	}

	// A message as a build before this one stored it: plain JSON.
	old := Message{Summary: Summary{ID: newID(time.Now().Add(-time.Minute), "old"), Key: "old", Kind: "test", To: "ada@example.org",
		Subject: "Stored before", Status: StatusPending, CreatedAt: time.Now().Add(-time.Minute).UTC(), NextAttemptAt: time.Now().Add(-time.Minute).UTC()},
		From: "fedmart@localhost", Text: "old text\n", HTML: "<p>old</p>"}
	raw, err := json.Marshal(old)
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Update(func(txn *badger.Txn) error {
		if err := txn.Set([]byte(prefixLog+old.ID), raw); err != nil {
			return err
		}
		return txn.Set(timeKey(prefixPending, old.NextAttemptAt, old.ID), nil)
	}); err != nil {
		t.Fatal(err)
	}
	if got := mustMessage(t, q, old.ID); got.Text != old.Text || got.HTML != old.HTML || got.Subject != old.Subject {
		t.Fatalf("old message read as %+v", got)
	}
	run(t, q)
	waitStatus(t, q, StatusMailbox)
	if got := mustMessage(t, q, old.ID); got.Status != StatusMailbox || got.HTML != old.HTML {
		t.Fatalf("old message after delivery: %+v", got)
	}
	if !bytes.HasPrefix(storedValue(t, db, old.ID), []byte(compressed)) {
		t.Error("the old message was stored again uncompressed")
	}
}

func storedValue(t *testing.T, db *badger.DB, id string) []byte {
	t.Helper()
	var v []byte
	if err := db.View(func(txn *badger.Txn) error {
		item, err := txn.Get([]byte(prefixLog + id))
		if err != nil {
			return err
		}
		v, err = item.ValueCopy(nil)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	return v
}

func mustMessage(t *testing.T, q *Queue, id string) Message {
	t.Helper()
	m, err := q.Message(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return m
}
