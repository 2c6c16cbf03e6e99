package content

import (
	"context"
	"errors"
	"strings"
	"testing"
)

// TestTranslations: a doc's version in zh-CN is checked field by field,
// shown to its readers by In, and searched apart: a Chinese query finds
// the article in zh-CN's index and not in the default one, an English
// query the other way round, and an article without a version is found
// as written in both.
func TestTranslations(t *testing.T) {
	ctx := context.Background()
	s := openStore(t, nil)
	ret := article("returns", "How returns work here", "Returns", "Print the label and drop the parcel off.")
	ret.Translations = map[string]Translation{"zh-CN": {Title: "如何退货", Body: "打印退货面单，把包裹交给承运商。"}}
	plain := article("points", "Loyalty points", "Points", "Points are earned on delivery.")
	for _, in := range []Input{ret, plain} {
		if _, err := s.Save(ctx, in, true, false, 0); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Publish(ctx, KindArticle, in.Slug); err != nil {
			t.Fatal(err)
		}
	}
	found := func(lang, q string) []string {
		t.Helper()
		hits, err := s.SearchIn(ctx, lang, q, "", 10)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, h := range hits {
			out = append(out, h.Slug+":"+h.Title)
		}
		return out
	}
	for _, tc := range []struct{ lang, q, want string }{
		{"zh-CN", "退货", "returns:如何退货"},
		{"en", "退货", ""},
		{"zh-CN", "label", ""},
		{"en", "label", "returns:How returns work here"},
		{"zh-CN", "points", "points:Loyalty points"},
		{"en", "points", "points:Loyalty points"},
	} {
		if got := strings.Join(found(tc.lang, tc.q), ","); got != tc.want {
			t.Errorf("%s search for %q: %q, want %q", tc.lang, tc.q, got, tc.want)
		}
	}
	l, err := s.Find(ctx, KindArticle, "returns")
	if err != nil {
		t.Fatal(err)
	}
	if zh, en := l.Doc.In("zh-CN"), l.Doc.In("en"); zh.Title != "如何退货" || !strings.Contains(zh.Body, "承运商") || en.Title != "How returns work here" {
		t.Errorf("In: zh-CN %q, en %q", zh.Title, en.Title)
	}

	for _, tc := range []struct {
		ts    map[string]Translation
		field string
	}{
		{map[string]Translation{"fr": {Title: "Retours", Body: "x"}}, "translations.fr"},
		{map[string]Translation{"zh-CN": {Body: "x"}}, "translations.zh-CN.title"},
		{map[string]Translation{"zh-CN": {Title: "如何退货", Body: " "}}, "translations.zh-CN.body"},
		{map[string]Translation{"zh-CN": {Title: "如何\n退货", Body: "x"}}, "translations.zh-CN.title"},
	} {
		in := article("bad", "Bad", "Returns", "x")
		in.Translations = tc.ts
		var ve *ValidationError
		if err := Validate(in); !errors.As(err, &ve) || len(ve.Errors) != 1 || ve.Errors[0].Field != tc.field {
			t.Errorf("%v: %v, want one problem with %s", tc.ts, err, tc.field)
		}
	}
}
