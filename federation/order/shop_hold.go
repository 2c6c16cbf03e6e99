package order

import (
	"context"
	"errors"
	"fmt"
)

// A checkout that pays with points holds them at the shopper's issuer
// while it reserves the parts at their homes, not before: the hold and
// the reserves are one round trip each to different members, so the
// checkout waits for the slowest of them instead of their sum. What can
// be refused without asking anybody (the policy's share of the cart, a
// shopper without points, an issuer known to be down) is refused before
// anything is held or reserved.

// reserveWithPoints reserves o's parts and, when points > 0, holds that
// many points of o's shopper at the same time, setting o.Points. When the
// hold fails, the parts reserved are released and the hold's error is
// returned (the shopper sees why its points cannot pay, as before); when
// a reserve fails, the points held are released and the reserves' error
// is returned, with o.Points cleared.
func (s *Service) reserveWithPoints(ctx context.Context, o *Order, to Address, points int64) ([]*attempt, error) {
	if points <= 0 {
		return s.reserveAll(ctx, *o, to)
	}
	if err := s.mayHoldPoints(o, points); err != nil {
		return nil, err
	}
	type held struct {
		p   *OrderPoints
		err error
	}
	done := make(chan held, 1)
	go func() {
		oc := *o // the hold reads the order while the reserves read theirs
		p, err := s.holdOrderPoints(ctx, &oc, points)
		done <- held{p, err}
	}()
	attempts, err := s.reserveAll(ctx, *o, to)
	h := <-done
	switch {
	case h.err != nil && err == nil:
		return nil, errors.Join(h.err, s.releaseAll(attempts, "checkout failed"))
	case h.err != nil: // reserveAll released what it held
		return nil, h.err
	case err != nil:
		return nil, errors.Join(err, s.releasePoints(h.p, o.ID))
	}
	o.Points = h.p
	return attempts, nil
}

// mayHoldPoints refuses, before anything is held, a spend of n points
// on o that the issuer need not be asked about: what holdOrderPoints
// would refuse at once.
func (s *Service) mayHoldPoints(o *Order, n int64) error {
	if _, _, err := s.checkPoints(o, n); err != nil {
		return err
	}
	claim := s.claimOf(o.Shopper)
	switch {
	case claim == nil:
		return FieldErrors{{Field: "points", Message: "this shopper has no points account"}}
	case claim.Issuer != s.self && s.reach != nil && !s.reach.Reachable(claim.Issuer):
		return fmt.Errorf("%w: %s, which keeps this shopper's points, does not answer now", ErrPointsUnavailable, shortPeer(claim.Issuer))
	}
	return nil
}
