package federation

import (
	"errors"
	"strings"
	"testing"

	"github.com/libp2p/go-libp2p/core/peer"
)

// TestCharterContent: a charter without content terms keeps its signed
// bytes and lets every active member publish; one that names publishers
// lets only them; bad lists are refused naming the field.
func TestCharterContent(t *testing.T) {
	a, ka := staticMember(t, "alpha")
	b, kb := staticMember(t, "beta")
	v1 := founding(t, []Member{a, b}, ka, kb)
	if strings.Contains(string(v1.Charter.Canonical()), "content") {
		t.Errorf("a charter without content terms encodes them: %s", v1.Charter.Canonical())
	}
	ida, _ := peer.Decode(a.PeerID)
	idb, _ := peer.Decode(b.PeerID)
	if !v1.Charter.MayPublish(ida) || !v1.Charter.MayPublish(idb) {
		t.Error("by default a member may not publish federation pages")
	}
	v2 := amend(t, v1, func(c *Charter) { c.Content.Publishers = []string{a.PeerID} }, ka, kb)
	if err := v2.Verify(&v1.Charter); err != nil {
		t.Fatal(err)
	}
	if !v2.Charter.MayPublish(ida) || v2.Charter.MayPublish(idb) {
		t.Error("publishers alpha: beta may publish or alpha may not")
	}
	v3 := amend(t, v2, func(c *Charter) { c.Members[0].Status = StatusSuspended }, ka, kb)
	if v3.Charter.MayPublish(ida) {
		t.Error("a suspended publisher may publish")
	}
	stranger, _ := staticMember(t, "gamma")
	for _, tt := range []struct {
		name, field string
		list        []string
	}{
		{"not a peer id", "charter.content.publishers[0]", []string{"alpha"}},
		{"twice", "charter.content.publishers[1]", []string{a.PeerID, a.PeerID}},
		{"not a member", "charter.content.publishers[1]", []string{a.PeerID, stranger.PeerID}},
	} {
		bad := amend(t, v1, func(c *Charter) { c.Content.Publishers = tt.list }, ka, kb)
		if err := bad.Verify(&v1.Charter); !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), tt.field) {
			t.Errorf("%s: err = %v, want one naming %s", tt.name, err, tt.field)
		}
	}
}
