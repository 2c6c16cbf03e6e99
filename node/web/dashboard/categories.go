package dashboard

import (
	"errors"
	"net/http"
	"slices"
	"strings"

	"github.com/fedmart/fedmart/catalog/search"
	"github.com/fedmart/fedmart/node/web"
)

// The operator describes the catalog's categories for the storefront's
// category pages (/c/<path>), which show the text above the listings
// and give it to search engines (web.Site.SetCategoryDescription). The
// page lists the top categories and the ones under them, as the search
// index counts them, each with its own form, and takes any deeper path
// in one more form.

// Categories are the federation's catalog as the search index counts
// it by category; *search.Index satisfies it.
type Categories interface {
	Search(q search.Query) (search.Result, error)
}

// maxCategoryRows caps the categories the page lists.
const maxCategoryRows = 200

// categoryRow is one category's form.
type categoryRow struct {
	Path, Name, URL, Description string
	Depth, Count                 int
	// Error is what was wrong with the description last posted.
	Error string
}

// categoriesPage is what the categories template shows.
type categoriesPage struct {
	Rows []categoryRow
	// Other is the form for a category the list does not show.
	Other *web.Form
	Max   int
}

// categoryNotices are the confirmations shown after a redirect.
var categoryNotices = map[string]string{"saved": "Description saved: the category's page shows it."}

// operatorCategories lists the categories with their descriptions: GET
// /operator/categories.
func (d *Dashboard) operatorCategories(w http.ResponseWriter, r *http.Request, sess *web.Session) {
	d.categoriesPage(w, r, sess, http.StatusOK, "", "", web.NewForm())
}

func (d *Dashboard) categoriesPage(w http.ResponseWriter, r *http.Request, sess *web.Session, status int, bad, msg string, other *web.Form) {
	rows, err := d.categoryRows()
	if err != nil {
		d.site.Fail(w, r, err)
		return
	}
	shown := bad == ""
	for i := range rows {
		if rows[i].Path == bad {
			rows[i].Error, shown = msg, true
		}
	}
	if !shown {
		other.Add("", msg)
	}
	p := d.dashboardPage(sess, "Category descriptions", "/operator/settings", categoriesPage{Rows: rows, Other: other, Max: web.MaxCategoryDescription})
	if status == http.StatusOK {
		p.Notice = categoryNotices[r.URL.Query().Get("done")]
	}
	d.pages.Render(w, r, status, "operator_categories", p)
}

// categoryRows are the top categories and those one level under them,
// then any other category described.
func (d *Dashboard) categoryRows() ([]categoryRow, error) {
	descs, err := d.site.CategoryDescriptions()
	if err != nil {
		return nil, err
	}
	var rows []categoryRow
	add := func(path string, depth, count int) {
		segs := strings.Split(path, " > ")
		rows = append(rows, categoryRow{Path: path, Name: segs[len(segs)-1], URL: web.CategoryURL(path), Depth: depth, Count: count, Description: descs[path]})
		delete(descs, path)
	}
	if d.deps.Categories != nil {
		tops, err := d.childCategories("")
		if err != nil {
			return nil, err
		}
		for _, top := range tops {
			if len(rows) >= maxCategoryRows {
				break
			}
			add(top.path, 0, top.count)
			children, err := d.childCategories(top.path)
			if err != nil {
				return nil, err
			}
			for _, c := range children[:min(len(children), maxCategoryRows-len(rows))] {
				add(c.path, 1, c.count)
			}
		}
	}
	rest := make([]string, 0, len(descs))
	for path := range descs {
		rest = append(rest, path)
	}
	slices.Sort(rest)
	for _, path := range rest {
		add(path, strings.Count(path, " > "), 0)
	}
	return rows, nil
}

// categoryCount is a category and how many listings it holds.
type categoryCount struct {
	path  string
	count int
}

// childCategories are the categories directly under parent ("" for the
// top), largest first.
func (d *Dashboard) childCategories(parent string) ([]categoryCount, error) {
	res, err := d.deps.Categories.Search(search.Query{Category: parent, Limit: 1})
	if err != nil {
		return nil, err
	}
	prefix := ""
	if parent != "" {
		prefix = parent + " > "
	}
	var out []categoryCount
	for path, n := range res.Facets.Category {
		if rest, ok := strings.CutPrefix(path, prefix); ok && rest != "" && !strings.Contains(rest, " > ") {
			out = append(out, categoryCount{path, n})
		}
	}
	slices.SortFunc(out, func(a, b categoryCount) int {
		if a.count != b.count {
			return b.count - a.count
		}
		return strings.Compare(a.path, b.path)
	})
	return out, nil
}

// saveCategory keeps one category's description: POST
// /operator/categories. A bad path or text shows the page again with
// the problem next to the form it came from.
func (d *Dashboard) saveCategory(w http.ResponseWriter, r *http.Request, sess *web.Session) {
	path := strings.TrimSpace(r.PostForm.Get("category"))
	text := r.PostForm.Get("description")
	err := d.site.SetCategoryDescription(path, text)
	if errors.Is(err, web.ErrCategory) {
		other := web.NewForm()
		msg := strings.TrimPrefix(err.Error(), web.ErrCategory.Error()+": ")
		if r.PostForm.Get("other") != "" {
			other.Set("category", path)
			other.Set("description", text)
			field, m, _ := strings.Cut(msg, ": ")
			other.Add(field, m)
			path = ""
		}
		d.categoriesPage(w, r, sess, http.StatusUnprocessableEntity, path, msg, other)
		return
	}
	if err != nil {
		d.site.Fail(w, r, err)
		return
	}
	web.SeeOther(w, r, "/operator/categories?done=saved")
}
