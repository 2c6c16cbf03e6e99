package catalog

import (
	"context"
	"errors"
	"fmt"
	"testing"
)

// ApplyBatch gives, record for record, what Apply gives: the same stored
// state, results and errors, including for duplicates, stale, tampered and
// foreign records mixed into the batch.
func TestApplyBatchMatchesApply(t *testing.T) {
	members := &memberSet{}
	src := newNode(t, testConfig(), members)
	m := src.merchant(t)
	ctx := context.Background()
	var ids []string
	for i := 0; i < 20; i++ {
		l, err := src.CreateListing(ctx, m, input(fmt.Sprintf("Pan %d", i), fmt.Sprintf("PAN-%d", i)))
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, l.ID)
	}
	for _, id := range ids[:5] {
		if _, err := src.ReplaceListing(ctx, m, id, input("Renamed "+id, "PAN-R-"+id[len(id)-4:])); err != nil {
			t.Fatal(err)
		}
	}
	if err := src.TakeDown(ctx, m, ids[7]); err != nil {
		t.Fatal(err)
	}
	raws := src.raws()
	tampered := append([]byte(nil), raws[3]...)
	tampered[len(tampered)-10] ^= 1
	outsider := newNode(t, testConfig(), &memberSet{}) // its origin is not in members
	ol, _ := outsider.CreateListing(ctx, outsider.merchant(t), input("Foreign", "F-1"))
	_ = ol
	feed := append(append([][]byte{}, raws...), raws[0], raws[2], tampered, outsider.raws()[0])

	one, batch := newNode(t, testConfig(), members), newNode(t, testConfig(), members)
	var wantErrs []error
	for _, r := range feed {
		_, err := one.Apply(r)
		wantErrs = append(wantErrs, err)
	}
	_, gotErrs := batch.ApplyBatch(feed)
	for i := range feed {
		if (wantErrs[i] == nil) != (gotErrs[i] == nil) || (wantErrs[i] != nil && !sameKind(wantErrs[i], gotErrs[i])) {
			t.Fatalf("record %d: Apply said %v, ApplyBatch said %v", i, wantErrs[i], gotErrs[i])
		}
	}
	if one.Count() != batch.Count() || fmt.Sprint(one.Marks()) != fmt.Sprint(batch.Marks()) {
		t.Fatalf("state differs: count %d vs %d, marks %v vs %v", one.Count(), batch.Count(), one.Marks(), batch.Marks())
	}
	for _, id := range ids {
		a, errA := one.Listing(ctx, id)
		b, errB := batch.Listing(ctx, id)
		if (errA == nil) != (errB == nil) || a.Title != b.Title || a.Version != b.Version {
			t.Fatalf("%s: %v/%v vs %v/%v", id, a.Title, errA, b.Title, errB)
		}
	}
	if len(batch.raws()) != len(one.raws()) {
		t.Fatalf("changes announced: %d by ApplyBatch, %d by Apply", len(batch.raws()), len(one.raws()))
	}
	// Each change hands the index the same listing, units included: a
	// stock record takes its description from the batch when it was
	// placed there, from the store otherwise.
	for i, want := range one.changes {
		got := batch.changes[i]
		if (want.Listing == nil) != (got.Listing == nil) || (want.Listing != nil && fmt.Sprint(*want.Listing) != fmt.Sprint(*got.Listing)) {
			t.Fatalf("change %d (%s): Apply announced %+v, ApplyBatch %+v", i, want.Record.Kind, want.Listing, got.Listing)
		}
	}
}

func sameKind(a, b error) bool {
	for _, k := range []error{ErrStale, ErrDuplicate, ErrForged, ErrNotMember, ErrConflict, ErrInvalid, ErrTooLarge} {
		if errors.Is(a, k) != errors.Is(b, k) {
			return false
		}
	}
	return true
}

// A member with stricter limits still stores what another member's
// merchants list within that member's limits: otherwise the two catalogs
// would diverge and every catch-up between them would stop at the record.
func TestStricterMemberStillStoresOthersListings(t *testing.T) {
	members := &memberSet{}
	src := newNode(t, testConfig(), members)
	strict := testConfig()
	strict.MaxTitleLen, strict.MaxVariants = 10, 1
	dst := newNode(t, strict, members)
	in := input("A title well over ten characters", "LONG-1", "LONG-2")
	l, err := src.CreateListing(context.Background(), src.merchant(t), in)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range src.raws() {
		if _, err := dst.Apply(r); err != nil {
			t.Fatalf("the stricter member refused a valid record: %v", err)
		}
	}
	if got, err := dst.Listing(context.Background(), l.ID); err != nil || got.Title != in.Title {
		t.Fatalf("stricter member: %v %v", got.Title, err)
	}
	// Its own merchants are still held to its own limits.
	if _, err := dst.CreateListing(context.Background(), dst.merchant(t), in); !errors.Is(err, ErrInvalid) {
		t.Fatalf("own listing over its own limits: err = %v", err)
	}
}

// A record a batch stores changes the catalog's stamp even when it moves
// neither mark nor top (a seq inside a gap), as one Apply does: the search
// index snapshot is trusted only while the stamp is unchanged.
func TestBatchChangesTheStampInsideAGap(t *testing.T) {
	ctx := context.Background()
	for _, how := range []string{"Apply", "ApplyBatch", "AdmitBatch+StoreAdmitted"} {
		t.Run(how, func(t *testing.T) {
			a, b := pair(t)
			m := a.merchant(t)
			for _, title := range []string{"One", "Two", "Three", "Four"} { // seqs 1 to 4
				if _, err := a.CreateListing(ctx, m, input(title, "S-"+title)); err != nil {
					t.Fatal(err)
				}
			}
			for _, seq := range []uint64{1, 4} {
				if _, err := b.Apply(a.rawOf(t, seq)); err != nil {
					t.Fatalf("seq %d: %v", seq, err)
				}
			}
			before, err := b.Stamp()
			if err != nil {
				t.Fatal(err)
			}
			raw := a.rawOf(t, 3) // inside the gap: mark stays 1, top stays 4
			switch how {
			case "Apply":
				_, err = b.Apply(raw)
			case "ApplyBatch":
				_, errs := b.ApplyBatch([][]byte{raw})
				err = errs[0]
			default:
				_, errs := b.StoreAdmitted(b.AdmitBatch([][]byte{raw}))
				err = errs[0]
			}
			if err != nil {
				t.Fatal(err)
			}
			if mark, top := b.Origin(a.Platform()); mark != 1 || top != 4 {
				t.Fatalf("mark %d top %d, want 1 and 4", mark, top)
			}
			if after, _ := b.Stamp(); after == before {
				t.Fatalf("stamp %s unchanged after storing seq 3", after)
			}
		})
	}
}
