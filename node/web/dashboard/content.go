package dashboard

import (
	"context"
	"errors"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/fedmart/fedmart/catalog"
	"github.com/fedmart/fedmart/catalog/content"
	"github.com/fedmart/fedmart/node/web"
	"github.com/fedmart/fedmart/node/web/locale"
)

// The operator writes the storefront's pages and help articles here, in
// Markdown, with a preview: a list of both, a form for a new one, each
// doc's page (its draft, the preview, publish, hide, and every published
// version with restore), and one published version. A federation doc is
// signed for every member's storefront when published.

// Content keeps the storefront's pages and help articles;
// *content.Store satisfies it. Bad input is a *content.ValidationError
// naming the field, a taken slug one that is also content.ErrConflict.
type Content interface {
	Save(ctx context.Context, in content.Input, create, federation bool, order int) (content.Entry, error)
	Publish(ctx context.Context, kind, slug string) (content.Doc, error)
	Unpublish(ctx context.Context, kind, slug string) error
	Restore(ctx context.Context, kind, slug string, v uint64) (content.Doc, error)
	Entry(ctx context.Context, kind, slug string) (content.Entry, error)
	Entries(ctx context.Context, kind string) ([]content.Entry, error)
	Versions(ctx context.Context, kind, slug string) ([]content.Doc, error)
	Version(ctx context.Context, kind, slug string, v uint64) (content.Doc, error)
	// Render turns Markdown into sanitized HTML.
	Render(md string) template.HTML
}

func (d *Dashboard) mountContent(mux *http.ServeMux) {
	mux.HandleFunc("GET /operator/pages", d.asOperator(d.operatorDocs))
	mux.HandleFunc("GET /operator/pages/new", d.asOperator(d.newDocForm))
	mux.HandleFunc("POST /operator/pages", d.asOperator(d.createDoc))
	mux.HandleFunc("GET /operator/pages/{kind}/{slug}", d.asOperator(d.operatorDoc))
	mux.HandleFunc("POST /operator/pages/{kind}/{slug}", d.asOperator(d.saveDoc))
	mux.HandleFunc("POST /operator/pages/{kind}/{slug}/publish", d.asOperator(d.publishDoc))
	mux.HandleFunc("POST /operator/pages/{kind}/{slug}/unpublish", d.asOperator(d.unpublishDoc))
	mux.HandleFunc("GET /operator/pages/{kind}/{slug}/versions/{v}", d.asOperator(d.docVersion))
	mux.HandleFunc("POST /operator/pages/{kind}/{slug}/versions/{v}/restore", d.asOperator(d.restoreDoc))
}

// docNotices confirm an action, by "done".
var docNotices = map[string]string{
	"created":     "Draft saved. Shoppers see it once you publish it.",
	"saved":       "Draft saved. Shoppers still see the published version until you publish.",
	"published":   "Published. Shoppers see this version now.",
	"unpublished": "Hidden. Shoppers no longer see it.",
	"restored":    "Restored: that version is published again as the newest.",
}

// docsPage is what the list of pages and articles shows.
type docsPage struct {
	Pages, Articles []docRow
}

// docRow is one of the operator's docs, ready to show.
type docRow struct {
	Title, URL, Slug, Status, Scope, Edited, Where, Live string
	Order                                                int
}

// docPage is what one doc's page shows: the form with its draft, the
// preview and the published versions.
type docPage struct {
	Form     *web.Form
	Action   string
	Kind     string
	New      bool
	Preview  template.HTML
	Sections []web.Choice
	Scopes   []web.Choice
	Row      docRow
	Versions []versionRow
	Publish  string
	Hide     string
	Changed  bool
}

// versionRow is one published version.
type versionRow struct {
	Version      uint64
	Title, When  string
	URL, Restore string
	Live         bool
}

// versionPage shows one published version.
type versionPage struct {
	Row     versionRow
	Back    string
	Body    template.HTML
	Version content.Doc
}

func kindName(kind string) string {
	if kind == content.KindArticle {
		return "help article"
	}
	return "page"
}

func docBase(kind, slug string) string {
	return "/operator/pages/" + url.PathEscape(kind) + "/" + url.PathEscape(slug)
}

// operatorDocs lists the pages and help articles: GET /operator/pages.
func (d *Dashboard) operatorDocs(w http.ResponseWriter, r *http.Request, sess *web.Session) {
	var v docsPage
	for _, kind := range []string{content.KindPage, content.KindArticle} {
		es, err := d.deps.Content.Entries(r.Context(), kind)
		if err != nil {
			d.site.Fail(w, r, err)
			return
		}
		for _, e := range es {
			row := d.docRowOf(e)
			if kind == content.KindPage {
				v.Pages = append(v.Pages, row)
			} else {
				v.Articles = append(v.Articles, row)
			}
		}
	}
	p := d.dashboardPage(sess, "Pages and help", "/operator/pages", v)
	p.Styles, p.Notice = []string{"dashboard.css"}, web.NoticeIn(r, docNotices)
	d.pages.Render(w, r, http.StatusOK, "operator_docs", p)
}

