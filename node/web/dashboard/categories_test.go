package dashboard

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/fedmart/fedmart/node/web/webtest"
)

// The operator describes a category from the form of its row; a path
// not listed goes through the other form; bad input is refused next to
// its form, naming the field.
func TestOperatorDescribesCategories(t *testing.T) {
	h := newHarness(t)
	h.List(webtest.Input("Kettle", "Acme", "Home > Kitchen", 2500, 3))
	h.List(webtest.Input("Ball", "Sporty", "Sports", 900, 3))
	b := h.browser()
	b.SignInOperator(webtest.Operator)
	page := b.Get("/operator/categories")
	for _, want := range []string{`<input type="hidden" name="category" value="Home">`, `<input type="hidden" name="category" value="Home &gt; Kitchen">`,
		`<input type="hidden" name="category" value="Sports">`, `<a href="/c/home/kitchen">See the page</a>`} {
		if !strings.Contains(page.Body, want) {
			t.Errorf("categories page lacks %s", want)
		}
	}
	r := b.Submit("/operator/categories", "/operator/categories", url.Values{"category": {"Home > Kitchen"}, "description": {"Kettles and pans."}})
	if r.Code != http.StatusSeeOther || r.Header.Get("Location") != "/operator/categories?done=saved" {
		t.Fatalf("save: %d %s", r.Code, r.Header.Get("Location"))
	}
	if got, _ := h.site.CategoryDescription("Home > Kitchen"); got != "Kettles and pans." {
		t.Fatalf("kept %q", got)
	}
	if !strings.Contains(b.Get("/operator/categories?done=saved").Body, ">Kettles and pans.</textarea>") {
		t.Error("the page does not show the description saved")
	}
	r = b.Submit("/operator/categories", "/operator/categories", url.Values{"category": {"Sports"}, "description": {strings.Repeat("x", 2001)}})
	if r.Code != http.StatusUnprocessableEntity || !strings.Contains(r.Body, "description: must be at most 2000 characters") {
		t.Errorf("a long description: %d", r.Code)
	}
	r = b.Submit("/operator/categories", "/operator/categories", url.Values{"other": {"1"}, "category": {"Home >Garden"}, "description": {"Rakes."}})
	if r.Code != http.StatusUnprocessableEntity || !strings.Contains(r.Body, "segment 1 must be non-empty") || !strings.Contains(r.Body, `value="Home &gt;Garden"`) {
		t.Errorf("a bad path: %d", r.Code)
	}
	r = b.Submit("/operator/categories", "/operator/categories", url.Values{"other": {"1"}, "category": {"Home > Garden > Tools"}, "description": {"Rakes."}})
	if r.Code != http.StatusSeeOther || !strings.Contains(b.Get("/operator/categories").Body, `value="Home &gt; Garden &gt; Tools"`) {
		t.Errorf("a category described by path is not listed: %d", r.Code)
	}
}
