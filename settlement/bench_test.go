package settlement

import (
	"context"
	"net"
	"testing"
)

// benchPair is two sets of 1,000,000 items with 100 differences: 40 only
// on the initiator, 30 only on the responder, 30 with different content.
func benchPair(b *testing.B) (ItemSet, ItemSet) {
	b.Helper()
	a, c, _ := pairOf(b, 77, 1_000_000-70, 40, 30, 30)
	return a, c
}

func benchExchange(b *testing.B, fn func(ctx context.Context, c net.Conn, initiator bool, items ItemSet) (Diff, Stats, error)) {
	a, c := benchPair(b)
	b.ReportAllocs()
	b.ResetTimer()
	var st Stats
	for b.Loop() {
		ra, rb := overPipe(a, c, fn)
		if ra.err != nil || rb.err != nil || len(ra.diff.Have)+len(ra.diff.Need)+len(ra.diff.Differ) != 100 {
			b.Fatalf("exchange failed: %v %v", ra.err, rb.err)
		}
		st = ra.stats
	}
	b.ReportMetric(float64(st.BytesSent+st.BytesReceived), "wire-bytes/op")
	b.ReportMetric(float64(st.Rounds), "rounds/op")
}

// BenchmarkReconcile1M measures range-based reconciliation of 1M items
// with 100 differences over net.Pipe, both sides in this process.
func BenchmarkReconcile1M(b *testing.B) { benchExchange(b, reconcileConn) }

// BenchmarkNaiveExchange1M is the send-everything baseline on the same sets.
func BenchmarkNaiveExchange1M(b *testing.B) { benchExchange(b, naiveConn) }
