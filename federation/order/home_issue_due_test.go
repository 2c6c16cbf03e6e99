package order

import (
	"context"
	"slices"
	"sync"
	"testing"
	"time"

	badger "github.com/dgraph-io/badger/v4"
)

// noticeLog keeps the notices a service gives, as the node's mailer
// would receive them.
type noticeLog struct {
	mu      sync.Mutex // guards notices
	notices []Notice
}

func (l *noticeLog) Notify(_ *badger.Txn, n Notice) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.notices = append(l.notices, n)
	return nil
}

// of returns the notices of kind so far.
func (l *noticeLog) of(kind string) []Notice {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []Notice
	for _, n := range l.notices {
		if n.Kind == kind {
			out = append(out, n)
		}
	}
	return out
}

// TestIssueDueReminders: the home reminds the merchant of an issue's
// first-response deadline once it is within the warning, once, and not
// for an issue the merchant answered; then of the resolution deadline of
// the issue still live, not of the one the merchant refused.
func TestIssueDueReminders(t *testing.T) {
	f := newCluster(t, 3)
	a, b, c := f.members[0], f.members[1], f.members[2]
	f.setTerms(demoTerms(c.id)) // first response in 24h, resolution in 7 days
	ctx := context.Background()
	pan := f.list(b, "forge", "PAN", 4990, 10)
	o, p := f.delivered(a, b, 2, pan)
	open := func(desc string) Issue {
		t.Helper()
		i, err := a.svc.OpenIssue(ctx, o.Shopper, o.ID, p.ID, IssueInput{Category: "damaged", Description: desc, Remedy: RemedyReplacement}, "")
		if err != nil {
			t.Fatal(err)
		}
		return issueOn(t, a, o, p.ID, i.ID, IssueOpen, 1)
	}
	i1, i2 := open("dented"), open("scratched")
	due := func(want ...string) {
		t.Helper()
		if err := b.svc.remindIssues(ctx); err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, n := range b.notes.of(NoticeIssueDue) {
			got = append(got, n.ID)
			if n.Home == nil || n.Home.ID != p.ID || n.Issue == nil || "home/"+p.ID+"/issue/"+n.Issue.ID+"/due/"+n.Due != n.ID {
				t.Errorf("notice %s: home %v, issue %v, due %q", n.ID, n.Home != nil, n.Issue != nil, n.Due)
			}
		}
		if !slices.Equal(got, want) {
			t.Fatalf("reminders at %s:\n got %q\nwant %q", f.clk.now().Format(time.RFC3339), got, want)
		}
	}
	due()
	f.clk.add(17 * time.Hour) // 7h before the first-response deadline: not yet
	due()
	if _, err := b.svc.AnswerIssue(ctx, "forge", p.ID, i2.ID, IssueAnswer{Action: IssueActAskInfo, Text: "a photo, please"}); err != nil {
		t.Fatal(err)
	}
	f.clk.add(2 * time.Hour) // 5h before: i1, unanswered, is reminded of; i2 was answered
	respond1 := "home/" + p.ID + "/issue/" + i1.ID + "/due/" + DueRespond
	due(respond1)
	due(respond1) // not twice
	f.clk.add(24 * time.Hour)
	if _, err := b.svc.AnswerIssue(ctx, "forge", p.ID, i2.ID, IssueAnswer{Action: IssueActRefuse, Text: "no damage on the photo"}); err != nil {
		t.Fatal(err)
	}
	due(respond1)
	f.clk.add(5 * 24 * time.Hour) // 163h after opening: 5h before the resolution deadline
	due(respond1, "home/"+p.ID+"/issue/"+i1.ID+"/due/"+DueResolve)
	f.clk.add(6 * time.Hour) // past every deadline
	due(respond1, "home/"+p.ID+"/issue/"+i1.ID+"/due/"+DueResolve)
	if n, err := countKeys(b, prefixIssueDue); err != nil || n != 0 {
		t.Errorf("%d deadlines still indexed (%v), want none", n, err)
	}
}

// TestIssueDueLate: a deadline that passed while no scan ran (the node
// was down) is not reminded of.
func TestIssueDueLate(t *testing.T) {
	f := newCluster(t, 2)
	a, b := f.members[0], f.members[1]
	ctx := context.Background()
	pan := f.list(b, "forge", "PAN", 4990, 10)
	o, p := f.delivered(a, b, 1, pan)
	i, err := a.svc.OpenIssue(ctx, o.Shopper, o.ID, p.ID, IssueInput{Category: "other", Description: "odd smell", Remedy: RemedyReturn}, "")
	if err != nil {
		t.Fatal(err)
	}
	issueOn(t, a, o, p.ID, i.ID, IssueOpen, 1)
	f.clk.add(49 * time.Hour) // past the default 48h first response
	if err := b.svc.remindIssues(ctx); err != nil {
		t.Fatal(err)
	}
	if got := b.notes.of(NoticeIssueDue); len(got) != 0 {
		t.Errorf("reminded of a deadline past: %+v", got)
	}
}

func countKeys(m *member, prefix string) (int, error) {
	n := 0
	err := m.db.View(func(txn *badger.Txn) error {
		n = len(keys(txn, prefix, "", 0))
		return nil
	})
	return n, err
}
