package api_test

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"hash/crc32"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"io"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/textproto"
	"strings"
	"testing"

	badger "github.com/dgraph-io/badger/v4"
	"github.com/fedmart/fedmart/catalog/media"
	"github.com/fedmart/fedmart/node/api"
	"github.com/prometheus/client_golang/prometheus"
)

// Uploads run against a real picture store on an in-memory Badger.

func newMediaEdge(t *testing.T, tune func(*media.Config)) (http.Handler, *media.Store) {
	t.Helper()
	db, err := badger.Open(badger.DefaultOptions("").WithInMemory(true).WithLogger(nil))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = db.Close() })
	cfg := media.DefaultConfig()
	if tune != nil {
		tune(&cfg)
	}
	store, err := media.Open(cfg, db, nil)
	if err != nil {
		t.Fatal(err)
	}
	reg := prometheus.NewRegistry()
	a := api.New(api.Config{OperatorToken: edgeOperator}, api.Deps{Catalog: &fakeCatalog{tokens: map[string]string{"m1": "fmm_one"}},
		Media: store, Gatherer: reg, Registry: reg, Ready: func() error { return nil }}, slog.New(slog.DiscardHandler))
	return a.Handler(), store
}

func testJPEG(t *testing.T, w, h int) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for i := range img.Pix {
		img.Pix[i] = uint8(i * 7)
	}
	var b bytes.Buffer
	if err := jpeg.Encode(&b, img, nil); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func testPNG(t *testing.T, w, h int) []byte {
	t.Helper()
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			img.SetNRGBA(x, y, color.NRGBA{uint8(x), uint8(y), 99, 255})
		}
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// claiming is a PNG whose header claims w×h pixels, as a decompression
// bomb's does; its data is a few bytes.
func claiming(t *testing.T, w, h uint32) []byte {
	out := testPNG(t, 4, 4)
	binary.BigEndian.PutUint32(out[16:], w)
	binary.BigEndian.PutUint32(out[20:], h)
	binary.BigEndian.PutUint32(out[29:], crc32.ChecksumIEEE(out[12:29]))
	return out
}

// multipartBody is a form with one file part.
func multipartBody(t *testing.T, field, filename, contentType string, data []byte) (string, []byte) {
	t.Helper()
	var b bytes.Buffer
	mw := multipart.NewWriter(&b)
	_ = mw.WriteField("note", "a product photo")
	h := textproto.MIMEHeader{}
	h.Set("Content-Disposition", `form-data; name="`+field+`"; filename="`+filename+`"`)
	h.Set("Content-Type", contentType)
	pw, err := mw.CreatePart(h)
	if err != nil {
		t.Fatal(err)
	}
	_, _ = pw.Write(data)
	_ = mw.Close()
	return mw.FormDataContentType(), b.Bytes()
}

func upload(t *testing.T, h http.Handler, token, contentType string, body []byte) *httptest.ResponseRecorder {
	t.Helper()
	r := httptest.NewRequest(http.MethodPost, "/v1/media", bytes.NewReader(body))
	if token != "" {
		r.Header.Set("Authorization", "Bearer "+token)
	}
	r.Header.Set("Content-Type", contentType)
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	if err := api.CheckResponse(http.MethodPost, "/v1/media", w.Code, w.Body.Bytes()); err != nil {
		t.Errorf("%v\nbody: %s", err, w.Body)
	}
	return w
}

type uploaded struct {
	Ref, Hash, Type string
	Width, Height   int
	Sizes           map[string]struct {
		URL           string
		Width, Height int
	}
}

func TestUploadAPicture(t *testing.T) {
	h, store := newMediaEdge(t, nil)
	ct, body := multipartBody(t, "file", "pan.jpg", "image/jpeg", testJPEG(t, 640, 480))
	w := upload(t, h, "fmm_one", ct, body)
	if w.Code != http.StatusCreated {
		t.Fatalf("%d %s", w.Code, w.Body)
	}
	var got uploaded
	if err := json.Unmarshal(w.Body.Bytes(), &got); err != nil {
		t.Fatal(err)
	}
	if got.Ref != "sha256:"+got.Hash || got.Type != "image/jpeg" || got.Width != 640 || got.Height != 480 {
		t.Fatalf("%+v", got)
	}
	if c := got.Sizes["card"]; c.URL != "/media/"+got.Hash+"/card" || c.Width != 480 || c.Height != 360 {
		t.Errorf("card %+v", c)
	}
	if w.Header().Get("Location") != "/media/"+got.Hash+"/full" {
		t.Errorf("Location %q", w.Header().Get("Location"))
	}
	if _, uploaded, _ := store.Holds("m1", got.Hash); !uploaded {
		t.Error("the store does not record the merchant as its uploader")
	}
	// The raw body works too, whatever it claims to be; the same picture
	// answers the same reference.
	raw := testPNG(t, 30, 20)
	w1 := upload(t, h, "fmm_one", "application/octet-stream", raw)
	w2 := upload(t, h, "fmm_one", "image/jpeg", raw)
	var a, b uploaded
	_ = json.Unmarshal(w1.Body.Bytes(), &a)
	_ = json.Unmarshal(w2.Body.Bytes(), &b)
	if w1.Code != http.StatusCreated || a.Type != "image/png" || a.Ref != b.Ref {
		t.Errorf("raw uploads: %d %+v, %d %+v", w1.Code, a, w2.Code, b)
	}
}

