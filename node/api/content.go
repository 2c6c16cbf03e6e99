package api

import (
	"context"
	"errors"
	"html/template"
	"net/http"
	"strconv"

	"github.com/fedmart/fedmart/catalog/content"
	"github.com/gin-gonic/gin"
)

// Content is what the API needs of the storefront's pages and help
// articles; *content.Store satisfies it.
type Content interface {
	Save(ctx context.Context, in content.Input, create, federation bool, order int) (content.Entry, error)
	Publish(ctx context.Context, kind, slug string) (content.Doc, error)
	Unpublish(ctx context.Context, kind, slug string) error
	Restore(ctx context.Context, kind, slug string, v uint64) (content.Doc, error)
	Entry(ctx context.Context, kind, slug string) (content.Entry, error)
	Entries(ctx context.Context, kind string) ([]content.Entry, error)
	Versions(ctx context.Context, kind, slug string) ([]content.Doc, error)
	Pages(ctx context.Context) ([]content.Listed, error)
	Articles(ctx context.Context) ([]content.Listed, error)
	Find(ctx context.Context, kind, key string) (content.Listed, error)
	Search(ctx context.Context, q, section string, limit int) ([]content.Hit, error)
	Render(md string) template.HTML
}

// contentRoutes serves the operator's pages and articles under
// /v1/pages, and the published ones to anyone under /v1/content.
func (a *API) contentRoutes(v1 *gin.RouterGroup) {
	pub := v1.Group("/content", a.needContent)
	pub.GET("/pages", a.getPublishedPages)
	pub.GET("/pages/:key", a.getPublished(content.KindPage))
	pub.GET("/articles", a.getPublishedArticles)
	pub.GET("/articles/:key", a.getPublished(content.KindArticle))
	op := v1.Group("/pages", a.operatorOnly, a.needContent)
	op.GET("", a.getDocs)
	op.POST("", a.postDoc)
	op.GET("/:kind/:slug", a.getDoc)
	op.PUT("/:kind/:slug", a.putDoc)
	op.POST("/:kind/:slug/publish", a.publishDoc)
	op.POST("/:kind/:slug/unpublish", a.unpublishDoc)
	op.POST("/:kind/:slug/versions/:version/restore", a.restoreDoc)
	a.translationRoutes(op)
}

// needContent answers 404 on a node that serves no pages.
func (a *API) needContent(c *gin.Context) {
	if a.deps.Content == nil {
		fail(c, content.ErrNotFound)
	}
}

// docInput is the body of POST /v1/pages and PUT /v1/pages/{kind}/{slug}.
type docInput struct {
	content.Input
	// Federation publishes it on every member's storefront.
	Federation bool `json:"federation"`
	// Order is a page's place in the menu.
	Order int `json:"order"`
	// Publish publishes the draft at once.
	Publish bool `json:"publish"`
}

// entryView is one of the operator's docs with its state.
type entryView struct {
	content.Entry
	Status string `json:"status"`
}

// docDetail is a doc with every published version, newest first.
type docDetail struct {
	Entry    entryView     `json:"entry"`
	Versions []content.Doc `json:"versions"`
}

// publishedDoc is a published doc with its body rendered.
type publishedDoc struct {
	content.Listed
	HTML string `json:"html"`
}

func (a *API) getDocs(c *gin.Context) {
	var out []entryView
	for _, kind := range []string{content.KindPage, content.KindArticle} {
		es, err := a.deps.Content.Entries(c.Request.Context(), kind)
		if err != nil {
			fail(c, err)
			return
		}
		for _, e := range es {
			out = append(out, entryView{Entry: e, Status: e.Status()})
		}
	}
	c.JSON(http.StatusOK, gin.H{"items": orEmpty(out)})
}

func (a *API) postDoc(c *gin.Context) {
	var in docInput
	if !bindJSON(c, &in) {
		return
	}
	a.saveDoc(c, in, true, http.StatusCreated)
}

func (a *API) putDoc(c *gin.Context) {
	var in docInput
	if !bindJSON(c, &in) {
		return
	}
	in.Kind, in.Slug = c.Param("kind"), c.Param("slug")
	a.saveDoc(c, in, false, http.StatusOK)
}

// saveDoc saves a draft, publishes it when asked, and answers the doc.
func (a *API) saveDoc(c *gin.Context, in docInput, create bool, status int) {
	ctx := c.Request.Context()
	if _, err := a.deps.Content.Save(ctx, in.Input, create, in.Federation, in.Order); err != nil {
		fail(c, err)
		return
	}
	if in.Publish {
		if _, err := a.deps.Content.Publish(ctx, in.Kind, in.Slug); err != nil {
			fail(c, err)
			return
		}
	}
	if create {
		c.Header("Location", "/v1/pages/"+in.Kind+"/"+in.Slug)
	}
	a.answerDoc(c, status, in.Kind, in.Slug)
}

