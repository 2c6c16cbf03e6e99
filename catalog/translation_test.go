package catalog

import (
	"context"
	"errors"
	"strings"
	"testing"
)

func TestValidateTranslations(t *testing.T) {
	ok := []map[string]Translation{
		nil,
		{"zh-CN": {Title: "平底锅", Description: "铸铁平底锅。\n可用于电磁炉。"}},
		{"zh-CN": {Title: "平底锅"}, "en": {Title: "Pan"}},
		{"zh-CN": {Title: strings.Repeat("锅", 200)}},
	}
	for _, tr := range ok {
		in := input("Pan", "PAN-1")
		in.Translations = tr
		if err := ValidateListing(testConfig(), in); err != nil {
			t.Errorf("%v refused: %v", tr, err)
		}
	}
	bad := []struct {
		tr           map[string]Translation
		field, words string
	}{
		{map[string]Translation{"fr": {Title: "Poêle"}}, "translations[fr]", "must be one of en, zh-CN"},
		{map[string]Translation{"zh-cn": {Title: "平底锅"}}, "translations[zh-cn]", "must be one of"},
		{map[string]Translation{"zh-TW": {Title: "平底鍋"}}, "translations[zh-TW]", "must be one of"},
		{map[string]Translation{"": {Title: "x"}}, "translations[]", "must be one of"},
		{map[string]Translation{"zh-CN": {Title: ""}}, "translations[zh-CN].title", "is required"},
		{map[string]Translation{"zh-CN": {Title: "  "}}, "translations[zh-CN].title", "is required"},
		{map[string]Translation{"zh-CN": {Title: strings.Repeat("锅", 201)}}, "translations[zh-CN].title", "at most 200"},
		{map[string]Translation{"zh-CN": {Title: "a\nb"}}, "translations[zh-CN].title", "control"},
		{map[string]Translation{"zh-CN": {Title: "锅", Description: strings.Repeat("x", 5001)}}, "translations[zh-CN].description", "at most 5000"},
		{map[string]Translation{"zh-CN": {Title: "锅", Description: "a\xffb"}}, "translations[zh-CN].description", "UTF-8"},
	}
	for _, tc := range bad {
		in := input("Pan", "PAN-1")
		in.Translations = tc.tr
		err := ValidateListing(testConfig(), in)
		var ve *ValidationError
		if !errors.As(err, &ve) {
			t.Errorf("%v: err = %v, want a ValidationError", tc.tr, err)
			continue
		}
		found := false
		for _, fe := range ve.Errors {
			found = found || fe.Field == tc.field && strings.Contains(fe.Message, tc.words)
		}
		if !found {
			t.Errorf("%v: errors %+v do not say %s %q", tc.tr, ve.Errors, tc.field, tc.words)
		}
	}
}

// Translations are part of the signed description: they replicate with
// it, and another member refuses a record whose translation breaks the
// rules, as it refuses a bad title.
func TestTranslationsReplicate(t *testing.T) {
	ctx := context.Background()
	a, b := pair(t)
	in := input("Pan", "PAN-1")
	in.Translations = map[string]Translation{"zh-CN": {Title: "平底锅", Description: "铸铁平底锅"}}
	l, err := a.CreateListing(ctx, a.merchant(t), in)
	if err != nil {
		t.Fatal(err)
	}
	syncFrom(t, b, a, 10)
	got, err := b.Listing(ctx, l.ID)
	if err != nil {
		t.Fatal(err)
	}
	if title, desc := got.Translated("zh-CN"); title != "平底锅" || desc != "铸铁平底锅" {
		t.Fatalf("replicated zh-CN: %q %q", title, desc)
	}
	if title, _ := got.Translated("en"); title != "Pan" {
		t.Fatalf("a language without a translation shows %q, want the original", title)
	}

	rec := wellFormed(a.Platform())
	rec.Listing.Translations = map[string]Translation{"xx": {Title: "?"}}
	if _, err := b.Apply(mustSeal(t, rec, a.key)); !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), "translations[xx]") {
		t.Fatalf("a translation into an unknown language: %v, want ErrInvalid naming translations[xx]", err)
	}
}

func TestTranslatedFallsBackToTheOriginalDescription(t *testing.T) {
	l := Listing{Title: "Pan", Description: "Cast iron.", Translations: map[string]Translation{"zh-CN": {Title: "平底锅"}}}
	if title, desc := l.Translated("zh-CN"); title != "平底锅" || desc != "Cast iron." {
		t.Fatalf("got %q %q", title, desc)
	}
}