func (d *Dashboard) docRowOf(e content.Entry) docRow {
	row := docRow{Title: e.Draft.Title, Slug: e.Draft.Slug, URL: docBase(e.Draft.Kind, e.Draft.Slug), Status: e.Status(),
		Scope: "this storefront", Edited: web.FormatTime(e.EditedAt, d.site.Zone()), Order: e.Order}
	if e.Federation {
		row.Scope = "the whole alliance"
	}
	if e.TakenDown {
		row.Status = "taken down"
	}
	if e.Draft.Kind == content.KindArticle {
		row.Where = e.Draft.Section + " · " + e.Draft.Category
		row.Live = "/help/" + url.PathEscape(e.Draft.Slug)
	} else {
		row.Live = "/pages/" + url.PathEscape(e.Draft.Slug)
	}
	if e.Live == 0 {
		row.Live = ""
	}
	return row
}

// newDocForm is the form for a new page or article:
// GET /operator/pages/new?kind=page|article.
func (d *Dashboard) newDocForm(w http.ResponseWriter, r *http.Request, sess *web.Session) {
	f := web.NewForm()
	kind := r.URL.Query().Get("kind")
	if kind != content.KindArticle {
		kind = content.KindPage
	}
	f.Set("kind", kind)
	f.Set("order", "10")
	f.Set("section", content.SectionShoppers)
	f.Set("scope", "local")
	d.renderDoc(w, r, sess, http.StatusOK, f, nil, "")
}

// renderDoc shows the doc form with f; e is the stored doc (nil for a
// new one); preview is the Markdown to show rendered.
func (d *Dashboard) renderDoc(w http.ResponseWriter, r *http.Request, sess *web.Session, status int, f *web.Form, e *content.Entry, preview string) {
	kind := f.Value("kind")
	v := docPage{Form: f, Kind: kind, New: e == nil, Action: "/operator/pages"}
	if preview != "" {
		v.Preview = d.deps.Content.Render(preview)
	}
	for _, c := range []web.Choice{{Value: content.SectionShoppers, Label: "Shoppers"}, {Value: content.SectionMerchants, Label: "Merchants"}} {
		c.Selected = c.Value == f.Value("section")
		v.Sections = append(v.Sections, c)
	}
	for _, c := range []web.Choice{{Value: "local", Label: "This storefront only"}, {Value: "federation", Label: "The whole alliance: every member's storefront shows it"}} {
		c.Selected = c.Value == f.Value("scope")
		v.Scopes = append(v.Scopes, c)
	}
	title := "New " + kindName(kind)
	if e != nil {
		base := docBase(kind, e.Draft.Slug)
		title = e.Draft.Title
		v.Action, v.Row, v.Publish = base, d.docRowOf(*e), base+"/publish"
		if e.Live != 0 && !e.TakenDown {
			v.Hide = base + "/unpublish"
		}
		vs, err := d.deps.Content.Versions(r.Context(), kind, e.Draft.Slug)
		if err != nil {
			d.site.Fail(w, r, err)
			return
		}
		var live *content.Doc
		for i, x := range vs {
			vu := base + "/versions/" + strconv.FormatUint(x.Version, 10)
			v.Versions = append(v.Versions, versionRow{Version: x.Version, Title: x.Title, When: web.FormatTime(x.UpdatedAt, d.site.Zone()),
				URL: vu, Restore: vu + "/restore", Live: x.Version == e.Live})
			if x.Version == e.Live {
				live = &vs[i]
			}
		}
		v.Changed = e.Changed(live)
		if e.TakenDown {
			v.Publish = ""
		}
	}
	p := d.dashboardPage(sess, title, "/operator/pages", v)
	p.Styles, p.Notice = []string{"dashboard.css"}, web.NoticeIn(r, docNotices)
	d.pages.Render(w, r, status, "operator_doc", p)
}

