package web

import "github.com/fedmart/fedmart/node/web/locale"

// LocaleOf is the language tag names ("zh" is zh-CN, see
// locale.Catalog.Lookup), and whether the catalog has it: for a page
// whose language is not the visitor's, such as an e-mail's link that
// carries the letter's.
func (s *Site) LocaleOf(tag string) (*locale.Locale, bool) { return s.locales.Lookup(tag) }
