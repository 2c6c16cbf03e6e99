package console

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/fedmart/fedmart/catalog"
	"github.com/fedmart/fedmart/node/web"
	"github.com/fedmart/fedmart/node/web/locale"
	"github.com/fedmart/fedmart/node/web/webtest"
)

// uploadFeed posts a feed file to the upload form, with the CSRF token
// in the multipart body and, as a script would send it, in the header.
func uploadFeed(b *webtest.Browser, name, content, format string) webtest.Response {
	b.T.Helper()
	token := webtest.CSRF(b.T, b.Get("/merchant/feeds"))
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	_ = mw.WriteField("csrf", token)
	_ = mw.WriteField("format", format)
	fw, err := mw.CreateFormFile("feed", name)
	if err != nil {
		b.T.Fatal(err)
	}
	_, _ = fw.Write([]byte(content))
	_ = mw.Close()
	req := httptest.NewRequest(http.MethodPost, "/merchant/feeds", &body)
	req.Header.Set("Content-Type", mw.FormDataContentType()) // the token travels in the body, as a form's does
	return b.Do(req)
}

func TestOnlyMerchantsMayUploadLargeBodies(t *testing.T) {
	h := newHarness(t)
	junk := strings.Repeat("not a feed line\n", 3<<20/16) // 3 MiB, more than a form may be
	merchant := h.browser()
	merchant.SignInMerchant(h.Token)
	if r := uploadFeed(merchant, "big.csv", junk, "csv"); r.Code == http.StatusRequestEntityTooLarge {
		t.Errorf("a merchant's 3 MiB feed was refused as too large: %d", r.Code)
	}
	// A shopper's session is free to get: it may not send more than a form.
	stranger := h.shopper()
	token := webtest.CSRF(t, stranger.Get("/orders"))
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	_ = mw.WriteField("csrf", token)
	fw, _ := mw.CreateFormFile("feed", "big.csv")
	_, _ = fw.Write([]byte(junk))
	_ = mw.Close()
	req := httptest.NewRequest(http.MethodPost, "/merchant/feeds", &body)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	if r := stranger.Do(req); r.Code != http.StatusRequestEntityTooLarge {
		t.Errorf("a shopper's 3 MiB upload: %d, want 413", r.Code)
	}
}

// feedJobOf is the job page an upload redirected to.
func feedJobOf(t *testing.T, r webtest.Response) string {
	t.Helper()
	loc := r.Header.Get("Location")
	if r.Code != http.StatusSeeOther || !regexp.MustCompile(`^/merchant/feeds/[0-9a-f]{16}$`).MatchString(loc) {
		t.Fatalf("upload: %d to %q\n%s", r.Code, loc, r.Body)
	}
	return loc
}

// waitFeed polls a job's JSON until it is no longer running.
func waitFeed(b *webtest.Browser, job string) feedProgress {
	b.T.Helper()
	return waitFeedFor(b, job, 20*time.Second)
}

// waitFeedFor polls a job's JSON until it is no longer running or wait
// has passed, and returns its last progress.
func waitFeedFor(b *webtest.Browser, job string, wait time.Duration) feedProgress {
	b.T.Helper()
	deadline := time.Now().Add(wait)
	for {
		r := b.Get(job + ".json")
		webtest.WantStatus(b.T, r, http.StatusOK)
		var p feedProgress
		if err := json.Unmarshal([]byte(r.Body), &p); err != nil {
			b.T.Fatalf("job JSON: %v\n%s", err, r.Body)
		}
		if p.State != jobRunning {
			return p
		}
		if time.Now().After(deadline) {
			if wait > 0 {
				b.T.Fatalf("the job is still running: %+v", p)
			}
			return p
		}
		time.Sleep(10 * time.Millisecond)
	}
}

const feedCSV = "title,description,category,brand,sku,price,currency,stock,shipping_regions,images,group,option:size\n" +
	"Linen shirt,Cool,Clothing > Shirts,Acme,SHIRT-M,3500,EUR,4,DE|FR,https://img.example/s.jpg,shirt,M\n" +
	"Linen shirt,,Clothing > Shirts,Acme,SHIRT-L,3600,EUR,2,DE|FR,,shirt,L\n" +
	"Desk lamp,Bright,Home,Acme,LAMP-1,2000,EUR,5,DE,,,\n" +
	"No brand,Oops,Home,,NOBRAND-1,2000,EUR,5,DE,,,\n" +
	"Second lamp,Same SKU,Home,Acme,LAMP-1,2100,EUR,1,DE,,,\n"

