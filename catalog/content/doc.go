// Package content is the storefront's pages and help articles: what they
// are (Doc), how Markdown becomes safe HTML (Renderer), and the node's own
// store of them (Store): drafts, every published version, the operator's
// menu order, and the shoppers' "was this helpful?" votes and views.
//
// # Model
//
// A Doc is a page (about, terms, shipping and returns) or a help article
// (in a section, for shoppers or for merchants, and a category). Its body
// is Markdown; Render turns it into HTML with goldmark and then sanitizes
// that with bluemonday's user-generated-content policy, tightened so that
// pictures load only over https and no script, style, event handler or
// javascript: or data: link survives. Render is the only place in fedmart
// where text becomes markup.
//
// A Doc has a scope. A local one is shown by this storefront only. A
// federation one is also signed by this node as a published record of the
// catalog (catalog.KindDoc) and replicated to every member, whose
// storefronts show it beside their own; a takedown is a tombstone. The
// charter says which members may publish them. The store reads the
// federation's docs through the small Federation interface it declares.
//
// The operator edits a draft; publishing copies the draft into a new
// published version, kept for ever under its number, so that any earlier
// one can be viewed and restored (restoring publishes it again as the
// newest version). Slugs are unique per kind among this node's docs; a
// federation doc of another member whose slug this node also uses is
// reached by its origin-qualified key (<origin>.<slug>).
//
// Help search is a small inverted index over the published articles,
// local and federation, built with the catalog search's analyzer and
// rebuilt when either changes.
//
// # Lifecycle
//
// Open builds a Store over the node's Badger (keys under "k/"); it starts
// no goroutines. Invalidate tells it that the federation's docs changed.
package content
