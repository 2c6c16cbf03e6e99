// Package dashboard serves the operator dashboard under /operator:
// sign-in with the operator token, the members (whether they answer,
// what the outbox owes each, replication lag), the parked messages to
// send again or drop, the charter and its pending amendments, this
// node's merchants and their tokens, the order flow, and settlement
// periods paged and filtered, each with what its statements wait for and
// its netting (also as CSV), the mailbox: the e-mail the node wrote
// to shoppers and merchants, each message's text and its HTML in a
// sandboxed frame, the escalated issues this node arbitrates (each
// case's signed thread, a question to either side, a decision confirmed
// first) and the members' service records.
//
// # Model
//
// New builds a Dashboard over a web.Site from Deps, the few methods it
// reads of the federation, the catalog, the order service, the
// settlement view and catalog replication (each declared here), and
// Options (the operator token, the live update interval). A session
// holds a keyed fingerprint of the operator token, so a changed token
// ends it. Charts are SVG drawn on the server (web.FlowChart,
// web.NettingChart), each followed by a table of the same figures.
// /operator/events pushes the members table, and on the settlement
// pages a version of the page shown, as server-sent events
// (web.Site.Stream); a page whose version changed fetches itself again.
//
// # Lifecycle
//
// New -> Mount. Event streams end when the visitor leaves, the operator
// session ends (a "signedout" event) or the site closes.
package dashboard
