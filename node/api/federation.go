package api

import (
	"errors"
	"io"
	"net/http"
	"time"

	"github.com/fedmart/fedmart/federation"
	"github.com/gin-gonic/gin"
)

type memberJSON struct {
	PeerID    string     `json:"peer_id"`
	Name      string     `json:"name"`
	API       string     `json:"api"`
	Status    string     `json:"status"`
	Connected bool       `json:"connected"`
	LastSeen  *time.Time `json:"last_seen"`
	RTTMillis *float64   `json:"rtt_ms"`
	// Protocol is the highest protocol level the member's build speaks;
	// null when not known yet.
	Protocol *int `json:"protocol"`
}

func toMemberJSON(m federation.MemberState) memberJSON {
	out := memberJSON{PeerID: m.PeerID.String(), Name: m.Name, API: m.API, Status: m.Status, Connected: m.Connected}
	if !m.LastSeen.IsZero() {
		t := m.LastSeen.UTC()
		out.LastSeen = &t
	}
	if m.RTT > 0 {
		ms := float64(m.RTT.Microseconds()) / 1000
		out.RTTMillis = &ms
	}
	if m.Protocol > 0 {
		out.Protocol = &m.Protocol
	}
	return out
}

func (a *API) getFederation(c *gin.Context) {
	sc, err := a.deps.Federation.Charter()
	if err != nil {
		fail(c, err)
		return
	}
	ch := &sc.Charter
	self, _ := ch.Member(a.deps.Federation.Self())
	members := make([]gin.H, 0, len(ch.Members))
	for _, m := range ch.Members {
		members = append(members, gin.H{"peer_id": m.PeerID, "name": m.Name, "api": m.API, "addrs": m.Addrs, "status": m.Status})
	}
	c.JSON(http.StatusOK, gin.H{
		"federation_id":   ch.FederationID,
		"name":            ch.Name,
		"charter_version": ch.Version,
		"protocol":        ch.Level(),
		"currency":        ch.Currency,
		"period":          time.Duration(ch.Period).String(),
		"policy":          ch.Policy,
		"self":            gin.H{"peer_id": a.deps.Federation.Self().String(), "name": self.Name},
		"members":         members,
	})
}

func (a *API) getMembers(c *gin.Context) {
	if _, err := a.deps.Federation.Charter(); err != nil {
		fail(c, err)
		return
	}
	list := a.deps.Federation.Members()
	out := make([]memberJSON, 0, len(list))
	for _, m := range list {
		out = append(out, toMemberJSON(m))
	}
	c.JSON(http.StatusOK, gin.H{"members": out})
}

func (a *API) postCharter(c *gin.Context) {
	sc, ok := readSignedCharter(c)
	if !ok {
		return
	}
	if err := a.deps.Federation.Submit(c.Request.Context(), sc); err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"federation_id": sc.Charter.FederationID, "charter_version": sc.Charter.Version, "members": len(sc.Charter.Members)})
}

// readSignedCharter decodes a signed charter document from the request
// body, or answers the problem and reports false.
func readSignedCharter(c *gin.Context) (*federation.SignedCharter, bool) {
	body, err := io.ReadAll(c.Request.Body)
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		failStatus(c, http.StatusRequestEntityTooLarge, "Request too large", err.Error())
		return nil, false
	}
	if err != nil {
		failStatus(c, http.StatusBadRequest, "Unreadable body", err.Error())
		return nil, false
	}
	sc, err := federation.ParseSignedCharter(body)
	if err != nil {
		fail(c, err)
		return nil, false
	}
	return sc, true
}
