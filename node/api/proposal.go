package api

import (
	"net/http"

	"github.com/fedmart/fedmart/federation"
	"github.com/gin-gonic/gin"
)

// proposalJSON is a pending charter amendment as the API shows it: the
// federation's Proposal, its version, and whether it has taken force (which
// only the answer to the request that completed its supermajority says).
type proposalJSON struct {
	federation.Proposal
	Version uint64 `json:"version"`
	InForce bool   `json:"in_force"`
}

func toProposalJSON(p federation.Proposal) proposalJSON {
	return proposalJSON{Proposal: p, Version: p.Charter.Charter.Version, InForce: p.Carried()}
}

func (a *API) getProposals(c *gin.Context) {
	if _, err := a.deps.Federation.Charter(); err != nil {
		fail(c, err)
		return
	}
	list := a.deps.Federation.Proposals()
	out := make([]proposalJSON, 0, len(list))
	for _, p := range list {
		out = append(out, toProposalJSON(p))
	}
	c.JSON(http.StatusOK, gin.H{"proposals": out})
}

// postProposal answers 201 with the proposal while it gathers signatures,
// and 200 when the signatures it brought made it take force at once.
func (a *API) postProposal(c *gin.Context) {
	sc, ok := readSignedCharter(c)
	if !ok {
		return
	}
	p, err := a.deps.Federation.Propose(c.Request.Context(), sc)
	if err != nil {
		fail(c, err)
		return
	}
	status := http.StatusCreated
	if p.Carried() {
		status = http.StatusOK
	}
	c.JSON(status, toProposalJSON(p))
}

func (a *API) postProposalSign(c *gin.Context) {
	p, err := a.deps.Federation.SignProposal(c.Request.Context(), c.Param("digest"))
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, toProposalJSON(p))
}
