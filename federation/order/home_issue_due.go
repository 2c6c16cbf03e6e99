package order

import (
	"context"
	"errors"
	"strings"
	"time"

	badger "github.com/dgraph-io/badger/v4"
)

// A home node reminds its merchants of an issue's deadline close to
// expiry: the first response's while the merchant has not answered, the
// resolution's while the issue is live (open or awaiting the shopper),
// once each, Config.IssueDueWarning before it falls. The deadlines of an
// issue are indexed when the home opens it, under
// "o/hdue/<deadline>/<part>/<issue>/<respond|resolve>"; a scan every
// minute takes the entries whose deadline is within the warning, drops
// each, and tells the notifier (NoticeIssueDue) when the deadline still
// stands. The notice's ID names the issue and the deadline, so a reminder
// indexed again (a restore's catch-up) mails once.

// Deadlines a reminder is about (Notice.Due).
const (
	DueRespond = "respond"
	DueResolve = "resolve"
)

// indexIssueDue indexes the deadlines issue i of part still has to meet,
// in txn.
func indexIssueDue(txn *badger.Txn, part string, i *Issue) error {
	if !i.Live() {
		return nil
	}
	if i.FirstResponseAt.IsZero() && !i.RespondBy.IsZero() {
		if err := txn.Set([]byte(prefixIssueDue+timeKey(i.RespondBy)+"/"+part+"/"+i.ID+"/"+DueRespond), nil); err != nil {
			return err
		}
	}
	if i.ResolveBy.IsZero() {
		return nil
	}
	return txn.Set([]byte(prefixIssueDue+timeKey(i.ResolveBy)+"/"+part+"/"+i.ID+"/"+DueResolve), nil)
}

// openedHere reports whether the status at seq opened issue i.
func openedHere(i *Issue, seq uint64) bool {
	return len(i.Steps) > 0 && i.Steps[0].Action == IssueActOpen && i.Steps[0].Seq == seq
}

// remindIssues tells the notifier of the issues' deadlines that fall
// within the warning from now.
func (s *Service) remindIssues(ctx context.Context) error {
	now := s.now()
	due, err := s.dueBefore(prefixIssueDue, now.Add(s.cfg.IssueDueWarning))
	if err != nil {
		return err
	}
	var errs []error
	for _, k := range due {
		if ctx.Err() != nil {
			break
		}
		errs = append(errs, s.remindIssue(k, now))
	}
	return errors.Join(errs...)
}

// remindIssue drops the index entry k and, when its deadline still
// stands after now, tells the notifier of it.
func (s *Service) remindIssue(k string, now time.Time) error {
	f := strings.Split(strings.TrimPrefix(k, prefixIssueDue), "/") // deadline, part, issue, which
	if len(f) != 4 {
		return s.update(func(txn *badger.Txn) error { return txn.Delete([]byte(k)) })
	}
	part, iid, which := f[1], f[2], f[3]
	unlock := s.lockHome(part)
	defer unlock()
	return s.update(func(txn *badger.Txn) error {
		if _, err := txn.Get([]byte(k)); errors.Is(err, badger.ErrKeyNotFound) {
			return nil // another scan took it
		} else if err != nil {
			return err
		}
		if err := txn.Delete([]byte(k)); err != nil {
			return err
		}
		p, err := loadHome(txn, part)
		if errors.Is(err, ErrNotFound) {
			return nil
		}
		if err != nil {
			return err
		}
		i := issueOf(p.Issues, iid)
		if i == nil || !i.Live() || s.notify == nil {
			return nil
		}
		deadline := i.ResolveBy
		if which == DueRespond {
			if !i.FirstResponseAt.IsZero() {
				return nil // answered
			}
			deadline = i.RespondBy
		}
		if !deadline.After(now) {
			return nil // passed while no scan ran: too late to remind
		}
		cp := cloneIssue(*i)
		return s.notify.Notify(txn, Notice{ID: "home/" + part + "/issue/" + iid + "/due/" + which, Kind: NoticeIssueDue, Home: p, Issue: &cp, Due: which})
	})
}