func TestFeedUploadReachesTheEnd(t *testing.T) {
	h := newHarness(t)
	b := h.browser()
	b.SignInMerchant(h.Token)
	form := b.Get("/merchant/feeds")
	webtest.WantStatus(t, form, http.StatusOK)
	for _, want := range []string{`enctype="multipart/form-data"`, `<label for="f-feed">Feed file</label>`, "at most 32 MiB",
		`<label for="f-format">Format</label>`, `aria-current="page">Feed upload</a>`} {
		if !strings.Contains(form.Body, want) {
			t.Errorf("upload form lacks %s", want)
		}
	}
	job := feedJobOf(t, uploadFeed(b, "shop.csv", feedCSV, ""))
	p := waitFeed(b, job)
	if p.State != jobDone || p.Percent != 100 || p.Total != 4 || p.Done != 4 || p.Created != 2 || p.Rejected != 2 {
		t.Fatalf("progress %+v", p)
	}
	page := b.Get(job)
	webtest.WantStatus(t, page, http.StatusOK)
	for _, want := range []string{`<progress id="feed-bar" max="4" value="4">100%</progress>`, `<dd data-count="created">2</dd>`,
		`<dd data-count="rejected">2</dd>`, "<tr><th scope=\"row\">5</th><td>brand:", `SKU &#34;LAMP-1&#34; is also on line 4 of this feed`,
		"shop.csv", "Finished."} {
		if !strings.Contains(page.Body, want) {
			t.Errorf("job page lacks %s", want)
		}
	}
	if strings.Contains(page.Body, "feed.js") || strings.Contains(page.Body, `http-equiv="refresh"`) {
		t.Error("a finished job's page still refreshes")
	}
	// A merchant reading in Chinese reads the reasons in Chinese too.
	zh := getIn(b, job, "zh-CN")
	for _, want := range []string{"<tr><th scope=\"row\">5</th><td>brand：为必填项", `SKU &#34;LAMP-1&#34; 也出现在本商品源的第 4 行`} {
		if !strings.Contains(zh.Body, want) {
			t.Errorf("the job page in Chinese lacks %s", want)
		}
	}
	list, _, err := h.Self.Cat.MerchantListings(t.Context(), h.Merchant.ID, "", 10)
	if err != nil || len(list) != 2 {
		t.Fatalf("%d listings written (%v)", len(list), err)
	}
	// The same feed again changes nothing.
	p = waitFeed(b, feedJobOf(t, uploadFeed(b, "shop.csv", feedCSV, "csv")))
	if p.Unchanged != 2 || p.Created != 0 || p.Percent != 100 {
		t.Errorf("second upload %+v", p)
	}
	if r := b.Get("/merchant/feeds"); strings.Count(r.Body, `<tr class="feed-job"`) != 2 {
		t.Error("the form does not list the recent uploads")
	}
}

func TestFeedUploadJSON(t *testing.T) {
	h := newHarness(t)
	b := h.browser()
	b.SignInMerchant(h.Token)
	var entries []string
	for i := range 450 { // three chunks
		in := webtest.Input(fmt.Sprintf("Mug %d", i), "Acme", "Kitchen", 900+int64(i), 3)
		in.Variants[0].SKU = fmt.Sprintf("MUG-%d", i)
		raw, _ := json.Marshal(in)
		entries = append(entries, string(raw))
	}
	array := "[\n  " + strings.Join(entries, ",\n  ") + "\n]\n"
	p := waitFeed(b, feedJobOf(t, uploadFeed(b, "mugs.json", array, "")))
	if p.State != jobDone || p.Percent != 100 || p.Created != 450 || p.Done != 450 {
		t.Fatalf("JSON array: %+v", p)
	}
	lines := strings.Join(entries[:3], "\n") + "\n"
	p = waitFeed(b, feedJobOf(t, uploadFeed(b, "mugs.jsonl", lines, "")))
	if p.State != jobDone || p.Unchanged != 3 {
		t.Fatalf("JSON lines: %+v", p)
	}
	got, err := h.Self.Cat.Listing(t.Context(), mustID(t, h, "MUG-449"))
	if err != nil || got.Title != "Mug 449" {
		t.Errorf("the last chunk's listing: %+v, %v", got, err)
	}
}

