package web

import (
	"bytes"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"testing"
)

// The CSRF check finds the token of a multipart form when it reads the
// body with parseForm, as it does for every other form.
func TestParseFormReadsMultipartFields(t *testing.T) {
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	_ = mw.WriteField("csrf", "token-123")
	fw, _ := mw.CreateFormFile("feed", "a.csv")
	_, _ = fw.Write([]byte(feedCSV))
	_ = mw.Close()
	req := httptest.NewRequest(http.MethodPost, "/merchant/feeds", &body)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	if err := ParseForm(req); err != nil {
		t.Fatal(err)
	}
	if got := req.PostForm.Get(csrfField); got != "token-123" {
		t.Errorf("csrf field %q", got)
	}
	if err := ParseForm(req); err != nil || req.MultipartForm.File["feed"] == nil {
		t.Errorf("a second parse: %v", err)
	}
	_ = req.MultipartForm.RemoveAll()
}

// feedCSV is a small feed of two listings.
const feedCSV = "sku,title\nA-1,Lamp\nA-2,Chair\n"
