package main

import (
	"context"
	"fmt"
	"sync/atomic"
	"time"

	"github.com/fedmart/fedmart/federation/order"
	"github.com/fedmart/fedmart/node"
)

// demoTally counts what the simulation did after the sale, for the
// summary the demo prints now and then and when it stops. Every field is
// safe for concurrent use.
type demoTally struct {
	orders, cancels, returns               atomic.Int64
	asked, answered                        atomic.Int64 // messages: the shoppers' questions, the merchants' answers
	opened, askedMore, offered, refused    atomic.Int64 // issues opened; the merchants' answers
	informed, accepted, escalated, decided atomic.Int64 // the shoppers' replies; the arbiter's decisions
	signins                                atomic.Int64 // shoppers signed in with another member
	pointsEarned, pointsSpent, pointsPaid  atomic.Int64 // points earned and spent; orders points paid for
	pointsEntries                          atomic.Int64 // points entries in agreed periods' statements
	coupons, couponOff                     atomic.Int64 // orders that used the demo's coupon; what it took off, in minor units
	offerLines                             atomic.Int64 // order lines a merchant's offer discounted
	restocks, restocked                    atomic.Int64 // merchants' restocking feeds; the listings they topped up
	currency                               string       // of couponOff
	lastSaid                               atomic.Value // string: the summary said last
}

// issuesAnswered counts the merchants' answers to issues.
func (t *demoTally) issuesAnswered() int64 {
	return t.askedMore.Load() + t.offered.Load() + t.refused.Load()
}

// String is the summary: what the shoppers and merchants did, with
// counts.
func (t *demoTally) String() string {
	s := fmt.Sprintf("orders: %d, cancellations: %d, returns asked: %d; "+
		"messages: %d (%d questions from shoppers, %d answers from merchants); "+
		"issues: %d opened, %d answered (%d asked for more, %d refunds offered, %d refused), "+
		"%d answered with more information, %d refunds accepted, %d escalated, %d decided by the arbiter",
		t.orders.Load(), t.cancels.Load(), t.returns.Load(),
		t.asked.Load()+t.answered.Load(), t.asked.Load(), t.answered.Load(),
		t.opened.Load(), t.issuesAnswered(), t.askedMore.Load(), t.offered.Load(), t.refused.Load(),
		t.informed.Load(), t.accepted.Load(), t.escalated.Load(), t.decided.Load())
	s += fmt.Sprintf("; loyalty: %d points earned, %d spent in %d orders, %d points entries settled; "+
		"%d lines at a merchant's offer; coupon %s used %d times (%s off); %d shoppers signed in with another member",
		t.pointsEarned.Load(), t.pointsSpent.Load(), t.pointsPaid.Load(), t.pointsEntries.Load(),
		t.offerLines.Load(), demoCoupon, t.coupons.Load(), order.Money{Amount: t.couponOff.Load(), Currency: t.currency}, t.signins.Load())
	s += fmt.Sprintf("; restocks: %d feeds from merchants topped up %d listings", t.restocks.Load(), t.restocked.Load())
	return s
}

// summaryLoop says the summary every period when it changed, with the
// members' flushes to disk (disk).
func summaryLoop(ctx context.Context, t *demoTally, every time.Duration, disk func() string, say func(string, ...any)) error {
	for sleepCtx(ctx, every) {
		s := t.String()
		if last, _ := t.lastSaid.Load().(string); last == s {
			continue
		}
		t.lastSaid.Store(s)
		say("so far: %s; %s", s, disk())
	}
	return nil
}

// diskWords says how the members' acknowledged writes reached their
// disks: each member's order commits and merchants' feeds share the
// flushes of its database (groupsync).
func diskWords(c *node.Cluster) string {
	var flushes, commits, feeds, small, turns uint64
	var waited time.Duration
	for _, n := range c.Nodes {
		f, cm := n.Orders().Flushes()
		fd, w := n.Catalog().Synced()
		sf, st := n.Catalog().SmallFeeds()
		flushes, commits, feeds, waited = flushes+f, commits+cm, feeds+fd, waited+w
		small, turns = small+sf, turns+st
	}
	s := fmt.Sprintf("disk: %d flushes for %d commits of orders and feeds", flushes, commits)
	if flushes > 0 {
		s += fmt.Sprintf(" (%.1f a flush)", float64(commits)/float64(flushes))
	}
	if feeds > 0 {
		s += fmt.Sprintf(", a feed waited %.2f ms for its flush on average", float64(waited.Microseconds())/1000/float64(feeds))
	}
	if small > 0 {
		s += fmt.Sprintf("; %d small feeds written in %d turns of the catalogs' writer locks", small, turns)
	}
	return s
}
