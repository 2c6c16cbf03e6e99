//go:build linux

package main

import (
	"fmt"
	"net/url"
	"sort"
	"strings"

	"github.com/fedmart/fedmart/settlement"
)

// The fault suite's checks of settlement (see fault_check_test.go).

// 5. Every period the load spanned is agreed on both sides of every pair,
// with equal digests.

// statements returns m's statement of period with each other member, by
// the other member's peer ID.
func statements(m *faultMember, period string) (map[string]settlement.Statement, error) {
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

func (c *faultCheck) agreed() error {
	var f findings
	for _, p := range c.periods {
		sts := make([]map[string]settlement.Statement, len(c.members))
		for i, m := range c.members {
			var err error
			if sts[i], err = statements(m, p); err != nil {
				return err
			}
		}
		for i, a := range c.members {
			for j, b := range c.members[i+1:] {
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

// 6. Every period's net positions sum to exactly zero and every member
// computes the same.

func (c *faultCheck) netting() error {
	var f findings
	for _, p := range c.periods {
		var first, firstName string
		for _, m := range c.members {
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

func firstLine(s string) string {
	line, _, _ := strings.Cut(s, "\n")
	if len(line) > 300 {
		line = line[:300] + "..."
	}
	return line
}

// nodeReport is what one member says about itself, for the failure dump:
// whether it answers, whom it sees connected, its outbox, its periods.
