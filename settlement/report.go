package settlement

import "time"

// PeriodStatus is one settlement period and where its statements stand, as
// a node reports it.
type PeriodStatus struct {
	Period string    `json:"period"`
	Start  time.Time `json:"start"`
	End    time.Time `json:"end"`
	Status string    `json:"status"`
}

// Netting is the net position of every member in a period, with names,
// and the transfers that settle them.
type Netting struct {
	Period    string          `json:"period"`
	Positions []NamedPosition `json:"positions"`
	Transfers []Transfer      `json:"transfers"`
}

// NamedPosition is one member's net: positive when it is owed money.
type NamedPosition struct {
	PeerID string `json:"peer_id"`
	Name   string `json:"name"`
	Net    Money  `json:"net"`
}
