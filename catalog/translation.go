package catalog

import (
	"fmt"
	"maps"
	"slices"
	"strings"
)

// A listing is shown in the language its merchant wrote it in; it may
// also carry its title and description in other languages the
// storefronts speak, which a storefront shows a shopper reading that
// language. Translations are part of the signed description: they
// replicate with it and are validated wherever it is received.

// TranslationLanguages are the BCP 47 tags a translation may be in: the
// languages fedmart's storefronts speak.
var TranslationLanguages = []string{"en", "zh-CN"}

// Translation is a listing's title and description in one language.
type Translation struct {
	// Title is required, at most Config.MaxTitleLen characters.
	Title string `json:"title"`
	// Description is optional, at most Config.MaxDescriptionLen
	// characters; "" shows the original description.
	Description string `json:"description,omitempty"`
}

// Translated is l's title and description in lang, when l carries a
// translation into it, else its own.
func (l *Listing) Translated(lang string) (title, description string) {
	if t, ok := l.Translations[lang]; ok {
		title, description = t.Title, t.Description
		if description == "" {
			description = l.Description
		}
		return title, description
	}
	return l.Title, l.Description
}

// translations checks each translation's language, title and
// description, naming the field as translations[<lang>].title.
func (v *validator) translations(m map[string]Translation) {
	for _, lang := range slices.Sorted(maps.Keys(m)) {
		t := m[lang]
		field := fmt.Sprintf("translations[%s]", clip(lang))
		if !slices.Contains(TranslationLanguages, lang) {
			v.add(field, "must be one of %s, not %q", strings.Join(TranslationLanguages, ", "), clip(lang))
			continue
		}
		v.text(field+".title", t.Title, true, v.cfg.MaxTitleLen, false)
		v.text(field+".description", t.Description, false, v.cfg.MaxDescriptionLen, true)
	}
}

func cloneTranslations(m map[string]Translation) map[string]Translation {
	if len(m) == 0 {
		return nil
	}
	return maps.Clone(m)
}
