// Package federation is a node's place in its commerce alliance: who belongs,
// and the members-only libp2p network they talk over.
//
// # Identity and charter
//
// A platform is its node's Ed25519 libp2p key. The federation is defined by
// a charter (Charter): its id, name, settlement currency and period, the
// revenue-share policy, and the members with their addresses. Members sign
// the canonical JSON body of a version (SignedCharter). The versions form a
// chain: version n+1 names the digest of version n in Previous.
//
//   - Version 1 is valid when every listed member has signed it.
//   - Version n+1 is valid when more than two thirds of version n's active
//     members have signed it, and every signature verifies and comes from a
//     member of version n or n+1. Versions never skip or repeat.
//
// A node holds the chain in Badger under the key prefix "f/". The operator
// gives a node its first charter (VerifyBootstrap); every later version is
// verified against its predecessor, whether the operator submits it (Submit)
// or a member relays it over CharterProtocol. An applied version takes effect
// at once: members no longer active are disconnected and refused, new ones
// are dialed.
//
// An amendment may also gather its signatures over the federation
// (Proposal): a member proposes the next version with its own signature
// (Propose), members pass it on over ProposalProtocol and add theirs
// (SignProposal), merging signatures until one of them sees a supermajority
// and applies the version as Submit would. Pending proposals are kept under
// "f/proposal/" and dropped once a version is applied that they do not
// follow.
//
// # Network
//
// The libp2p host listens on TCP and QUIC with Noise and TLS and yamux,
// and runs identify and ping, nothing else: it is assembled from those
// parts (BuildHost) rather than by libp2p.New, which would link WebRTC,
// WebTransport, WebSocket and relay code the node never starts. Members
// publish their addresses in the charter, so no relay, NAT port mapping,
// hole punching or AutoNAT runs either. A
// ConnectionGater admits only active members, in both directions, at the
// point where the remote identity is proven (InterceptSecured); every stream
// handler checks membership again (Handle), because a charter may change
// under an open connection. Pre-shared keys are not used: they break QUIC.
// The keeper dials every member it is not connected to, backing off
// exponentially per member, and the pinger measures round trips; Members
// reports both.
//
// # The flows over it
//
// Each flow between members has a room of its own under federation/, the
// domain in plain Go beside the small package that carries it over the
// host (through Handle, so membership is checked on every stream):
//
//   - catalog records: package catalog, carried by federation/replication
//     (GossipSub and the catch-up stream);
//   - orders: package federation/order, carried by federation/orderwire;
//   - settlement: package settlement, carried by federation/settlewire;
//   - pictures of listings: package catalog/media, carried by
//     federation/mediawire (a member asks a listing's home for a picture
//     by its hash, and keeps it only if the bytes match).
//
// # Lifecycle
//
// New creates the host and loads the stored charter; Run keeps the mesh
// until its context ends; Close closes the host.
package federation
