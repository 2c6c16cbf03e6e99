package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/url"
	"sort"
	"strings"
	"time"

	"github.com/fedmart/fedmart/settlement"
)

// Checks over the REST API of running node processes that the process
// tests share (the fault suite's and the after-sale kill test's): what
// every node answers about its settlement periods.

// findings collects the problems of one check round: the first few in
// full, the rest counted.
type findings struct {
	n     int
	lines []string
}

func (f *findings) add(format string, args ...any) {
	f.n++
	if len(f.lines) < 10 {
		f.lines = append(f.lines, fmt.Sprintf(format, args...))
	}
}

func (f *findings) err() error {
	if f.n == 0 {
		return nil
	}
	more := ""
	if f.n > len(f.lines) {
		more = fmt.Sprintf("\n  ... and %d more", f.n-len(f.lines))
	}
	return fmt.Errorf("%d problems:\n  %s%s", f.n, strings.Join(f.lines, "\n  "), more)
}

// getJSON reads path from m into out, with token as bearer; anything but
// 200 is an error.
func getJSON(m *procNode, path, token string, out any) error {
	s, b, err := m.do("GET", path, token, nil)
	if err != nil {
		return fmt.Errorf("%s: GET %s: %v", m.name, path, err)
	}
	if s != 200 {
		return fmt.Errorf("%s: GET %s: %d %s", m.name, path, s, bytes.TrimSpace(b))
	}
	if err := json.Unmarshal(b, out); err != nil {
		return fmt.Errorf("%s: GET %s: %v", m.name, path, err)
	}
	return nil
}

// statements returns m's statement of period with each other member, by
// the other member's peer ID.
func statements(m *procNode, period string) (map[string]settlement.Statement, error) {
	var page struct{ Statements []settlement.Statement }
	if err := getJSON(m, "/v1/settlement/periods/"+url.PathEscape(period)+"/statements", m.token, &page); err != nil {
		return nil, err
	}
	out := map[string]settlement.Statement{}
	for _, st := range page.Statements {
		other := st.Parties[0]
		if other == m.peer {
			other = st.Parties[1]
		}
		out[other] = st
	}
	return out, nil
}

// disputes counts a statement's disputed entries by reason.
func disputes(st settlement.Statement) string {
	if len(st.Disputes) == 0 {
		return ""
	}
	reasons := map[string]int{}
	for _, d := range st.Disputes {
		reasons[d.Reason]++
	}
	return "; disputed: " + tally(reasons)
}

func orNone(s settlement.Status) string {
	if s == "" {
		return "no statement"
	}
	return string(s)
}

func firstLine(s string) string {
	line, _, _ := strings.Cut(s, "\n")
	if len(line) > 300 {
		line = line[:300] + "..."
	}
	return line
}

// tally formats counts, sorted by kind.
func tally(counts map[string]int) string {
	kinds := make([]string, 0, len(counts))
	for k := range counts {
		kinds = append(kinds, k)
	}
	sort.Strings(kinds)
	var b strings.Builder
	for i, k := range kinds {
		if i > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "%s: %d", k, counts[k])
	}
	return b.String()
}

// periodsBetween names the one-minute settlement periods from the one
// containing from to the one containing to: those that ended during the
// load, and the one it stopped in.
func periodsBetween(from, to time.Time) []string {
	var out []string
	for p := settlement.PeriodOf(from, time.Minute); !p.Start.After(to); p = p.Next() {
		out = append(out, p.Name)
	}
	return out
}

// periodsAgreed checks that every period is agreed on both sides of
// every pair of nodes, with equal digests and entry counts.
func periodsAgreed(nodes []*procNode, periods []string) error {
	var f findings
	for _, p := range periods {
		sts := make([]map[string]settlement.Statement, len(nodes))
		for i, m := range nodes {
			var err error
			if sts[i], err = statements(m, p); err != nil {
				return err
			}
		}
		for i, a := range nodes {
			for j, b := range nodes[i+1:] {
				sa, sb := sts[i][b.peer], sts[i+1+j][a.peer]
				switch {
				case sa.Status != settlement.StatusAgreed || sb.Status != settlement.StatusAgreed:
					f.add("%s %s-%s: %s on %s (%d entries%s), %s on %s (%d entries%s)", p, a.name, b.name,
						orNone(sa.Status), a.name, sa.Count, disputes(sa), orNone(sb.Status), b.name, sb.Count, disputes(sb))
				case sa.Digest != sb.Digest || sa.Count != sb.Count:
					f.add("%s %s-%s: agreed, but %s holds %d entries (%.12s) and %s %d (%.12s)", p, a.name, b.name,
						a.name, sa.Count, sa.Digest, b.name, sb.Count, sb.Digest)
				}
			}
		}
	}
	return f.err()
}

// nettingSumsToZero checks that every period's net positions sum to
// exactly zero and that every node computes the same.
func nettingSumsToZero(nodes []*procNode, periods []string) error {
	var f findings
	for _, p := range periods {
		var first, firstName string
		for _, m := range nodes {
			var n settlement.Netting
			if err := getJSON(m, "/v1/settlement/periods/"+url.PathEscape(p)+"/netting", m.token, &n); err != nil {
				f.add("%s", firstLine(err.Error()))
				continue
			}
			var sum int64
			pos := make([]string, 0, len(n.Positions))
			for _, np := range n.Positions {
				sum += np.Net.Amount
				pos = append(pos, fmt.Sprintf("%s %d", np.Name, np.Net.Amount))
			}
			sort.Strings(pos)
			got := strings.Join(pos, ", ")
			if sum != 0 {
				f.add("%s on %s: positions sum to %d (%s)", p, m.name, sum, got)
			}
			if firstName == "" {
				first, firstName = got, m.name
			} else if got != first {
				f.add("%s: %s nets %s, %s nets %s", p, firstName, first, m.name, got)
			}
		}
	}
	return f.err()
}