// mustID finds the merchant's listing with sku.
func mustID(t *testing.T, h *harness, sku string) string {
	t.Helper()
	cursor := ""
	for {
		list, next, err := h.Self.Cat.MerchantListings(t.Context(), h.Merchant.ID, cursor, 200)
		if err != nil {
			t.Fatal(err)
		}
		for _, l := range list {
			if l.Variants[0].SKU == sku {
				return l.ID
			}
		}
		if next == "" {
			t.Fatalf("no listing with SKU %s", sku)
		}
		cursor = next
	}
}

func TestMalformedFeedIsRefusedWhole(t *testing.T) {
	h := newHarness(t)
	b := h.browser()
	b.SignInMerchant(h.Token)
	cases := []struct{ name, file, content, format, input, want string }{
		{"missing column", "a.csv", "title,sku\nLamp,L-1\n", "", "feed", `The feed cannot be read: the header row has no &#34;category&#34;, &#34;brand&#34;, &#34;price&#34;, &#34;currency&#34;, &#34;stock&#34; or &#34;shipping_regions&#34; columns; a CSV feed&#39;s header names at least title, category, brand, sku, price, currency, stock, shipping_regions.`},
		{"bad price", "a.csv", strings.Replace(feedCSV, "2000,EUR,5,DE,,,", "twenty,EUR,5,DE,,,", 1), "", "feed",
			`Line 4: price: &#34;twenty&#34; is not a whole number; write prices in minor units, as 1999 for 19.99.`},
		{"bare quote", "a.csv", strings.Replace(feedCSV, "Desk lamp,", `Desk "lamp",`, 1), "", "feed",
			`Line 4: a quote mark inside an unquoted field; put the field in quotes, and write each quote mark in it twice, as in &#34;12&#34;&#34; pan&#34;.`},
		{"quote in a quoted field", "a.csv", strings.Replace(feedCSV, "Desk lamp,", `"Desk "lamp"",`, 1), "", "feed",
			`Line 4: a quote mark inside a quoted field; write it twice (&#34;&#34;), or end the field right after its closing quote mark.`},
		{"quote never closed", "a.csv", strings.Replace(feedCSV, "Desk lamp,", `"Desk lamp,`, 1), "", "feed",
			`Line 4: a quoted field starts here and is never closed; add the closing quote mark.`},
		{"comma in a field", "a.csv", strings.Replace(feedCSV, "Desk lamp,", "Desk lamp, bright,", 1), "", "feed",
			`Line 4: the row has more fields than the header has columns; put a field that holds a comma in quotes.`},
		{"bad json line", "a.jsonl", `{"title":"x"}` + "\n{oops\n", "", "feed",
			"Line 2: this is not valid JSON at character 2: found &#39;o&#39; where a field name in double quotes was expected (a comma before } is not allowed)."},
		{"unknown json field", "a.jsonl", `{"title":"x","colour":"red"}`, "", "feed", "Line 1: &#34;colour&#34; is not a field of a listing or its variants; check its spelling"},
		{"bad json array", "a.json", `[{"title":"x"},` + "\n" + `{"title": 3}]`, "", "feed", "Line 2: title must be a text in double quotes, not a number."},
		{"broken json array", "a.json", "[\n" + `{"title":"x"},` + "\n" + `{"title":"y",}]`, "", "feed",
			"Line 3: this is not valid JSON at character 14: found &#39;}&#39; where a field name in double quotes was expected (a comma before } is not allowed)."},
		{"empty", "a.csv", "title,category,brand,sku,price,currency,stock,shipping_regions\n", "", "feed", "The feed holds no listings."},
		{"unknown extension", "a.txt", feedCSV, "", "format", "Choose the feed&#39;s format: the file name does not end in .csv, .json or .jsonl."},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := uploadFeed(b, c.file, c.content, c.format)
			webtest.WantStatus(t, r, http.StatusUnprocessableEntity)
			if got := webtest.FieldError(r.Body, c.input); !strings.Contains(got, c.want) {
				t.Errorf("next to %s: %q, want %q", c.input, got, c.want)
			}
			if !strings.Contains(r.Body, `href="#`+web.InputID(c.input)+`"`) {
				t.Error("the summary does not link to the input")
			}
		})
	}
	if list, _, _ := h.Self.Cat.MerchantListings(t.Context(), h.Merchant.ID, "", 10); len(list) != 0 {
		t.Errorf("a refused feed wrote %d listings", len(list))
	}
	// No file at all.
	token := webtest.CSRF(t, b.Get("/merchant/feeds"))
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	_ = mw.WriteField("csrf", token)
	_ = mw.Close()
	req := httptest.NewRequest(http.MethodPost, "/merchant/feeds", &body)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("X-CSRF-Token", token)
	r := b.Do(req)
	webtest.WantStatus(t, r, http.StatusUnprocessableEntity)
	if webtest.FieldError(r.Body, "feed") != "Choose a feed file to upload." {
		t.Errorf("no file: %q", webtest.FieldError(r.Body, "feed"))
	}
}