func (a *API) getDoc(c *gin.Context) { a.answerDoc(c, http.StatusOK, c.Param("kind"), c.Param("slug")) }

// answerDoc writes the operator's doc kind/slug with its versions.
func (a *API) answerDoc(c *gin.Context, status int, kind, slug string) {
	ctx := c.Request.Context()
	e, err := a.deps.Content.Entry(ctx, kind, slug)
	if err != nil {
		fail(c, err)
		return
	}
	vs, err := a.deps.Content.Versions(ctx, kind, slug)
	respond(c, status, docDetail{Entry: entryView{Entry: e, Status: e.Status()}, Versions: orEmpty(vs)}, err)
}

func (a *API) publishDoc(c *gin.Context) {
	if _, err := a.deps.Content.Publish(c.Request.Context(), c.Param("kind"), c.Param("slug")); err != nil {
		fail(c, err)
		return
	}
	a.answerDoc(c, http.StatusOK, c.Param("kind"), c.Param("slug"))
}

func (a *API) unpublishDoc(c *gin.Context) {
	if err := a.deps.Content.Unpublish(c.Request.Context(), c.Param("kind"), c.Param("slug")); err != nil {
		fail(c, err)
		return
	}
	a.answerDoc(c, http.StatusOK, c.Param("kind"), c.Param("slug"))
}

func (a *API) restoreDoc(c *gin.Context) {
	v, err := strconv.ParseUint(c.Param("version"), 10, 64)
	if err != nil {
		fail(c, content.ErrNotFound)
		return
	}
	if _, err := a.deps.Content.Restore(c.Request.Context(), c.Param("kind"), c.Param("slug"), v); err != nil {
		fail(c, err)
		return
	}
	a.answerDoc(c, http.StatusOK, c.Param("kind"), c.Param("slug"))
}

func (a *API) getPublishedPages(c *gin.Context) {
	ps, err := a.deps.Content.Pages(c.Request.Context())
	respond(c, http.StatusOK, gin.H{"items": orEmpty(ps)}, err)
}

// maxArticleResults caps a help search's answer.
const maxArticleResults = 50

func (a *API) getPublishedArticles(c *gin.Context) {
	ctx := c.Request.Context()
	q, section := c.Query("q"), c.Query("section")
	if section != "" && section != content.SectionShoppers && section != content.SectionMerchants {
		failStatus(c, http.StatusBadRequest, "Bad request", "section must be shoppers or merchants",
			FieldError{Field: "section", Message: "must be shoppers or merchants"})
		return
	}
	if len(q) > 200 {
		failStatus(c, http.StatusBadRequest, "Bad request", "q is longer than 200 bytes", FieldError{Field: "q", Message: "at most 200 bytes"})
		return
	}
	var out []content.Listed
	if q != "" {
		hits, err := a.deps.Content.Search(ctx, q, section, maxArticleResults)
		if err != nil {
			fail(c, err)
			return
		}
		for _, h := range hits {
			out = append(out, h.Listed)
		}
	} else {
		all, err := a.deps.Content.Articles(ctx)
		if err != nil {
			fail(c, err)
			return
		}
		for _, l := range all {
			if section == "" || l.Section == section {
				out = append(out, l)
			}
		}
	}
	c.JSON(http.StatusOK, gin.H{"items": orEmpty(out)})
}

func (a *API) getPublished(kind string) gin.HandlerFunc {
	return func(c *gin.Context) {
		l, err := a.deps.Content.Find(c.Request.Context(), kind, c.Param("key"))
		if err != nil {
			fail(c, err)
			return
		}
		c.JSON(http.StatusOK, publishedDoc{Listed: l, HTML: string(a.deps.Content.Render(l.Body))})
	}
}

// contentProblem writes a content.ValidationError: 409 naming the field
// for a taken slug, 422 naming each field otherwise. It reports false
// for any other error.
func contentProblem(c *gin.Context, err error) bool {
	var ve *content.ValidationError
	if !errors.As(err, &ve) {
		return false
	}
	fields := make([]FieldError, 0, len(ve.Errors))
	for _, f := range ve.Errors {
		fields = append(fields, FieldError{Field: f.Field, Message: f.Message})
	}
	if errors.Is(err, content.ErrConflict) {
		failStatus(c, http.StatusConflict, "Conflict", err.Error(), fields...)
	} else {
		failStatus(c, http.StatusUnprocessableEntity, "Invalid input", err.Error(), fields...)
	}
	return true
}
