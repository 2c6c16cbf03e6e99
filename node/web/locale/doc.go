// Package locale holds the languages fedmart's pages speak: English (the
// default) and Simplified Chinese (zh-CN). Each language's messages are
// TOML files in messages/, embedded in the binary: <tag>.toml and one per
// area, <area>.<tag>.toml ("console.zh-CN.toml"), keyed by a dotted id
// ("nav.cart") that the templates name (`{{t "nav.cart"}}`) and the
// handlers pass to Site.T; a message may have plural forms ("one",
// "other") picked by its Count argument, and named arguments filled in
// with text/template ("{{.Count}} items").
//
// A Catalog is loaded once (Load) and is read-only after: it chooses a
// visitor's language (Choose) from, in order, a language they picked
// themselves (the storefront's selector, remembered in a cookie), their
// browser's Accept-Language, and English. Every message id must exist in
// every language: a test compares the files' keys and the ids the
// templates and the handlers use. The i18n library stays in this package.
package locale