func TestFeedJobsAreTheMerchants(t *testing.T) {
	h := newHarness(t)
	b := h.browser()
	b.SignInMerchant(h.Token)
	job := feedJobOf(t, uploadFeed(b, "shop.csv", feedCSV, ""))
	waitFeed(b, job)
	_, token, err := h.Self.Cat.CreateMerchant(t.Context(), "Other shop")
	if err != nil {
		t.Fatal(err)
	}
	other := h.browser()
	other.SignInMerchant(token)
	webtest.WantStatus(t, other.Get(job), http.StatusNotFound)
	webtest.WantStatus(t, other.Get(job+".json"), http.StatusNotFound)
	webtest.WantStatus(t, b.Get("/merchant/feeds/0123456789abcdef"), http.StatusNotFound)
	webtest.WantRedirect(t, h.browser().Get(job), "/merchant/signin")
}

func TestFeedJobsAreBounded(t *testing.T) {
	h := newHarness(t)
	b := h.browser()
	b.SignInMerchant(h.Token)
	first := feedJobOf(t, uploadFeed(b, "shop.csv", feedCSV, ""))
	waitFeed(b, first)
	for range maxFeedJobs {
		waitFeed(b, feedJobOf(t, uploadFeed(b, "shop.csv", feedCSV, "")))
	}
	webtest.WantStatus(t, b.Get(first), http.StatusNotFound)
	if r := b.Get("/merchant/feeds"); strings.Count(r.Body, `<tr class="feed-job"`) != maxFeedJobs {
		t.Error("the form does not list the kept uploads")
	}
}

func TestRunningJobPageRefreshesItself(t *testing.T) {
	h := newHarness(t)
	b := h.browser()
	b.SignInMerchant(h.Token)
	fu := newFeedUploads(h.console)
	job := &feedJob{id: "0123456789abcdef", merchant: h.Merchant.ID, file: "slow.csv", format: catalog.FeedCSV, total: 10,
		started: h.Clock.Now(), state: jobRunning, done: 4}
	fu.jobs[h.Merchant.ID] = []*feedJob{job}
	rec := httptest.NewRecorder()
	req := httptest.NewRequest(http.MethodGet, "/merchant/feeds/"+job.id, nil)
	req.SetPathValue("job", job.id)
	fu.progress(rec, req, merchantVisit{sess: h.site.Sessions().New(), merchant: h.Merchant})
	body := rec.Body.String()
	for _, want := range []string{`<noscript><meta http-equiv="refresh" content="2"></noscript>`, "/static/feed.js?v=",
		`data-poll="/merchant/feeds/` + job.id + `.json"`, `data-state="running"`, `<progress id="feed-bar" max="10" value="4">40%</progress>`} {
		if !strings.Contains(body, want) {
			t.Errorf("a running job's page lacks %s", want)
		}
	}
	// A second upload waits for the running one.
	if _, err := fu.start(h.Merchant.ID, "again.csv", catalog.FeedCSV, nil, nil); err != errFeedBusy {
		t.Errorf("a second job started while one runs: %v", err)
	}
}

func TestUploadAfterCloseIsRefused(t *testing.T) {
	h := newHarness(t)
	b := h.browser()
	b.SignInMerchant(h.Token)
	_ = h.site.Close()
	webtest.WantStatus(t, uploadFeed(b, "shop.csv", feedCSV, ""), http.StatusServiceUnavailable)
}

// blockingEditor holds every batch until its context ends.
type blockingEditor struct {
	ListingEditor
	started chan struct{}
	once    sync.Once
}

func (e *blockingEditor) UpsertBatch(ctx context.Context, _ string, _ []catalog.ListingInput) (catalog.BatchResult, error) {
	e.once.Do(func() { close(e.started) })
	<-ctx.Done()
	return catalog.BatchResult{}, ctx.Err()
}

