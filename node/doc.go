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
// federation f/, catalog c/, pictures m/, orders o/, settlement s/,
// webhooks w/, the pages' sign-out times p/, OpenID Connect sign-ins oidc/
// (node/oidc, each with a TTL), this package n/) and index/ (the search
// index snapshot, derived data rebuilt from Badger when missing or stale).
//
// # Backup and restore
//
// A backup is the database as Badger's backup stream, framed in a file
// that names its node and time and ends with a checksum (backup.go), so
// that a file cut short is refused. A running node streams it (GET
// /v1/backup); a stopped node's folder is read directly (BackupData).
// Restore checks a whole file, loads it beside db/ and swaps it in,
// keeping the old database; it leaves the note n/restored (RestoreMarker)
// and the catalog's restore mark. A node started on it learns its own
// catalog records back from the members before it signs new ones
// (restored.go).
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
