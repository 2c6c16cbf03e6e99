package main

import (
	"context"
	"errors"
	"hash/fnv"
	"math/rand/v2"

	"github.com/fedmart/fedmart/catalog"
	"github.com/fedmart/fedmart/federation/order"
	"github.com/fedmart/fedmart/node"
)

// The simulated shoppers review most of what is delivered to them, with
// the ratings shoppers give (mostly 4 and 5 stars, some 1 to 3), and the
// merchants reply to every low rating and to some of the others.

// demoRatings is the distribution the shoppers draw their stars from,
// in percent: 1 to 5 stars.
var demoRatings = [5]int{5, 5, 10, 28, 52}

// demoReviewWords are a title and a text per number of stars.
var demoReviewWords = [5][2]string{
	{"Not as described", "It arrived, but it is not what the listing shows. Disappointed."},
	{"Could be better", "Does the job, but the finish is rough and it feels cheap."},
	{"It's fine", "Average quality for the price. Delivery was on time."},
	{"Very good", "Solid and well made. Would buy again."},
	{"Excellent", "Exactly as described, well packed and quick to arrive. Love it."},
}

// demoStars draws a rating from demoRatings.
func demoStars(rng *rand.Rand) int {
	n := rng.IntN(100)
	for i, p := range demoRatings {
		if n < p {
			return i + 1
		}
		n -= p
	}
	return 5
}

// reviewDelivered reviews, with a chance each, the delivered lines of the
// shopper's recent orders on store that it has not reviewed yet.
func reviewDelivered(ctx context.Context, store *node.Node, shopper, who string, rng *rand.Rand, say func(string, ...any)) {
	orders, _, err := store.Orders().Orders(ctx, shopper, "", 20)
	if err != nil {
		return
	}
	self := store.PeerID().String()
	for _, o := range orders {
		for _, p := range o.Parts {
			if p.Status != order.StatusDelivered {
				continue
			}
			for _, it := range p.Items {
				if _, err := store.Catalog().Review(ctx, catalog.ReviewID(self, p.ID, it.ListingID, it.SKU)); !errors.Is(err, catalog.ErrNotFound) || rng.IntN(10) < 3 {
					continue
				}
				stars := demoStars(rng)
				words := demoReviewWords[stars-1]
				rv, err := store.WriteReview(ctx, shopper, o.ID, catalog.ReviewInput{Part: p.ID, ListingID: it.ListingID, SKU: it.SKU,
					Rating: stars, Title: words[0], Text: words[1]})
				if err == nil {
					say("%-14s %s reviewed %q: %d of 5 stars (%s)", store.Name(), who, it.Title, rv.Rating, rv.Reviewer)
				}
			}
		}
	}
}

// replyToReviews has merchant reply to the reviews of its listings that
// have none: to every one of 3 stars or fewer, and to a third of the
// others (the same third on every pass).
func replyToReviews(ctx context.Context, n *node.Node, merchant, name string, say func(string, ...any)) {
	reviews, err := n.Catalog().MerchantReviews(ctx, n.PeerID().String(), merchant, 50)
	if err != nil {
		return
	}
	for _, rv := range reviews {
		h := fnv.New32a()
		h.Write([]byte(rv.ID))
		if rv.Reply != nil || rv.Rating > 3 && h.Sum32()%3 != 0 {
			continue
		}
		text := "Thank you for your review, " + rv.Reviewer + "! We are glad you like it."
		if rv.Rating <= 3 {
			text = "We are sorry to read this, " + rv.Reviewer + ". Please write to us from your order page: we will make it right."
		}
		if _, err := n.Catalog().PutReply(ctx, merchant, rv.ID, text); err == nil {
			say("%-14s %s replied to a %d-star review", n.Name(), name, rv.Rating)
		}
	}
}
