package node

import (
	"encoding/json"
	"strings"
	"testing"
)

// TestContentTranslationsAPI writes a help article with its Chinese
// version and a page without one over REST, sets, reads and removes the
// page's Chinese version on its own, and refuses bad versions naming the
// field; every answer is checked against the OpenAPI spec.
func TestContentTranslationsAPI(t *testing.T) {
	c := startCluster(t, "Alpha")
	a, tok := c.Nodes[0].APIURL(), c.Tokens[0]
	const docs, tr = "/v1/pages", "/v1/pages/{kind}/{slug}/translations/{lang}"
	type version struct {
		Title, Body string
	}
	var detail struct {
		Entry struct {
			Draft struct {
				Title        string             `json:"title"`
				Translations map[string]version `json:"translations"`
			} `json:"draft"`
			Live int `json:"live"`
		} `json:"entry"`
		Versions []struct {
			Version      int                `json:"version"`
			Translations map[string]version `json:"translations"`
		} `json:"versions"`
	}
	read := func(what string, s int, body []byte) {
		t.Helper()
		detail.Entry.Draft.Translations, detail.Versions = nil, nil
		if err := json.Unmarshal(body, &detail); s != 200 || err != nil {
			t.Fatalf("%s: %d %s", what, s, body)
		}
	}

	art := `{"kind":"article","slug":"returns","title":"Returning an item","body":"Each part goes back to its own merchant.","section":"shoppers","category":"Returns",` +
		`"translations":{"zh-CN":{"title":"退货","body":"每个部分都退回给**各自的商家**。"}},"publish":true}`
	s, body := call(t, "POST", a+docs, docs, tok, []byte(art))
	if s != 201 {
		t.Fatalf("create article: %d %s", s, body)
	}
	read("the article", 200, body)
	if detail.Versions[0].Translations["zh-CN"].Title != "退货" || detail.Entry.Draft.Translations["zh-CN"].Body != "每个部分都退回给**各自的商家**。" {
		t.Errorf("the article's Chinese version is not in its answer: %s", body)
	}
	s, body = call(t, "GET", a+"/v1/content/articles/returns", "/v1/content/articles/{key}", "", nil)
	if s != 200 || !strings.Contains(string(body), `"zh-CN":{"title":"退货"`) {
		t.Errorf("the published article lacks its Chinese version: %d %s", s, body)
	}

	page := `{"kind":"page","slug":"terms","title":"Terms","body":"The terms.","order":1,"publish":true}`
	if s, body := call(t, "POST", a+docs, docs, tok, []byte(page)); s != 201 {
		t.Fatalf("create page: %d %s", s, body)
	}
	at := a + "/v1/pages/page/terms/translations/zh-CN"
	s, body = call(t, "PUT", at, tr, tok, []byte(`{"title":" ","body":""}`))
	if s != 422 || !strings.Contains(string(body), `"field":"translations.zh-CN.title"`) || !strings.Contains(string(body), `"field":"translations.zh-CN.body"`) {
		t.Errorf("an empty version: %d %s, want 422 naming translations.zh-CN.title and .body", s, body)
	}
	if s, body := call(t, "PUT", at, tr, "", []byte(`{"title":"条款","body":"条款内容。"}`)); s != 401 {
		t.Errorf("without a token: %d %s", s, body)
	}
	s, body = call(t, "PUT", a+"/v1/pages/page/terms/translations/fr", "", tok, []byte(`{"title":"Conditions","body":"Les conditions."}`))
	if s != 404 || !strings.Contains(string(body), `"field":"lang"`) {
		t.Errorf("a language no doc may have: %d %s, want 404 naming lang", s, body)
	}
	if s, body := call(t, "PUT", a+"/v1/pages/page/nothing/translations/zh-CN", tr, tok, []byte(`{"title":"条款","body":"条款内容。"}`)); s != 404 {
		t.Errorf("an unknown page: %d %s", s, body)
	}

	// Set without publishing: the draft has it, shoppers do not yet.
	s, body = call(t, "PUT", at, tr, tok, []byte(`{"title":"条款","body":"条款内容。","seo_title":"平台条款"}`))
	read("set the Chinese version", s, body)
	if detail.Entry.Draft.Translations["zh-CN"].Title != "条款" || detail.Entry.Draft.Title != "Terms" || detail.Versions[0].Translations != nil {
		t.Errorf("the draft after setting its Chinese version: %s", body)
	}
	if _, body := call(t, "GET", a+"/v1/content/pages/terms", "/v1/content/pages/{key}", "", nil); strings.Contains(string(body), "条款") {
		t.Errorf("an unpublished version is shown: %s", body)
	}
	s, body = call(t, "PUT", at, tr, tok, []byte(`{"title":"条款","body":"条款内容，第二版。","publish":true}`))
	read("set and publish", s, body)
	if detail.Entry.Live != 2 || detail.Versions[0].Translations["zh-CN"].Body != "条款内容，第二版。" {
		t.Errorf("the published Chinese version: %s", body)
	}
	if s, body := call(t, "GET", a+"/v1/content/pages/terms", "/v1/content/pages/{key}", "", nil); s != 200 || !strings.Contains(string(body), "条款内容，第二版。") {
		t.Errorf("the published page lacks its Chinese version: %d %s", s, body)
	}

	// The whole doc may be sent with a language no doc may have: refused naming it.
	s, body = call(t, "PUT", a+"/v1/pages/page/terms", "/v1/pages/{kind}/{slug}", tok, []byte(`{"title":"Terms","body":"The terms.","order":1,"translations":{"fr":{"title":"Conditions","body":"Les conditions."}}}`))
	if s != 422 || !strings.Contains(string(body), `"field":"translations.fr"`) {
		t.Errorf("a French version: %d %s, want 422 naming translations.fr", s, body)
	}

	s, body = call(t, "DELETE", at+"?publish=true", tr, tok, nil)
	read("remove the Chinese version", s, body)
	if detail.Entry.Draft.Translations != nil || detail.Versions[0].Translations != nil || detail.Entry.Live != 3 {
		t.Errorf("the page after removing its Chinese version: %s", body)
	}
	if _, body := call(t, "GET", a+"/v1/content/pages/terms", "/v1/content/pages/{key}", "", nil); strings.Contains(string(body), "条款") {
		t.Errorf("a removed version is still shown: %s", body)
	}
	if s, body := call(t, "DELETE", at, tr, tok, nil); s != 404 {
		t.Errorf("removing a version the page does not have: %d %s", s, body)
	}
}
