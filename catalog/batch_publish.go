package catalog

// Publication of a bulk import.
//
// A feed of a thousand listings makes two thousand signed records.
// Publishing each as its own GossipSub message costs the home node a
// message signature and a check of that signature per record (strict
// signing), and every member the same check again before it checks the
// record's own signature: on two cores that is more than the import
// itself. Catch-up moves the same records for far less: one stream,
// records checked in parallel and stored 512 to a transaction.
//
// So a commit of UpsertBatch that stores more than bulkSignal records
// marks all but its last Quiet; the node publishes only that last one.
// A member that receives it finds a gap below its seq (records of this
// origin it lacks) and catches up with the member that sent it at once,
// which fetches the whole commit. Nothing depends on the signal
// arriving: the periodic catch-up round closes any gap within
// replication.sync_interval, as it does for a record gossip lost. Small
// commits (a merchant editing a few listings) publish every record, so
// that a change reaches members in one hop.
//
// Every record a member stores still carries its origin's signature and
// is checked by the member, whichever way it came.

// bulkSignal is the number of records above which a bulk commit
// publishes only its last.
const bulkSignal = 64
