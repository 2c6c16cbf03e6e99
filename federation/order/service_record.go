package order

import (
	"context"
	"errors"
	"slices"
	"strings"
	"time"

	badger "github.com/dgraph-io/badger/v4"
)

// ServiceRecord is how one member, as the home of parts, has answered the
// issues this node knows of: as their storefront, as their home, or as
// their arbiter. It is derived from the signed issue messages this node
// holds, so every member computes it the same way from what it saw.
type ServiceRecord struct {
	// Member is the home's peer id.
	Member string `json:"member"`
	// Issues counts the issues about its parts.
	Issues int `json:"issues"`
	// Answered counts those its merchant answered at least once; the
	// first-response times are theirs (seconds from the opening to the
	// first answer), median and 90th percentile (nearest rank).
	Answered            int   `json:"answered"`
	FirstResponseMedian int64 `json:"first_response_median_seconds"`
	FirstResponseP90    int64 `json:"first_response_p90_seconds"`
	// Resolved counts the issues resolved by agreement or decided by the
	// arbiter; ResolutionRate is Resolved / Issues.
	Resolved       int     `json:"resolved"`
	ResolutionRate float64 `json:"resolution_rate"`
	// Escalated counts the issues taken to the arbiter (decided or not);
	// EscalatedShare is Escalated / Issues.
	Escalated      int     `json:"escalated"`
	EscalatedShare float64 `json:"escalated_share"`
	// Decided counts the arbiter's decisions, DecidedAgainst those with a
	// remedy (refund or replacement); AgainstShare is DecidedAgainst /
	// Decided.
	Decided        int     `json:"decided"`
	DecidedAgainst int     `json:"decided_against"`
	AgainstShare   float64 `json:"against_share"`
}

// ServiceRecords returns the service record of every member this node
// knows an issue of, the most issues first. Each issue counts once, in
// the latest state this node holds of it (its own copy as storefront or
// home, or a case's thread as arbiter).
func (s *Service) ServiceRecords(ctx context.Context) ([]ServiceRecord, error) {
	type held struct {
		home  string
		issue Issue
	}
	issues := map[string]held{}
	keep := func(home string, i Issue) {
		// The latest state held wins; at one seq, an arbiter's decision not
		// yet stated back by the home.
		if h, ok := issues[i.ID]; !ok || h.issue.Seq < i.Seq || (h.issue.Seq == i.Seq && i.State == IssueDecided && h.issue.State != IssueDecided) {
			issues[i.ID] = held{home, i}
		}
	}
	err := s.db.View(func(txn *badger.Txn) error {
		// As storefront.
		for _, k := range keys(txn, prefixOrder, "", 0) {
			if err := ctx.Err(); err != nil {
				return err
			}
			var o Order
			if _, err := getJSON(txn, k, &o); err != nil {
				return err
			}
			for _, p := range o.Parts {
				for _, i := range p.Issues {
					if i.Seq > 0 {
						keep(p.Platform, i)
					}
				}
			}
		}
		// As home.
		seen := map[string]bool{}
		for _, k := range keys(txn, prefixHomeIssue, "", 0) {
			rest := strings.Split(k[len(prefixHomeIssue):], "/")
			if len(rest) < 3 || seen[rest[len(rest)-2]] {
				continue
			}
			part := rest[len(rest)-2]
			seen[part] = true
			p, err := loadHome(txn, part)
			if errors.Is(err, ErrNotFound) {
				continue
			} else if err != nil {
				return err
			}
			for _, i := range p.Issues {
				keep(s.self, i)
			}
		}
		// As arbiter.
		for _, k := range keys(txn, prefixArbCase, "", 0) {
			var c Case
			if _, err := getJSON(txn, k, &c); err != nil {
				return err
			}
			if c.State != CaseRefused {
				i := c.Issue
				if c.Decision != nil && i.State != IssueDecided { // decided here, not yet stated back
					i.State, i.Offer = IssueDecided, &IssueOffer{Remedy: c.Decision.Remedy, Amount: c.Decision.Amount}
				}
				keep(c.Home, i)
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	byMember := map[string]*ServiceRecord{}
	waits := map[string][]time.Duration{}
	for _, h := range issues {
		r := byMember[h.home]
		if r == nil {
			r = &ServiceRecord{Member: h.home}
			byMember[h.home] = r
		}
		i := h.issue
		r.Issues++
		if !i.FirstResponseAt.IsZero() {
			r.Answered++
			waits[h.home] = append(waits[h.home], max(i.FirstResponseAt.Sub(i.OpenedAt), 0))
		}
		if i.State == IssueResolved || i.State == IssueDecided {
			r.Resolved++
		}
		if i.State == IssueEscalated || i.State == IssueDecided || i.Arbiter != "" {
			r.Escalated++
		}
		if i.State == IssueDecided {
			r.Decided++
			if i.Offer != nil && i.Offer.Remedy != RemedyNone {
				r.DecidedAgainst++
			}
		}
	}
	out := make([]ServiceRecord, 0, len(byMember))
	for m, r := range byMember {
		w := waits[m]
		slices.Sort(w)
		r.FirstResponseMedian, r.FirstResponseP90 = int64(rank(w, 0.5).Seconds()), int64(rank(w, 0.9).Seconds())
		r.ResolutionRate = share(r.Resolved, r.Issues)
		r.EscalatedShare = share(r.Escalated, r.Issues)
		r.AgainstShare = share(r.DecidedAgainst, r.Decided)
		out = append(out, *r)
	}
	slices.SortFunc(out, func(a, b ServiceRecord) int {
		if a.Issues != b.Issues {
			return b.Issues - a.Issues
		}
		return strings.Compare(a.Member, b.Member)
	})
	return out, nil
}

// rank is the nearest-rank q-quantile of sorted durations; 0 for none.
func rank(sorted []time.Duration, q float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	k := int(q*float64(len(sorted))+0.999999) - 1
	return sorted[min(max(k, 0), len(sorted)-1)]
}

func share(n, of int) float64 {
	if of == 0 {
		return 0
	}
	return float64(n) / float64(of)
}
