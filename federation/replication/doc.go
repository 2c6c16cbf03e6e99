// Package replication carries catalog records between federation members:
// live over a GossipSub topic, and after an absence over a catch-up stream.
//
// A record is signed by its home node, so any member may relay it. The live
// path publishes each record a node creates on the federation's topic, with
// content-hash message ids and flood publishing, and by default without
// GossipSub's own message signatures (Config.MessageSigning): the record's
// signature is the one that matters, and relays are authenticated members.
// A validator hands every arriving record to one applier, which verifies
// the records waiting in parallel and stores them in one transaction, and
// tells GossipSub what to do with each: stored records are accepted and
// relayed; known ones (duplicates, older versions) are ignored; forged,
// oversize or foreign ones are rejected.
//
// Catch-up (SyncProtocol) repairs what gossip missed. The requester sends
// its per-origin high-water marks; the responder streams every record it
// holds above them, one frame per record (so the bytes on the wire are the
// records' own plus a few bytes of framing), and ends with its own marks,
// read before it started. Once all records are applied the requester may
// raise its marks to the responder's: everything at or below them is stored
// or superseded on both sides. The requester reads, verifies and stores in
// a pipeline, one batch in each stage. Catch-up runs when a member
// connects, when a live record reveals a gap, and periodically with jitter.
package replication