func TestCloseStopsRunningFeedJobs(t *testing.T) {
	h := newHarness(t)
	editor := &blockingEditor{ListingEditor: h.Self.Cat, started: make(chan struct{})}
	h.editor = editor
	h.rebuild()
	b := h.browser()
	b.SignInMerchant(h.Token)
	job := feedJobOf(t, uploadFeed(b, "shop.csv", feedCSV, ""))
	<-editor.started
	if p := waitFeedFor(b, job, 0); p.State != jobRunning {
		t.Fatalf("before Close: %+v", p)
	}
	_ = h.site.Close()
	p := waitFeed(b, job)
	if p.State != jobStopped || !strings.Contains(p.Problem, "The node shut down while the listings from line 2 on were being written.") {
		t.Errorf("after Close: %+v", p)
	}
}

// A CSV feed's rejections name the CSV column and, for a variant of a
// group, the line it is on, rather than the catalog's JSON path.
func TestFeedRejectionsNameCSVColumns(t *testing.T) {
	h := newHarness(t)
	b := h.browser()
	b.SignInMerchant(h.Token)
	csv := "title,description,category,brand,sku,price,currency,stock,shipping_regions,images,group,option:size\n" +
		"Linen shirt,Cool,Clothing,Acme,SH-M,3500,EUR,4,DE,,shirt,M\n" +
		"Linen shirt,,Clothing,Acme,SH-L,0,EUR,2,DE,,shirt,L\n" +
		"Lamp,Bright,Home,Acme,LAMP-9,2000,EUR,5,DE Germany,ftp://x/y.jpg,,\n"
	job := feedJobOf(t, uploadFeed(b, "shop.csv", csv, ""))
	if p := waitFeed(b, job); p.Rejected != 2 {
		t.Fatalf("progress %+v", p)
	}
	page := b.Get(job)
	for _, want := range []string{
		`<tr><th scope="row">2</th><td>price on line 3: must be positive (minor units of the currency)</td></tr>`,
		`<tr><th scope="row">4</th><td>images (picture 1): must be an absolute http or https URL, or an uploaded picture&#39;s reference (sha256:&lt;hash&gt;); shipping_regions (region 1): must be a two-letter upper-case ISO 3166-1 alpha-2 code, not &#34;DE Germany&#34;</td></tr>`,
	} {
		if !strings.Contains(page.Body, want) {
			t.Errorf("the job page lacks %s\n%s", want, page.Body)
		}
	}
}

// TestRejectionReason: a rejected CSV entry's problem names the column
// and the line, picture or region it is on, in the reader's language.
func TestRejectionReason(t *testing.T) {
	en, zh := catalogIn(t, locale.English), catalogIn(t, locale.Chinese)
	lines := []int{7, 9, 10}
	cases := []struct {
		field string
		csv   bool
		want  string
	}{
		{"variants[0].price.amount", true, "price: must be more than zero"},
		{"variants[1].price.amount", true, "price on line 9: must be more than zero"},
		{"variants[2].price.currency", true, "currency on line 10: must be more than zero"},
		{"variants[2].sku", true, "sku on line 10: must be more than zero"},
		{"variants[1].stock", true, "stock on line 9: must be more than zero"},
		{`variants[1].options["size"]`, true, "option:size on line 9: must be more than zero"},
		{`attributes["material"]`, true, "attr:material: must be more than zero"},
		{"variants", true, "the group's rows: must be more than zero"},
		{"images[2]", true, "images (picture 3): must be more than zero"},
		{"shipping_regions[1]", true, "shipping_regions (region 2): must be more than zero"},
		{"brand", true, "brand: must be more than zero"},
		{"", true, "must be more than zero"},
		{"variants[1].price.amount", false, "variants[1].price.amount: must be more than zero"},
	}
	for _, c := range cases {
		if got := rejectionReason(en, catalog.FieldError{Field: c.field, Message: "must be positive"}, lines, c.csv); got != c.want {
			t.Errorf("%s: %q, want %q", c.field, got, c.want)
		}
	}
	for field, want := range map[string]string{
		"variants[1].price.amount": "第 9 行的 price：必须大于零",
		"images[2]":                "images（第 3 张图片）：必须大于零",
		"variants":                 "该组的各行：必须大于零",
		"brand":                    "brand：必须大于零",
	} {
		if got := rejectionReason(zh, catalog.FieldError{Field: field, Message: "must be positive"}, lines, true); got != want {
			t.Errorf("%s in Chinese: %q, want %q", field, got, want)
		}
	}
}