// readDocForm reads the doc form into an input, the scope and the order.
func readDocForm(r *http.Request, f *web.Form) (in content.Input, federation bool, order int) {
	get := func(name string) string {
		v := r.PostFormValue(name)
		if name != "body" && name != "zh_body" {
			v = strings.TrimSpace(v)
		}
		f.Set(name, v)
		return v
	}
	in = content.Input{Kind: get("kind"), Slug: get("slug"), Title: get("title"), Body: get("body"), SEOTitle: get("seo_title"),
		SEODescription: get("seo_description")}
	if in.Kind == content.KindArticle {
		in.Section, in.Category = get("section"), get("category")
	}
	// The version in Simplified Chinese, when the operator wrote one.
	if zt, zb := get("zh_title"), get("zh_body"); zt != "" || strings.TrimSpace(zb) != "" {
		in.Translations = map[string]content.Translation{locale.Chinese: {Title: zt, Body: zb}}
	}
	federation = get("scope") == "federation"
	if s := get("order"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 0 || n > 10000 {
			f.Add("order", "Place in the menu must be a whole number from 0 to 10000.")
		}
		order = n
	}
	return in, federation, order
}

// docLabels name the form's inputs in messages.
var docLabels = map[string]string{
	"kind": "Kind", "slug": "Slug", "title": "Title", "body": "Text", "seo_title": "Title for search engines",
	"seo_description": "Description for search engines", "section": "Section", "category": "Category", "federation": "Shown on",
	"zh_title": "Title in Simplified Chinese", "zh_body": "Text in Simplified Chinese",
}

// translationInputs are the form's inputs of a translation's fields, by
// the field content names.
var translationInputs = map[string]string{
	"translations." + locale.Chinese + ".title": "zh_title", "translations." + locale.Chinese + ".body": "zh_body",
}

// addDocErrors puts a *content.ValidationError next to the form's inputs;
// it reports false for any other error.
func addDocErrors(f *web.Form, err error) bool {
	var ve *content.ValidationError
	if !errors.As(err, &ve) {
		return false
	}
	for _, e := range ve.Errors {
		input, label := e.Field, docLabels[e.Field]
		if input == "federation" {
			input = "scope"
		}
		if in, ok := translationInputs[e.Field]; ok {
			input, label = in, docLabels[in]
		}
		f.Add(input, fmt.Sprintf("%s %s.", label, strings.TrimSuffix(e.Message, ".")))
	}
	return true
}

// createDoc saves a new doc's draft, or previews it: POST /operator/pages.
func (d *Dashboard) createDoc(w http.ResponseWriter, r *http.Request, sess *web.Session) {
	f := web.NewForm()
	in, federation, order := readDocForm(r, f)
	if r.PostFormValue("action") == "preview" {
		d.renderDoc(w, r, sess, http.StatusOK, f, nil, in.Body)
		return
	}
	if f.OK() {
		_, err := d.deps.Content.Save(r.Context(), in, true, federation, order)
		if err != nil && !addDocErrors(f, err) {
			d.site.Fail(w, r, err)
			return
		}
	}
	if !f.OK() {
		d.renderDoc(w, r, sess, http.StatusUnprocessableEntity, f, nil, "")
		return
	}
	if r.PostFormValue("action") == "publish" {
		d.publishAndShow(w, r, in.Kind, strings.TrimSpace(in.Slug))
		return
	}
	web.SeeOther(w, r, docBase(in.Kind, strings.TrimSpace(in.Slug))+"?done=created")
}

// operatorDoc shows a doc's draft, preview and versions:
// GET /operator/pages/{kind}/{slug}.
func (d *Dashboard) operatorDoc(w http.ResponseWriter, r *http.Request, sess *web.Session) {
	e, err := d.deps.Content.Entry(r.Context(), r.PathValue("kind"), r.PathValue("slug"))
	if err != nil {
		d.failContent(w, r, err)
		return
	}
	f := web.NewForm()
	dr := e.Draft
	for k, v := range map[string]string{"kind": dr.Kind, "slug": dr.Slug, "title": dr.Title, "body": dr.Body, "seo_title": dr.SEOTitle,
		"seo_description": dr.SEODescription, "section": dr.Section, "category": dr.Category, "order": strconv.Itoa(e.Order)} {
		f.Set(k, v)
	}
	if zh, ok := dr.Translations[locale.Chinese]; ok {
		f.Set("zh_title", zh.Title)
		f.Set("zh_body", zh.Body)
	}
	f.Set("scope", "local")
	if e.Federation {
		f.Set("scope", "federation")
	}
	d.renderDoc(w, r, sess, http.StatusOK, f, &e, dr.Body)
}

