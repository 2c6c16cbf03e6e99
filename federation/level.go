package federation

import (
	"strconv"
	"strings"
)

// ProtocolLevel is the highest protocol level this build speaks. A new
// level is a change in what members send each other that a build before
// it would refuse, so no member sends it until the charter says the
// alliance speaks it: operators raise Charter.Protocol by amendment once
// every member runs a build that speaks the level. A build that does not
// refuses such a charter (and so cannot sign the amendment), as it
// refuses one with a field it does not know.
const ProtocolLevel = 2

// Levels says what each protocol level brings, Levels[n-1] for level n.
var Levels = [ProtocolLevel]string{
	"two signed records per new listing",
	"one signed record per new listing", // catalog.Record.CarriesStock
}

// Level returns the protocol level the charter sets, 1 when it sets none.
func (c *Charter) Level() int { return max(c.Protocol, 1) }

// SetLevel sets the charter's protocol level. Level 1 is written as no
// level at all, which a build from before protocol levels reads too.
func (c *Charter) SetLevel(level int) {
	if level == 1 {
		level = 0
	}
	c.Protocol = level
}

// OneRecordListings reports whether homes sign a new listing, and a
// change of both its description and its stock, as one record that
// carries the stock: from level 2.
func (c *Charter) OneRecordListings() bool { return c.Level() >= 2 }

// userAgent is what a member's host tells the others it runs, in libp2p's
// identify: the highest protocol level its build speaks.
var userAgent = agentPrefix + strconv.Itoa(ProtocolLevel)

const agentPrefix = "fedmart/protocol/"

// levelOfAgent is the highest protocol level a build speaks, read from
// the user agent its host announced: 1 for any other agent (a build from
// before protocol levels announces libp2p's default).
func levelOfAgent(agent string) int {
	digits, ok := strings.CutPrefix(agent, agentPrefix)
	if level, err := strconv.Atoi(digits); ok && err == nil && level > 0 && digits == strconv.Itoa(level) {
		return level
	}
	return 1
}
