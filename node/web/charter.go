package web

import (
	"time"

	"github.com/fedmart/fedmart/federation"
)

// charterView is what the charter template shows.
type charterView struct {
	federation.Charter
	Period     string
	Treasury   string // the treasury member's name, or its peer ID
	Self       string // this node's peer ID, marked in the members table
	Signatures []signatureRow
}

// signatureRow is one signature, named by its signer.
type signatureRow struct {
	PeerID, Name, Signature string
}

// charterViewOf builds the charter page from the signed charter.
func charterViewOf(sc *federation.SignedCharter, self string) *charterView {
	names := map[string]string{}
	for _, m := range sc.Charter.Members {
		names[m.PeerID] = m.Name
	}
	v := &charterView{Charter: sc.Charter, Period: time.Duration(sc.Charter.Period).String(), Self: self}
	if t := sc.Charter.Policy.Treasury; t != "" {
		v.Treasury = platformName(names, t)
	}
	for _, s := range sc.Signatures {
		v.Signatures = append(v.Signatures, signatureRow{PeerID: s.PeerID, Name: names[s.PeerID], Signature: shortID(s.Signature)})
	}
	return v
}
