package api

import (
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strings"

	"github.com/fedmart/fedmart/catalog/content"
	"github.com/gin-gonic/gin"
)

// A page or article may carry a version per language (content.Translation):
// the operator reads them with the doc (its draft's and each version's
// "translations"), sends them all with the doc (DocInput.translations),
// or sets and removes one language's version of the draft:
//
//	PUT    /v1/pages/{kind}/{slug}/translations/{lang}
//	DELETE /v1/pages/{kind}/{slug}/translations/{lang}
//
// Either keeps the rest of the draft, its scope and its menu place as
// they were, and publishes the draft when asked (publish), so that
// shoppers reading that language see it.

// translationInput is the body of PUT .../translations/{lang}.
type translationInput struct {
	content.Translation
	// Publish publishes the draft at once.
	Publish bool `json:"publish"`
}

// translationRoutes adds the per-language routes to the operator's group.
func (a *API) translationRoutes(op *gin.RouterGroup) {
	op.PUT("/:kind/:slug/translations/:lang", a.putTranslation)
	op.DELETE("/:kind/:slug/translations/:lang", a.deleteTranslation)
}

// knownLanguage answers 404 naming the path's lang when no doc may have a
// version in it, and reports whether it may.
func knownLanguage(c *gin.Context, lang string) bool {
	if slices.Contains(content.TranslationLanguages, lang) {
		return true
	}
	msg := "must be one of " + strings.Join(content.TranslationLanguages, ", ")
	failStatus(c, http.StatusNotFound, "Not found", fmt.Sprintf("lang %q: %s", lang, msg), FieldError{Field: "lang", Message: msg})
	return false
}

func (a *API) putTranslation(c *gin.Context) {
	lang := c.Param("lang")
	if !knownLanguage(c, lang) {
		return
	}
	var in translationInput
	if !bindJSON(c, &in) {
		return
	}
	a.editTranslations(c, in.Publish, func(ts map[string]content.Translation) bool {
		ts[lang] = in.Translation
		return true
	})
}

func (a *API) deleteTranslation(c *gin.Context) {
	lang := c.Param("lang")
	if !knownLanguage(c, lang) {
		return
	}
	a.editTranslations(c, c.Query("publish") == "true", func(ts map[string]content.Translation) bool {
		if _, ok := ts[lang]; !ok {
			return false
		}
		delete(ts, lang)
		return true
	})
}

// editTranslations saves the draft of the path's doc with its versions
// changed by edit (false: the version to change is not there, 404),
// publishes it when asked, and answers the doc.
func (a *API) editTranslations(c *gin.Context, publish bool, edit func(map[string]content.Translation) bool) {
	ctx := c.Request.Context()
	kind, slug := c.Param("kind"), c.Param("slug")
	e, err := a.deps.Content.Entry(ctx, kind, slug)
	if err != nil {
		fail(c, err)
		return
	}
	in := e.Draft.Input()
	in.Translations = maps.Clone(in.Translations)
	if in.Translations == nil {
		in.Translations = map[string]content.Translation{}
	}
	if !edit(in.Translations) {
		fail(c, fmt.Errorf("%w: %s %s has no %s version", content.ErrNotFound, kind, slug, c.Param("lang")))
		return
	}
	if _, err := a.deps.Content.Save(ctx, in, false, e.Federation, e.Order); err != nil {
		fail(c, err)
		return
	}
	if publish {
		if _, err := a.deps.Content.Publish(ctx, kind, slug); err != nil {
			fail(c, err)
			return
		}
	}
	a.answerDoc(c, http.StatusOK, kind, slug)
}
