package federation

import (
	"strings"
	"testing"
)

// A member's level is read from the user agent its host announced; any
// agent but this project's, or a malformed level, is a build from
// before protocol levels.
func TestLevelOfAgent(t *testing.T) {
	for agent, want := range map[string]int{
		userAgent:                               ProtocolLevel,
		"fedmart/protocol/2":                    2,
		"fedmart/protocol/17":                   17,
		"github.com/libp2p/go-libp2p":           1,
		"":                                      1,
		"fedmart/protocol/abc":                  1,
		"fedmart/protocol/-1":                   1,
		"fedmart/protocol/0":                    1,
		"fedmart/protocol/+2":                   1,
		"fedmart/protocol/02":                   1,
		"fedmart/protocol/99999999999999999999": 1,
		"other/fedmart/protocol/2":              1,
	} {
		if got := levelOfAgent(agent); got != want {
			t.Errorf("levelOfAgent(%q) = %d, want %d", agent, got, want)
		}
	}
}

// Level 1 is written as no level, so that a build from before protocol
// levels, whose decoder refuses a field it does not know, reads such a
// charter; a level written as 1, below 1, or above this build's is
// refused, naming the field.
func TestCharterProtocolLevel(t *testing.T) {
	c := Charter{FederationID: "lv", Name: "Lv", Version: 1, Currency: "EUR", Period: Duration(MinPeriod),
		Policy: Policy{PayableOn: PayableOnDelivered}}
	for _, level := range []int{0, 1} {
		c.SetLevel(level)
		if err := c.ValidateDraft(); err != nil || c.Level() != 1 || strings.Contains(string(c.Canonical()), "protocol") {
			t.Errorf("level %d: %v, level %d, %s", level, err, c.Level(), c.Canonical())
		}
	}
	c.SetLevel(2)
	if err := c.ValidateDraft(); err != nil || c.Level() != 2 || !c.OneRecordListings() {
		t.Errorf("level 2: %v", err)
	}
	for _, bad := range []int{-1, 1, ProtocolLevel + 1} {
		c.Protocol = bad
		if err := c.ValidateDraft(); err == nil || !strings.Contains(err.Error(), "charter.protocol") {
			t.Errorf("protocol %d: %v", bad, err)
		}
	}
	for i, what := range Levels {
		if what == "" {
			t.Errorf("level %d says nothing of what it brings (Levels)", i+1)
		}
	}
}
