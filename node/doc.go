// Package node is the composition root of a fedmart daemon: it reads the
// node's configuration, opens Badger, starts the federation's libp2p host,
// the catalog with its search index and replication, and the HTTP API, and
// wires them together. Nothing else in the module constructs these.
//
// # Data folder
//
// A node lives in one folder (fedmart init): identity.key (the platform's
// Ed25519 identity, mode 0600), operator.token (mode 0600), fedmart.yaml,
// db/ (Badger: every package owns a key prefix in the one database:
// federation f/, catalog c/, orders o/, settlement s/, webhooks w/, the
// pages' sign-out times p/) and index/ (the search index
// snapshot, derived data rebuilt from Badger when missing or stale).
//
// # Lifecycle
//
// New opens everything in order and verifies a given charter file before
// anything listens; if a step fails, what was opened is closed again. Run
// serves until its context ends: the HTTP server, the federation's member
// keeper, catalog replication and value-log GC, owned by one errgroup. Close
// releases in reverse order: HTTP drains, the federation stops, the search
// index snapshot is saved, and Badger closes last.
//
// Cluster runs several nodes in one process on loopback for the demo, the
// benchmarks and the multi-node tests.
package node
