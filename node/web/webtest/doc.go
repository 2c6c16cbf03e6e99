// Package webtest builds what the page tests of node/web and its three
// audiences (storefront, console, dashboard) run against: two members'
// real catalogs and real order services over in-memory Badger, joined by
// an in-memory transport, this node's search index, a settable clock, and
// a browser that keeps its cookies. Only what a test cannot get from a
// real service in one process is a fake, each said why where it is
// declared: the federation's membership state (it needs libp2p
// connections), the settlement view (it needs reconciled periods between
// nodes), catalog replication progress and pending charter amendments.
//
// # Model
//
// New(t) makes "Alpha Market", this node, and "Beta Bazaar", another
// member. Each has a catalog and an order service on its own Badger; a
// listing made on Beta (ListOther) reaches Alpha's catalog as gossip would
// carry it, and a checkout on Alpha's storefront reserves and confirms
// Beta's lines at Beta's order service over the in-memory transport.
// Unreachable makes a member not answer, as a partitioned member does.
// Each member also stores pictures (Upload): Alpha's pages serve Beta's
// by fetching them from Beta's picture service, as a member does.
//
// Site builds the shared page kit over Alpha's services; a test builds the
// audience it tests on it and browses Handler with a Browser.
//
// Pages are also checked in a real headless Chromium (Chrome starts one):
// a PageChecker runs axe-core (its script named by AxeEnv) and the
// overflow check (Overflow) on the page a chromedp context shows, and
// returns each problem with the element at fault. node/browser_test.go
// runs them on every page of the three areas at 390x844.
//
// # Lifecycle
//
// Everything New starts is stopped by t.Cleanup: the order services'
// background work first, then the databases.
package webtest
