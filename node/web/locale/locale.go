package locale

import (
	"embed"
	"fmt"
	"io/fs"
	"path"
	"strings"
	"sync"

	"github.com/nicksnyder/go-i18n/v2/i18n"
	"github.com/pelletier/go-toml/v2"
	"golang.org/x/text/language"
)

// messageFS holds one message file per language, named after its tag.
//
//go:embed messages/*.toml
var messageFS embed.FS

// Tags the pages are written in, the default first.
const (
	English = "en"
	Chinese = "zh-CN"
)

// tags are the languages, in the order the selector lists them.
var tags = []string{English, Chinese}

// names are the languages' names as their speakers write them.
var names = map[string]string{English: "English", Chinese: "简体中文"}

// Catalog is every language's messages. It is read-only after Load and
// safe for concurrent use.
type Catalog struct {
	bundle  *i18n.Bundle
	matcher language.Matcher
	byTag   map[string]*Locale
	list    []*Locale
}

// Locale is one language of the catalog.
type Locale struct {
	// Tag is the language's BCP 47 tag, as <html lang> and hreflang write
	// it: "en" or "zh-CN".
	Tag string
	// Name is the language's name in itself: "English", "简体中文".
	Name string
	loc  *i18n.Localizer
	// plain keeps what T gave for a message id without arguments, for
	// the ids the catalog has (so it holds at most the catalog): pages
	// ask for the same labels on every card of every page, and the
	// catalog never changes once loaded.
	plain sync.Map // id -> string
}

// Load parses the embedded message files.
func Load() (*Catalog, error) {
	return load(messageFS)
}

func load(fsys fs.FS) (*Catalog, error) {
	b := i18n.NewBundle(language.English)
	b.RegisterUnmarshalFunc("toml", toml.Unmarshal)
	c := &Catalog{bundle: b, byTag: make(map[string]*Locale, len(tags))}
	var parsed []language.Tag
	for _, tag := range tags {
		files, err := messageFiles(fsys, tag)
		if err != nil {
			return nil, fmt.Errorf("locale: %w", err)
		}
		for _, name := range files {
			buf, err := fs.ReadFile(fsys, name)
			if err != nil {
				return nil, fmt.Errorf("locale: %w", err)
			}
			if _, err := b.ParseMessageFileBytes(buf, path.Base(name)); err != nil {
				return nil, fmt.Errorf("locale: %s: %w", name, err)
			}
		}
		// A message missing in zh-CN falls back to English rather than to
		// its id; the key test keeps that from happening.
		l := &Locale{Tag: tag, Name: names[tag], loc: i18n.NewLocalizer(b, tag, English)}
		c.byTag[tag], c.list = l, append(c.list, l)
		parsed = append(parsed, language.MustParse(tag))
	}
	c.matcher = language.NewMatcher(parsed)
	return c, nil
}

// Locales are the catalog's languages, English first.
func (c *Catalog) Locales() []*Locale { return c.list }

// Default is English.
func (c *Catalog) Default() *Locale { return c.byTag[English] }

// Lookup is the language tag names, if the catalog has it; the match is
// on the tag's spelling, case aside ("zh-cn" is zh-CN), plus "zh" for
// zh-CN.
func (c *Catalog) Lookup(tag string) (*Locale, bool) {
	for _, l := range c.list {
		if strings.EqualFold(tag, l.Tag) {
			return l, true
		}
	}
	if strings.EqualFold(tag, "zh") || strings.EqualFold(tag, "zh-Hans") || strings.EqualFold(tag, "zh-Hans-CN") {
		return c.byTag[Chinese], true
	}
	return nil, false
}

// Choose is the language of a visitor who picked chosen ("" for none)
// and whose browser sends acceptLanguage: the one they picked if the
// catalog has it, else the best match of their browser's list, else
// English. Traditional Chinese (zh-TW, zh-Hant) is no match for zh-CN.
func (c *Catalog) Choose(chosen, acceptLanguage string) *Locale {
	if l, ok := c.Lookup(chosen); ok {
		return l
	}
	prefs, _, err := language.ParseAcceptLanguage(acceptLanguage)
	if err != nil || len(prefs) == 0 {
		return c.Default()
	}
	_, i, conf := c.matcher.Match(prefs...)
	if conf < language.High {
		return c.Default()
	}
	return c.list[i]
}

// T is the message id in l's language, with args as name-value pairs
// ("Count", 3, "Name", "Ada") filled into it; a "Count" argument also
// picks the plural form. A message the catalog lacks is its id, so that
// a missing key shows on the page rather than failing it (a test keeps
// every key present).
func (l *Locale) T(id string, args ...any) string {
	if len(args) == 0 {
		if s, ok := l.plain.Load(id); ok {
			return s.(string)
		}
		s, err := l.loc.Localize(&i18n.LocalizeConfig{MessageID: id})
		if err != nil {
			return id // not kept: ids may be built from what peers send
		}
		l.plain.Store(id, s)
		return s
	}
	lc := &i18n.LocalizeConfig{MessageID: id}
	if len(args) > 0 {
		data := make(map[string]any, len(args)/2)
		for i := 0; i+1 < len(args); i += 2 {
			k, _ := args[i].(string)
			data[k] = args[i+1]
			if k == "Count" {
				lc.PluralCount = args[i+1]
			}
		}
		lc.TemplateData = data
	}
	return l.localize(lc, id)
}

// localize is lc's message, or id when the catalog lacks it.
func (l *Locale) localize(lc *i18n.LocalizeConfig, id string) string {
	s, err := l.loc.Localize(lc)
	if err != nil {
		return id
	}
	return s
}

// messageFiles are the message files of one language: messages/<tag>.toml
// and one per area, messages/<area>.<tag>.toml ("console.zh-CN.toml"), so
// that the storefront's, the console's and the mails' messages each have
// a file of their own.
func messageFiles(fsys fs.FS, tag string) ([]string, error) {
	area, err := fs.Glob(fsys, "messages/*."+tag+".toml")
	if err != nil {
		return nil, err
	}
	main := "messages/" + tag + ".toml"
	if _, err := fs.Stat(fsys, main); err != nil {
		return nil, err
	}
	return append([]string{main}, area...), nil
}
