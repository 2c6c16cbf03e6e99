package content

import (
	"regexp"
	"strings"
	"testing"
)

var tagPattern = regexp.MustCompile(`<[^>]*>`)

// TestRenderInert renders known XSS payloads and checks that nothing that
// could run survives, while the harmless text around them does.
func TestRenderInert(t *testing.T) {
	r := NewRenderer()
	// forbidden are substrings (lower-cased) no rendering may contain.
	forbidden := []string{"<script", "onerror", "onload", "onclick", "onmouseover", "javascript:", "vbscript:",
		"data:", "<iframe", "<svg", "<style", "style=", "expression(", "<object", "<embed", "<form", "<meta", "<base", "srcdoc"}
	cases := []struct {
		name, md, keep string
	}{
		{"script tag", "Hello <script>alert(1)</script> world", "Hello"},
		{"script block", "<script>\nalert(document.cookie)\n</script>\n\nafter", "after"},
		{"img onerror", `<img src=x onerror="alert(1)"> text`, "text"},
		{"markdown img onerror", `![a" onerror="alert(1)](https://example.com/a.png) text`, "text"},
		{"javascript link", "[click](javascript:alert(1))", "click"},
		{"javascript link upper case", "[click](JaVaScRiPt:alert(1))", "click"},
		{"javascript link entity", "[click](jav&#x09;ascript:alert(1))", "click"},
		{"javascript autolink", "<javascript:alert(1)>", ""},
		{"data link", "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)", "x"},
		{"data image", "![pic](data:image/svg+xml;base64,PHN2Zz48L3N2Zz4=)", ""},
		{"http image", "![pic](http://example.com/a.png)", ""},
		{"svg onload", `<svg onload="alert(1)"><circle r="1"/></svg> ok`, "ok"},
		{"style tag", "<style>body{background:url(javascript:alert(1))}</style>\n\nok", "ok"},
		{"style expression", `<div style="width: expression(alert(1))">x</div>` + "\n\nok", "ok"},
		{"iframe", `<iframe src="https://evil.example/"></iframe>` + "\n\nok", "ok"},
		{"iframe srcdoc", `<iframe srcdoc="<script>alert(1)</script>"></iframe>` + "\n\nok", "ok"},
		{"event on link", `<a href="https://example.com" onmouseover="alert(1)">x</a>`, ""},
		{"object embed", `<object data="x.swf"></object><embed src="x.swf"> ok`, "ok"},
		{"meta refresh", `<meta http-equiv="refresh" content="0;url=javascript:alert(1)">` + "\n\nok", "ok"},
		{"form", `<form action="https://evil.example"><input name=x></form>` + "\n\nok", "ok"},
		{"vbscript link", "[x](vbscript:msgbox(1))", "x"},
		{"html in link title", `[x](https://example.com "a\" onclick=\"alert(1)")`, "x"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := string(r.Render(c.md))
			// Text is escaped; only tags and their attributes can run.
			// The sanitizer alone must hold as well, should the Markdown
			// renderer ever pass raw HTML through.
			for _, out := range []string{got, r.Sanitize(c.md)} {
				for _, tag := range tagPattern.FindAllString(strings.ToLower(out), -1) {
					for _, f := range forbidden {
						if strings.Contains(tag, f) {
							t.Errorf("%q renders as %q: tag %s holds %q", c.md, out, tag, f)
						}
					}
				}
			}
			if !strings.Contains(got, c.keep) {
				t.Errorf("Render(%q) = %q: lost %q", c.md, got, c.keep)
			}
		})
	}
}

// TestRenderKeeps checks that the Markdown a page needs survives the
// sanitizer.
func TestRenderKeeps(t *testing.T) {
	r := NewRenderer()
	cases := []struct{ md, want string }{
		{"# Returns", `<h1 id="returns">Returns</h1>`},
		{"**bold** and _it_", "<strong>bold</strong> and <em>it</em>"},
		{"[terms](/pages/terms)", `<a href="/pages/terms" rel="nofollow noreferrer">terms</a>`},
		{"[site](https://example.com/x)", `href="https://example.com/x"`},
		{"![logo](https://example.com/logo.png)", `<img src="https://example.com/logo.png" alt="logo">`},
		{"| a | b |\n|---|---|\n| 1 | 2 |", "<td>1</td>"},
		{"- one\n- two", "<li>two</li>"},
		{"mail <help@example.com>", `href="mailto:help@example.com"`},
	}
	for _, c := range cases {
		if got := string(r.Render(c.md)); !strings.Contains(got, c.want) {
			t.Errorf("Render(%q) = %q, want it to hold %q", c.md, got, c.want)
		}
	}
}

func TestValidate(t *testing.T) {
	ok := Input{Kind: KindArticle, Slug: "returns-abroad", Title: "Returns", Body: "x", Section: SectionShoppers, Category: "Returns"}
	if err := Validate(ok); err != nil {
		t.Fatalf("Validate(ok) = %v", err)
	}
	cases := []struct {
		name  string
		edit  func(*Input)
		field string
	}{
		{"slug with slash", func(in *Input) { in.Slug = "a/b" }, "slug"},
		{"slug upper case", func(in *Input) { in.Slug = "Returns" }, "slug"},
		{"slug double hyphen", func(in *Input) { in.Slug = "a--b" }, "slug"},
		{"slug dot", func(in *Input) { in.Slug = "a.b" }, "slug"},
		{"slug unicode", func(in *Input) { in.Slug = "rückgabe" }, "slug"},
		{"slug empty", func(in *Input) { in.Slug = "" }, "slug"},
		{"slug too long", func(in *Input) { in.Slug = strings.Repeat("a", MaxSlug+1) }, "slug"},
		{"title empty", func(in *Input) { in.Title = " " }, "title"},
		{"title two lines", func(in *Input) { in.Title = "a\nb" }, "title"},
		{"kind", func(in *Input) { in.Kind = "post" }, "kind"},
		{"section", func(in *Input) { in.Section = "everyone" }, "section"},
		{"category", func(in *Input) { in.Category = "" }, "category"},
		{"body", func(in *Input) { in.Body = strings.Repeat("x", MaxBody+1) }, "body"},
		{"seo", func(in *Input) { in.SEODescription = strings.Repeat("x", MaxSEODesc+1) }, "seo_description"},
		{"page with section", func(in *Input) { in.Kind = KindPage; in.Category = "" }, "section"},
	}
	for _, c := range cases {
		in := ok
		c.edit(&in)
		err := Validate(in)
		ve, _ := err.(*ValidationError)
		if ve == nil || ve.Errors[0].Field != c.field {
			t.Errorf("%s: Validate = %v, want a problem with %s", c.name, err, c.field)
		}
	}
}
