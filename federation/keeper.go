package federation

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/cenkalti/backoff/v4"
	"github.com/libp2p/go-libp2p/core/event"
	"github.com/libp2p/go-libp2p/core/network"
	"github.com/libp2p/go-libp2p/core/peer"
	"github.com/libp2p/go-libp2p/p2p/protocol/ping"
)

// keep holds a connection to every active member. Each round it dials the
// members it is not connected to whose backoff has expired; a failed dial
// pushes that member's next attempt out exponentially (up to MaxBackoff), a
// success resets it. A disconnect or a new charter wakes it at once.
func (f *Federation) keep(ctx context.Context) error {
	var (
		mu       sync.Mutex // guards next, boff and inflight
		next     = map[peer.ID]time.Time{}
		boff     = map[peer.ID]*backoff.ExponentialBackOff{}
		inflight = map[peer.ID]bool{}
		wg       sync.WaitGroup
	)
	defer wg.Wait()
	tick := time.NewTicker(f.cfg.DialInterval)
	defer tick.Stop()
	for {
		now := time.Now()
		for _, p := range f.disconnectedMembers() {
			mu.Lock()
			due := !inflight[p] && !now.Before(next[p])
			if due {
				inflight[p] = true
			}
			mu.Unlock()
			if !due {
				continue
			}
			wg.Add(1)
			go func(p peer.ID) {
				defer wg.Done()
				err := f.dial(ctx, p)
				mu.Lock()
				defer mu.Unlock()
				delete(inflight, p)
				if err == nil {
					delete(boff, p)
					delete(next, p)
					return
				}
				if boff[p] == nil {
					boff[p] = f.newBackoff()
				}
				next[p] = time.Now().Add(boff[p].NextBackOff())
				f.log.Debug("member unreachable", "peer", p, "retry_in", time.Until(next[p]).Round(time.Millisecond), "err", err)
			}(p)
		}
		select {
		case <-ctx.Done():
			return nil
		case <-tick.C:
		case <-f.wake:
		}
	}
}

func (f *Federation) newBackoff() *backoff.ExponentialBackOff {
	b := backoff.NewExponentialBackOff()
	b.InitialInterval = 250 * time.Millisecond
	b.MaxInterval = f.cfg.MaxBackoff
	b.MaxElapsedTime = 0 // members are retried for as long as they are members
	b.Reset()
	return b
}

func (f *Federation) disconnectedMembers() []peer.ID {
	sc := f.charter.Load()
	if sc == nil {
		return nil
	}
	var out []peer.ID
	for _, m := range sc.Charter.ActiveMembers() {
		id, err := peer.Decode(m.PeerID)
		if err != nil || id == f.self {
			continue
		}
		if f.host.Network().Connectedness(id) != network.Connected {
			out = append(out, id)
		}
	}
	return out
}

func (f *Federation) dial(ctx context.Context, p peer.ID) error {
	ctx, cancel := context.WithTimeout(ctx, f.cfg.DialTimeout)
	defer cancel()
	f.metrics.dials.Inc()
	return f.host.Connect(ctx, peer.AddrInfo{ID: p})
}

// pingLoop measures the round trip to every connected member, and tells
// a member that stopped answering from one that is only slow: a ping that
// fails is tried once more at once, and a member that fails both is
// unreachable (Reachable is false) and its connections are closed, so
// that the keeper dials it afresh and every protocol sees it leave rather
// than wait on a connection that carries nothing. A cut link is seen
// within about two ping intervals.
func (f *Federation) pingLoop(ctx context.Context) error {
	tick := time.NewTicker(f.cfg.PingInterval)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-tick.C:
		}
		var wg sync.WaitGroup
		for _, p := range f.host.Network().Peers() {
			if !f.IsMember(p) {
				continue
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				f.probe(ctx, p)
			}()
		}
		wg.Wait()
	}
}

// probe pings p, and once more when that fails; a member that answers
// neither is marked unreachable and disconnected.
func (f *Federation) probe(ctx context.Context, p peer.ID) {
	if f.pingOnce(ctx, p) || f.pingOnce(ctx, p) || ctx.Err() != nil {
		return
	}
	f.states.update(p, func(l *liveness) { l.down = true })
	f.metrics.unreachable.Inc()
	f.log.Warn("member unreachable: no answer to two pings", "peer", p)
	_ = f.host.Network().ClosePeer(p)
	f.nudge()
}

// pingTimeout bounds one ping: long enough for a slow link, short enough
// to see a cut one in seconds.
func (f *Federation) pingTimeout() time.Duration { return min(f.cfg.PingInterval, 2*time.Second) }

// pingOnce pings p and records the round trip; it reports whether p
// answered.
func (f *Federation) pingOnce(ctx context.Context, p peer.ID) bool {
	ctx, cancel := context.WithTimeout(ctx, f.pingTimeout())
	defer cancel()
	res, ok := <-ping.Ping(ctx, f.host, p)
	if !ok || res.Error != nil {
		return false
	}
	now := time.Now()
	f.states.update(p, func(l *liveness) { l.rtt, l.lastSeen, l.down = res.RTT, now, false })
	f.metrics.rtt.Observe(res.RTT.Seconds())
	return true
}

func (f *Federation) subscribeConnectedness() (event.Subscription, error) {
	return f.host.EventBus().Subscribe(new(event.EvtPeerConnectednessChanged))
}

// watchConnectedness reacts to members connecting and leaving: a new
// connection starts a charter exchange (so a member that was away learns the
// amendments it missed), a lost one wakes the keeper.
func (f *Federation) watchConnectedness(ctx context.Context, sub event.Subscription) error {
	var wg sync.WaitGroup
	defer wg.Wait()
	for {
		select {
		case <-ctx.Done():
			return nil
		case e, ok := <-sub.Out():
			if !ok {
				return nil
			}
			ev := e.(event.EvtPeerConnectednessChanged)
			f.metrics.connected.Set(float64(len(f.host.Network().Peers())))
			if ev.Connectedness != network.Connected {
				f.nudge()
				continue
			}
			f.seen(ev.Peer)
			wg.Add(1)
			go func() {
				defer wg.Done()
				if err := f.syncCharter(ctx, ev.Peer); err != nil {
					level := slog.LevelDebug
					if refused(err) {
						level = slog.LevelWarn
					}
					f.log.Log(ctx, level, "charter exchange failed", "peer", ev.Peer, "err", err)
				}
				f.pingOnce(ctx, ev.Peer)
			}()
		}
	}
}
