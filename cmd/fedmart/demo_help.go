package main

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"strings"

	"github.com/fedmart/fedmart/catalog/content"
	"github.com/fedmart/fedmart/node"
)

// The demo's starter help centre: a dozen short articles about shopping
// and selling in the alliance, in help/*.md (a few "key: value" lines,
// "---", then the Markdown body). The first member publishes them as
// federation articles, so that every member's help centre shows them
// and every storefront links them where a shopper needs them. A restart
// with --data publishes only those missing.

//go:embed help/*.md
var helpFS embed.FS

// starterArticles reads the embedded articles, in file name order.
func starterArticles() ([]content.Input, error) {
	names, err := fs.Glob(helpFS, "help/*.md")
	if err != nil {
		return nil, err
	}
	var out []content.Input
	for _, name := range names {
		b, err := helpFS.ReadFile(name)
		if err != nil {
			return nil, err
		}
		in, err := parseArticle(string(b))
		if err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		out = append(out, in)
	}
	return out, nil
}

// parseArticle reads one article file.
func parseArticle(s string) (content.Input, error) {
	head, body, ok := strings.Cut(s, "\n---\n")
	if !ok {
		return content.Input{}, errors.New(`no "---" line between the fields and the body`)
	}
	in := content.Input{Kind: content.KindArticle, Body: strings.TrimSpace(body) + "\n"}
	for _, line := range strings.Split(strings.TrimSpace(head), "\n") {
		k, v, _ := strings.Cut(line, ":")
		v = strings.TrimSpace(v)
		switch strings.TrimSpace(k) {
		case "title":
			in.Title = v
		case "slug":
			in.Slug = v
		case "section":
			in.Section = v
		case "category":
			in.Category = v
		default:
			return content.Input{}, fmt.Errorf("unknown field %q", k)
		}
	}
	return in, content.Validate(in)
}

// publishHelp publishes the starter articles that n has not published
// yet, as federation articles, and returns how many it published.
func publishHelp(ctx context.Context, n *node.Node) (int, error) {
	arts, err := starterArticles()
	if err != nil {
		return 0, err
	}
	published := 0
	for _, in := range arts {
		if e, err := n.Content().Entry(ctx, in.Kind, in.Slug); err == nil && e.Live != 0 {
			continue
		} else if err != nil && !errors.Is(err, content.ErrNotFound) {
			return published, err
		} else if err != nil {
			if _, err := n.Content().Save(ctx, in, true, true, 0); err != nil {
				return published, fmt.Errorf("article %s: %w", in.Slug, err)
			}
		}
		if _, err := n.Content().Publish(ctx, in.Kind, in.Slug); err != nil {
			return published, fmt.Errorf("article %s: %w", in.Slug, err)
		}
		published++
	}
	return published, nil
}
