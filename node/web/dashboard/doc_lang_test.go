package dashboard

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/fedmart/fedmart/catalog/content"
	"github.com/fedmart/fedmart/node/web/webtest"
)

// TestDocChineseVersion: the operator writes an article with a version
// in Simplified Chinese in the editor; the draft keeps it, the editor
// shows it again, and a Chinese text without its title is refused next
// to the Chinese title's input.
func TestDocChineseVersion(t *testing.T) {
	h := newHarness(t)
	store, err := content.Open(h.Self.DB, h.Self.Cat, slog.New(slog.NewTextHandler(io.Discard, nil)), h.Clock.Now)
	if err != nil {
		t.Fatal(err)
	}
	site := h.Site(webtest.Options())
	dash, err := New(site, Deps{Federation: h.Fed, Amendments: h.amend, Merchants: h.Self.Cat, Orders: h.orders,
		Settlement: h.Settlement, Replication: h.repl, Mail: h.mail, Points: h.Self.Orders, Coupons: h.Self.Orders, Categories: h.Index, Content: store}, h.opts)
	if err != nil {
		t.Fatal(err)
	}
	b := webtest.NewBrowser(t, site.Handler(dash))
	b.SignInOperator(webtest.Operator)
	form := url.Values{"kind": {"article"}, "slug": {"returns"}, "title": {"How returns work"}, "body": {"Print the label."},
		"section": {"shoppers"}, "category": {"Returns"}, "scope": {"local"}, "zh_body": {"打印退货面单。"}}
	r := b.Submit("/operator/pages/new?kind=article", "/operator/pages", form)
	webtest.WantStatus(t, r, http.StatusUnprocessableEntity)
	webtest.HasFieldError(t, r.Body, "zh_title", "Title in Simplified Chinese is required.")
	form.Set("zh_title", "如何退货")
	r = b.Submit("/operator/pages/new?kind=article", "/operator/pages", form)
	if r.Code != http.StatusSeeOther {
		t.Fatalf("saving the article: %d\n%s", r.Code, r.Body)
	}
	e, err := store.Entry(t.Context(), content.KindArticle, "returns")
	if err != nil {
		t.Fatal(err)
	}
	if zh := e.Draft.Translations["zh-CN"]; zh.Title != "如何退货" || zh.Body != "打印退货面单。" {
		t.Errorf("the draft's Chinese version: %+v", e.Draft.Translations)
	}
	edit := b.Get("/operator/pages/article/returns")
	if !strings.Contains(edit.Body, `value="如何退货"`) || !strings.Contains(edit.Body, "打印退货面单。</textarea>") {
		t.Errorf("the editor does not show the Chinese version again:\n%s", edit.Body)
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		if req.URL.Path == "/snap/editor" { // the page as the signed-in operator got it; its styles from the site
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			_, _ = w.Write([]byte(edit.Body))
			return
		}
		site.Handler(dash).ServeHTTP(w, req)
	}))
	t.Cleanup(srv.Close)
	check := webtest.NewPageChecker(t)
	for _, size := range []struct{ w, h int }{{390, 844}, {1280, 900}} {
		ctx := webtest.Chrome(t, size.w, size.h)
		ctx, cancel := context.WithTimeout(ctx, 60*time.Second)
		defer cancel()
		if err := chromedp.Do(ctx, chromedp.Navigate(srv.URL+"/snap/editor"), chromedp.WaitVisible(chromedp.CSS(`h1`))); err != nil {
			t.Fatal(err)
		}
		check.Shoot(t, ctx, os.Getenv("FEDMART_SCREENSHOTS"), fmt.Sprintf("doc-editor-zh-%d.png", size.w), size.w, "doc editor")
	}
}
