package webtest

import (
	"bytes"
	"html/template"
	"io"
	"maps"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/fedmart/fedmart/node/web"
)

// Browser is one visitor: it keeps the cookies the pages set.
type Browser struct {
	T       *testing.T
	Handler http.Handler
	Cookies map[string]*http.Cookie
	// Addr is the client's address; "" is httptest's 192.0.2.1.
	Addr string
}

// NewBrowser is a visitor of handler with no cookies.
func NewBrowser(t *testing.T, handler http.Handler) *Browser {
	return &Browser{T: t, Handler: handler, Cookies: map[string]*http.Cookie{}}
}

// Copy is another browser holding b's cookies: a copied session.
func (b *Browser) Copy() *Browser {
	return &Browser{T: b.T, Handler: b.Handler, Cookies: maps.Clone(b.Cookies), Addr: b.Addr}
}

// Response is what a page answered.
type Response struct {
	Code   int
	Header http.Header
	Body   string
}

// Do sends req with b's cookies and keeps the cookies it sets.
func (b *Browser) Do(req *http.Request) Response {
	b.T.Helper()
	for _, c := range b.Cookies {
		req.AddCookie(c)
	}
	if b.Addr != "" {
		req.RemoteAddr = b.Addr + ":40000"
	}
	rec := httptest.NewRecorder()
	b.Handler.ServeHTTP(rec, req)
	res := rec.Result()
	for _, c := range res.Cookies() {
		if c.MaxAge < 0 {
			delete(b.Cookies, c.Name)
			continue
		}
		b.Cookies[c.Name] = c
	}
	body, _ := io.ReadAll(res.Body)
	return Response{Code: res.StatusCode, Header: res.Header, Body: string(body)}
}

// Get loads path.
func (b *Browser) Get(path string) Response {
	b.T.Helper()
	return b.Do(httptest.NewRequest(http.MethodGet, path, nil))
}

// Post posts form to path.
func (b *Browser) Post(path string, form url.Values) Response {
	b.T.Helper()
	req := httptest.NewRequest(http.MethodPost, path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return b.Do(req)
}

// File is a file a form uploads.
type File struct {
	Name string
	Data []byte
}

// PostFiles posts form to path as multipart/form-data, with files in the
// file input field, as a browser sends a form with a file input.
func (b *Browser) PostFiles(path string, form url.Values, field string, files ...File) Response {
	b.T.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	for k, vs := range form {
		for _, v := range vs {
			_ = mw.WriteField(k, v)
		}
	}
	if len(files) == 0 { // no file chosen: browsers send an empty part
		files = []File{{}}
	}
	for _, f := range files {
		w, err := mw.CreateFormFile(field, f.Name)
		if err != nil {
			b.T.Fatal(err)
		}
		_, _ = w.Write(f.Data)
	}
	_ = mw.Close()
	req := httptest.NewRequest(http.MethodPost, path, &body)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	return b.Do(req)
}

var csrfInput = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

// CSRF returns the CSRF token of a page's forms.
func CSRF(t *testing.T, r Response) string {
	t.Helper()
	m := csrfInput.FindStringSubmatch(r.Body)
	if m == nil {
		t.Fatalf("no CSRF token in the page:\n%s", r.Body)
	}
	return m[1]
}

// Submit loads the page at formPath and posts form to action with its
// CSRF token.
func (b *Browser) Submit(formPath, action string, form url.Values) Response {
	b.T.Helper()
	page := b.Get(formPath)
	form.Set("csrf", CSRF(b.T, page))
	return b.Post(action, form)
}

// SignInMerchant signs b in with token and checks the redirect.
func (b *Browser) SignInMerchant(token string) {
	b.T.Helper()
	r := b.Submit("/merchant/signin", "/merchant/signin", url.Values{"token": {token}})
	if r.Code != http.StatusSeeOther || r.Header.Get("Location") != "/merchant" {
		b.T.Fatalf("merchant sign-in: %d %s\n%s", r.Code, r.Header.Get("Location"), r.Body)
	}
}

// SignInOperator tries an operator sign-in with token.
func (b *Browser) SignInOperator(token string) Response {
	b.T.Helper()
	return b.Submit("/operator/signin", "/operator/signin", url.Values{"token": {token}})
}

// WantStatus fails unless r has the status.
func WantStatus(t *testing.T, r Response, code int) {
	t.Helper()
	if r.Code != code {
		t.Fatalf("status %d, want %d\n%s", r.Code, code, r.Body)
	}
}

// WantRedirect fails unless r is a 303 to location.
func WantRedirect(t *testing.T, r Response, location string) {
	t.Helper()
	if r.Code != http.StatusSeeOther || r.Header.Get("Location") != location {
		t.Fatalf("got %d to %q, want 303 to %q\n%s", r.Code, r.Header.Get("Location"), location, r.Body)
	}
}

// WantText fails unless the page shows text.
func WantText(t *testing.T, r Response, text string) {
	t.Helper()
	if !strings.Contains(r.Body, template.HTMLEscapeString(text)) {
		t.Errorf("the page does not say %q:\n%s", text, r.Body)
	}
}

// FieldError returns the error text shown next to an input, or "".
func FieldError(body, input string) string {
	m := regexp.MustCompile(`<p class="field-error" id="` + regexp.QuoteMeta(web.InputID(input)) + `-error">([^<]*)</p>`).FindStringSubmatch(body)
	if m == nil {
		return ""
	}
	return m[1]
}

// HasFieldError fails unless the page shows msg next to input, marked
// invalid.
func HasFieldError(t *testing.T, body, input, msg string) {
	t.Helper()
	if got := FieldError(body, input); got != msg {
		t.Errorf("next to %s: %q, want %q", input, got, msg)
	}
	id := web.InputID(input)
	if !regexp.MustCompile(`id="` + regexp.QuoteMeta(id) + `"[^>]*aria-invalid="true"`).MatchString(body) {
		t.Errorf("input %s is not marked aria-invalid", id)
	}
	if !strings.Contains(body, `href="#`+id+`"`) {
		t.Errorf("the error summary does not link to %s", id)
	}
}

// UnescapeHTML undoes html/template's escaping of text.
func UnescapeHTML(s string) string {
	return strings.NewReplacer("&amp;", "&", "&lt;", "<", "&gt;", ">", "&#34;", `"`, "&#39;", "'", "&#43;", "+").Replace(s)
}