func TestUploadRefusals(t *testing.T) {
	h, _ := newMediaEdge(t, func(c *media.Config) { c.MaxUploadBytes = 64 << 10 })
	big := testJPEG(t, 900, 900)
	if len(big) <= 64<<10 {
		t.Fatalf("the big file is only %d bytes", len(big))
	}
	html := []byte("<!DOCTYPE html><html><body><img src=x onerror=alert(1)></body></html>")
	good := testJPEG(t, 40, 40)
	tests := []struct {
		name, token string
		ct          string
		body        []byte
		status      int
		msg         string
	}{
		{"a PNG that is really HTML", "fmm_one", "", nil, http.StatusUnsupportedMediaType, "!DOCTYP"},
		{"a decompression bomb", "fmm_one", "", claiming(t, 60000, 60000), http.StatusUnprocessableEntity, "60000×60000 pixels"},
		{"a JPEG cut short", "fmm_one", "image/jpeg", good[:len(good)/2], http.StatusUnprocessableEntity, "cut short or corrupt"},
		{"a file over the cap", "fmm_one", "", big, http.StatusRequestEntityTooLarge, "65536 bytes"},
		{"a raw body over the cap", "fmm_one", "image/jpeg", big, http.StatusRequestEntityTooLarge, "65536 bytes"},
		{"a body far over the cap", "fmm_one", "image/jpeg", make([]byte, 4<<20), http.StatusRequestEntityTooLarge, "bytes allowed"},
		{"a form without a file", "fmm_one", "form", nil, http.StatusUnprocessableEntity, "file"},
		{"an empty body", "fmm_one", "image/png", nil, http.StatusUnsupportedMediaType, "empty"},
		{"no token", "", "image/jpeg", good, http.StatusUnauthorized, "merchant token"},
		{"the operator's token", edgeOperator, "image/jpeg", good, http.StatusForbidden, "merchant token"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ct, body := tt.ct, tt.body
			switch {
			case tt.name == "a PNG that is really HTML":
				ct, body = multipartBody(t, "file", "photo.png", "image/png", html)
			case ct == "":
				ct, body = multipartBody(t, "file", "photo.png", "image/png", body)
			case ct == "form":
				ct, body = multipartBody(t, "picture", "photo.jpg", "image/jpeg", good)
			}
			w := upload(t, h, tt.token, ct, body)
			if w.Code != tt.status || !strings.Contains(w.Body.String(), tt.msg) {
				t.Fatalf("%d %s, want %d saying %q", w.Code, w.Body, tt.status, tt.msg)
			}
			if w.Header().Get("Content-Type") != "application/problem+json" {
				t.Errorf("Content-Type %q", w.Header().Get("Content-Type"))
			}
			var p api.Problem
			_ = json.Unmarshal(w.Body.Bytes(), &p)
			if tt.status == http.StatusUnsupportedMediaType || tt.status == http.StatusRequestEntityTooLarge {
				if len(p.Errors) != 1 || p.Errors[0].Field != "file" {
					t.Errorf("errors %+v, want the file named", p.Errors)
				}
			}
		})
	}
}

// A stranger's large body is refused before it is read: only the
// upload route takes more than the API's cap, and only after the token.
func TestOtherRoutesKeepTheBodyCap(t *testing.T) {
	h, _ := newMediaEdge(t, nil)
	body := io.MultiReader(strings.NewReader(`{"title":"`), bytes.NewReader(bytes.Repeat([]byte("a"), 5<<20)), strings.NewReader(`"}`))
	r := httptest.NewRequest(http.MethodPost, "/v1/listings", body)
	r.Header.Set("Authorization", "Bearer fmm_one")
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	if w.Code != http.StatusRequestEntityTooLarge {
		t.Fatalf("a 5 MiB listing: %d %s", w.Code, w.Body)
	}
}
