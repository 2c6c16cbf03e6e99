package replication

import (
	"context"
	"errors"
	"fmt"

	pubsub "github.com/libp2p/go-libp2p-pubsub"
	"github.com/libp2p/go-libp2p/core/peer"
)

func (r *Replicator) join(fedID string) (*pubsub.Topic, error) {
	name := TopicName(fedID)
	if err := r.ps.RegisterTopicValidator(name, r.validate); err != nil {
		return nil, fmt.Errorf("replication: validator: %w", err)
	}
	t, err := r.ps.Join(name)
	if err != nil {
		return nil, fmt.Errorf("replication: join %s: %w", name, err)
	}
	return t, nil
}

// validate is the topic validator. It stores the record as it validates
// it, so that the decision GossipSub relays on is the store's own verdict.
// The node's own publications were stored when they were made.
func (r *Replicator) validate(_ context.Context, from peer.ID, m *pubsub.Message) pubsub.ValidationResult {
	if from == r.fed.Self() {
		return pubsub.ValidationAccept
	}
	// The forwarding peer must be a member; so must the author when messages
	// are signed (unsigned messages have none: the record's origin, checked
	// by the store, is the author that matters).
	author := m.GetFrom()
	if !r.fed.IsMember(from) || (len(author) > 0 && !r.fed.IsMember(peer.ID(author))) {
		r.metrics.received.WithLabelValues("refused").Inc()
		return pubsub.ValidationReject
	}
	res := r.apply(m.Data)
	switch res.Outcome {
	case Stored:
		r.metrics.received.WithLabelValues("stored").Inc()
		if res.Gap {
			r.gapSeen(res.Origin, from)
		}
		return pubsub.ValidationAccept
	case Known:
		r.metrics.received.WithLabelValues("known").Inc()
		return pubsub.ValidationIgnore
	case Early:
		// Ignored, not rejected: a rejection lowers the relaying peer's
		// GossipSub score, and a member whose clock runs a little ahead
		// of this one's may have accepted the record in good faith.
		r.metrics.received.WithLabelValues("early").Inc()
		r.log.Warn("ignored a catalog record dated ahead of this node's clock; is a clock wrong?", "from", from, "err", res.Err)
		return pubsub.ValidationIgnore
	default:
		r.metrics.received.WithLabelValues("refused").Inc()
		r.log.Warn("refused a catalog record", "from", from, "err", res.Err)
		return pubsub.ValidationReject
	}
}

// drain reads the subscription: validation did the work, but a subscription
// must be read for GossipSub to keep delivering.
func (r *Replicator) drain(ctx context.Context, sub *pubsub.Subscription) error {
	for {
		if _, err := sub.Next(ctx); err != nil {
			if ctx.Err() != nil || errors.Is(err, pubsub.ErrSubscriptionCancelled) {
				return nil
			}
			return fmt.Errorf("replication: subscription: %w", err)
		}
	}
}

func (r *Replicator) publishLoop(ctx context.Context, t *pubsub.Topic) error {
	for {
		select {
		case <-ctx.Done():
			return nil
		case raw := <-r.outbox:
			if err := t.Publish(ctx, raw); err != nil && ctx.Err() == nil {
				r.metrics.dropped.Inc()
				r.log.Debug("publish failed; catch-up will carry the record", "err", err)
				continue
			}
			r.metrics.published.Inc()
		}
	}
}
