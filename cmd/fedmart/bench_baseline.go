package main

import (
	"context"
	"crypto/sha256"
	"fmt"
	"os"
	"slices"
	"sync"
	"time"

	badger "github.com/dgraph-io/badger/v4"
	"github.com/fedmart/fedmart/federation/replication"
	pubsub "github.com/libp2p/go-libp2p-pubsub"
	pb "github.com/libp2p/go-libp2p-pubsub/pb"
	"github.com/libp2p/go-libp2p/core/host"
	"github.com/libp2p/go-libp2p/core/peer"
)

// bareGossip publishes msgs at rate per second from the first of n plain hosts
// running GossipSub (flood publishing, content-hash ids, no validator) and
// returns, per message, the time until every other host received it, and
// the CPU time the process spent and the page faults it took from the
// first publication until the last delivery.
func bareGossip(ctx context.Context, n int, msgs [][]byte, rate int, signing string) (_ []time.Duration, cpu time.Duration, faults int64, err error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	hosts := make([]host.Host, n)
	topics := make([]*pubsub.Topic, n)
	subs := make([]*pubsub.Subscription, n)
	for i := range hosts {
		h, err := bareHost()
		if err != nil {
			return nil, 0, 0, err
		}
		defer h.Close()
		hosts[i] = h
		policy := pubsub.StrictSign
		if signing == "none" {
			policy = pubsub.StrictNoSign
		}
		ps, err := pubsub.NewGossipSub(ctx, h, pubsub.WithFloodPublish(true), pubsub.WithMessageSignaturePolicy(policy),
			pubsub.WithPeerOutboundQueueSize(replication.QueueSize), pubsub.WithValidateQueueSize(replication.QueueSize), pubsub.WithSeenMessagesTTL(replication.SeenTTL),
			pubsub.WithMessageIdFn(func(m *pb.Message) string { s := sha256.Sum256(m.Data); return string(s[:]) }))
		if err != nil {
			return nil, 0, 0, err
		}
		if topics[i], err = ps.Join("bench"); err != nil {
			return nil, 0, 0, err
		}
		if subs[i], err = topics[i].Subscribe(pubsub.WithBufferSize(len(msgs) + 16)); err != nil {
			return nil, 0, 0, err
		}
	}
	for i := range hosts {
		for j := i + 1; j < n; j++ {
			if err := hosts[i].Connect(ctx, peer.AddrInfo{ID: hosts[j].ID(), Addrs: hosts[j].Addrs()}); err != nil {
				return nil, 0, 0, err
			}
		}
	}
	time.Sleep(2 * time.Second) // same settling time as the fedmart cluster
	var mu sync.Mutex           // guards last
	last := make(map[string]time.Time, len(msgs))
	var wg sync.WaitGroup
	for i := 1; i < n; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range msgs {
				m, err := subs[i].Next(ctx)
				if err != nil {
					return
				}
				now := time.Now()
				mu.Lock()
				if now.After(last[string(m.Data)]) {
					last[string(m.Data)] = now
				}
				mu.Unlock()
			}
		}()
	}
	cpu0, faults0 := cpuTime(), pageFaults()
	sent := make([]time.Time, len(msgs))
	tick := time.NewTicker(time.Second / time.Duration(rate))
	defer tick.Stop()
	for i, m := range msgs {
		<-tick.C
		sent[i] = time.Now()
		if err := topics[0].Publish(ctx, m); err != nil {
			return nil, 0, 0, err
		}
	}
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(2 * time.Minute):
		return nil, 0, 0, fmt.Errorf("bare gossip: not every message arrived within 2 minutes")
	}
	cpu, faults = cpuTime()-cpu0, pageFaults()-faults0
	out := make([]time.Duration, len(msgs))
	for i, m := range msgs {
		out[i] = last[string(m)].Sub(sent[i])
	}
	return out, cpu, faults, nil
}

// badgerWriteRate writes each value under a fresh key with one WriteBatch
// in a new on-disk Badger, and returns values per second.
func badgerWriteRate(values [][]byte) (float64, error) {
	dir, err := os.MkdirTemp("", "fedmart-badger-")
	if err != nil {
		return 0, err
	}
	defer os.RemoveAll(dir)
	db, err := badger.Open(badger.DefaultOptions(dir).WithLogger(nil))
	if err != nil {
		return 0, err
	}
	defer db.Close()
	start := time.Now()
	wb := db.NewWriteBatch()
	for i, v := range values {
		if err := wb.Set([]byte(fmt.Sprintf("bench/%09d", i)), v); err != nil {
			return 0, err
		}
	}
	if err := wb.Flush(); err != nil {
		return 0, err
	}
	return float64(len(values)) / time.Since(start).Seconds(), nil
}

func percentile(d []time.Duration, p int) time.Duration {
	if len(d) == 0 {
		return 0
	}
	s := slices.Clone(d)
	slices.Sort(s)
	i := (len(s)*p + 99) / 100
	return s[min(max(i-1, 0), len(s)-1)]
}
