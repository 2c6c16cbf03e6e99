package content

import (
	"cmp"
	"context"
	"fmt"
	"slices"
)

// Listed is a published doc as shoppers find it.
type Listed struct {
	Doc
	// Key names it in its URL: its slug, or <origin>.<slug> for a
	// federation doc of another member whose slug a nearer doc uses.
	Key string `json:"key"`
	// Federation marks a doc published for the whole alliance.
	Federation bool `json:"federation"`
	// Order is a page's place in the menu (this node's pages only).
	Order int `json:"order"`
}

// view is what shoppers see: every published doc, local and federation,
// with its key, and the help search index over the articles.
type view struct {
	pages    []*Listed          // in menu order: this node's by Order, then the federation's by title
	articles []*Listed          // by section, category, title
	byKey    map[string]*Listed // kind + "/" + key
	index    *helpIndex
	// indexIn are the help search indexes of the articles' versions in
	// each of TranslationLanguages (an article without one is indexed as
	// written), by tag.
	indexIn map[string]*helpIndex
}

// current returns the view, building it if the last change invalidated it.
func (s *Store) current(ctx context.Context) (*view, error) {
	s.vmu.Lock()
	defer s.vmu.Unlock()
	if s.view != nil {
		return s.view, nil
	}
	v, err := s.build(ctx)
	if err != nil {
		return nil, err
	}
	s.view = v
	return v, nil
}

// build reads this node's published docs and the federation's.
func (s *Store) build(ctx context.Context) (*view, error) {
	v := &view{byKey: map[string]*Listed{}}
	for _, kind := range []string{KindPage, KindArticle} {
		entries, err := s.Entries(ctx, kind)
		if err != nil {
			return nil, err
		}
		for _, e := range entries {
			if e.Live == 0 {
				continue
			}
			d, err := s.Version(ctx, kind, e.Draft.Slug, e.Live)
			if err != nil {
				return nil, err
			}
			v.add(&Listed{Doc: d, Key: d.Slug, Federation: e.Federation, Order: e.Order})
		}
	}
	if s.fed != nil {
		docs, err := s.fed.FederationDocs(ctx)
		if err != nil {
			return nil, fmt.Errorf("content: federation docs: %w", err)
		}
		// Stable keys: the first member in peer ID order keeps the bare slug.
		slices.SortFunc(docs, func(a, b Doc) int { return cmp.Compare(a.Origin, b.Origin) })
		for _, d := range docs {
			if d.Origin == "" {
				continue
			}
			l := &Listed{Doc: d, Key: d.Slug, Federation: true, Order: 1 << 30}
			if _, taken := v.byKey[d.Kind+"/"+d.Slug]; taken {
				l.Key = d.Key(true)
			}
			v.add(l)
		}
	}
	slices.SortStableFunc(v.pages, func(a, b *Listed) int {
		return cmp.Or(cmp.Compare(a.Order, b.Order), cmp.Compare(a.Title, b.Title))
	})
	slices.SortStableFunc(v.articles, func(a, b *Listed) int {
		return cmp.Or(cmp.Compare(a.Section, b.Section), cmp.Compare(a.Category, b.Category), cmp.Compare(a.Title, b.Title))
	})
	v.index = newHelpIndex(s.an, v.articles)
	v.indexIn = make(map[string]*helpIndex, len(TranslationLanguages))
	for _, lang := range TranslationLanguages {
		v.indexIn[lang] = newHelpIndex(s.an, articlesIn(v.articles, lang))
	}
	return v, nil
}

func (v *view) add(l *Listed) {
	v.byKey[l.Kind+"/"+l.Key] = l
	if l.Kind == KindPage {
		v.pages = append(v.pages, l)
	} else {
		v.articles = append(v.articles, l)
	}
}

// Pages returns the published pages of the storefront's footer and menu:
// this node's in the operator's order, then the federation's.
func (s *Store) Pages(ctx context.Context) ([]Listed, error) {
	v, err := s.current(ctx)
	if err != nil {
		return nil, err
	}
	return deref(v.pages), nil
}

// Articles returns every published help article, by section, category
// and title.
func (s *Store) Articles(ctx context.Context) ([]Listed, error) {
	v, err := s.current(ctx)
	if err != nil {
		return nil, err
	}
	return deref(v.articles), nil
}

// Find returns the published doc of kind with key.
func (s *Store) Find(ctx context.Context, kind, key string) (Listed, error) {
	v, err := s.current(ctx)
	if err != nil {
		return Listed{}, err
	}
	l := v.byKey[kind+"/"+key]
	if l == nil {
		return Listed{}, fmt.Errorf("%w: %s %q", ErrNotFound, kind, clip(key))
	}
	return *l, nil
}

// Related returns up to n other articles of a's section and category.
func (s *Store) Related(ctx context.Context, a Listed, n int) ([]Listed, error) {
	v, err := s.current(ctx)
	if err != nil {
		return nil, err
	}
	var out []Listed
	for _, o := range v.articles {
		if len(out) < n && o.Key != a.Key && o.Section == a.Section && o.Category == a.Category {
			out = append(out, *o)
		}
	}
	return out, nil
}

func deref(ls []*Listed) []Listed {
	out := make([]Listed, len(ls))
	for i, l := range ls {
		out[i] = *l
	}
	return out
}

// articlesIn are the articles as a reader of lang sees them.
func articlesIn(articles []*Listed, lang string) []*Listed {
	out := make([]*Listed, len(articles))
	for i, a := range articles {
		l := *a
		l.Doc = a.Doc.In(lang)
		out[i] = &l
	}
	return out
}
