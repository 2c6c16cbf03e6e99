package storefront

import "github.com/fedmart/fedmart/node/web"

// aggregateRatingLD is a schema.org AggregateRating.
type aggregateRatingLD struct {
	Type        string `json:"@type"`
	RatingValue string `json:"ratingValue"`
	ReviewCount int64  `json:"reviewCount"`
	BestRating  int    `json:"bestRating"`
	WorstRating int    `json:"worstRating"`
}

// reviewLD is a schema.org Review.
type reviewLD struct {
	Type          string   `json:"@type"`
	Name          string   `json:"name"`
	ReviewBody    string   `json:"reviewBody,omitempty"`
	DatePublished string   `json:"datePublished"`
	Author        personLD `json:"author"`
	ReviewRating  ratingLD `json:"reviewRating"`
}

type personLD struct {
	Type string `json:"@type"`
	Name string `json:"name"`
}

type ratingLD struct {
	Type        string `json:"@type"`
	RatingValue int    `json:"ratingValue"`
	BestRating  int    `json:"bestRating"`
	WorstRating int    `json:"worstRating"`
}

// reviewData is a listing's structured rating and the reviews its page
// shows; nil without reviews.
func reviewData(v *reviewsView) (*aggregateRatingLD, []reviewLD) {
	if v == nil {
		return nil, nil
	}
	agg := &aggregateRatingLD{Type: "AggregateRating", RatingValue: v.Average, ReviewCount: v.Rating.Count, BestRating: 5, WorstRating: 1}
	var out []reviewLD
	for _, r := range v.Reviews {
		out = append(out, reviewLD{Type: "Review", Name: r.Title, ReviewBody: web.ClipText(r.Text, 1000), DatePublished: r.Date.Format("2006-01-02"),
			Author:       personLD{Type: "Person", Name: r.Reviewer},
			ReviewRating: ratingLD{Type: "Rating", RatingValue: r.Rating, BestRating: 5, WorstRating: 1}})
	}
	return agg, out
}