// saveDoc saves a doc's draft, previews it, or saves and publishes it:
// POST /operator/pages/{kind}/{slug}.
func (d *Dashboard) saveDoc(w http.ResponseWriter, r *http.Request, sess *web.Session) {
	kind, slug := r.PathValue("kind"), r.PathValue("slug")
	e, err := d.deps.Content.Entry(r.Context(), kind, slug)
	if err != nil {
		d.failContent(w, r, err)
		return
	}
	f := web.NewForm()
	in, federation, order := readDocForm(r, f)
	in.Kind, in.Slug = kind, slug // the slug names the doc; a new slug is a new doc
	f.Set("kind", kind)
	f.Set("slug", slug)
	if r.PostFormValue("action") == "preview" {
		d.renderDoc(w, r, sess, http.StatusOK, f, &e, in.Body)
		return
	}
	if f.OK() {
		if _, err := d.deps.Content.Save(r.Context(), in, false, federation, order); err != nil && !addDocErrors(f, err) {
			d.failContent(w, r, err)
			return
		}
	}
	if !f.OK() {
		d.renderDoc(w, r, sess, http.StatusUnprocessableEntity, f, &e, "")
		return
	}
	if r.PostFormValue("action") == "publish" {
		d.publishAndShow(w, r, kind, slug)
		return
	}
	web.SeeOther(w, r, docBase(kind, slug)+"?done=saved")
}

// publishDoc publishes a doc's draft: POST .../publish.
func (d *Dashboard) publishDoc(w http.ResponseWriter, r *http.Request, _ *web.Session) {
	d.publishAndShow(w, r, r.PathValue("kind"), r.PathValue("slug"))
}

func (d *Dashboard) publishAndShow(w http.ResponseWriter, r *http.Request, kind, slug string) {
	if _, err := d.deps.Content.Publish(r.Context(), kind, slug); err != nil {
		d.failContent(w, r, err)
		return
	}
	web.SeeOther(w, r, docBase(kind, slug)+"?done=published")
}

// unpublishDoc hides a doc: POST .../unpublish.
func (d *Dashboard) unpublishDoc(w http.ResponseWriter, r *http.Request, _ *web.Session) {
	kind, slug := r.PathValue("kind"), r.PathValue("slug")
	if err := d.deps.Content.Unpublish(r.Context(), kind, slug); err != nil {
		d.failContent(w, r, err)
		return
	}
	web.SeeOther(w, r, docBase(kind, slug)+"?done=unpublished")
}

// docVersion shows one published version: GET .../versions/{v}.
func (d *Dashboard) docVersion(w http.ResponseWriter, r *http.Request, sess *web.Session) {
	kind, slug := r.PathValue("kind"), r.PathValue("slug")
	n, err := strconv.ParseUint(r.PathValue("v"), 10, 64)
	if err != nil {
		d.site.NotFound(w, r)
		return
	}
	e, err := d.deps.Content.Entry(r.Context(), kind, slug)
	if err != nil {
		d.failContent(w, r, err)
		return
	}
	x, err := d.deps.Content.Version(r.Context(), kind, slug, n)
	if err != nil {
		d.failContent(w, r, err)
		return
	}
	base := docBase(kind, slug)
	vu := base + "/versions/" + strconv.FormatUint(n, 10)
	v := versionPage{Row: versionRow{Version: n, Title: x.Title, When: web.FormatTime(x.UpdatedAt, d.site.Zone()), URL: vu,
		Restore: vu + "/restore", Live: n == e.Live}, Back: base, Body: d.deps.Content.Render(x.Body), Version: x}
	p := d.dashboardPage(sess, fmt.Sprintf("%s, version %d", x.Title, n), "/operator/pages", v)
	p.Styles = []string{"dashboard.css"}
	d.pages.Render(w, r, http.StatusOK, "operator_doc_version", p)
}

// restoreDoc publishes an earlier version again: POST .../restore.
func (d *Dashboard) restoreDoc(w http.ResponseWriter, r *http.Request, _ *web.Session) {
	kind, slug := r.PathValue("kind"), r.PathValue("slug")
	n, err := strconv.ParseUint(r.PathValue("v"), 10, 64)
	if err != nil {
		d.site.NotFound(w, r)
		return
	}
	if _, err := d.deps.Content.Restore(r.Context(), kind, slug, n); err != nil {
		d.failContent(w, r, err)
		return
	}
	web.SeeOther(w, r, docBase(kind, slug)+"?done=restored")
}

// failContent answers a content error: not found, a conflict or a
// refusal of the charter as a page that says so.
func (d *Dashboard) failContent(w http.ResponseWriter, r *http.Request, err error) {
	switch {
	case errors.Is(err, content.ErrNotFound), errors.Is(err, catalog.ErrNotFound):
		d.site.NotFound(w, r)
	case errors.Is(err, catalog.ErrNotAllowed), errors.Is(err, content.ErrConflict), errors.Is(err, content.ErrInvalid):
		d.site.Status(w, r, http.StatusConflict, "Not published", err.Error())
	default:
		d.site.Fail(w, r, err)
	}
}
