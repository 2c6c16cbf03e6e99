package node

import (
	"bytes"
	"context"
	"fmt"
	"image/jpeg"
	"runtime"
	"sync"

	"github.com/fedmart/fedmart/catalog"
	"github.com/fedmart/fedmart/catalog/sample"
	"golang.org/x/sync/errgroup"
)

// pictureSide is the side of the sample catalog's pictures, in pixels.
const pictureSide = 640

// seedPictures gives each of inputs the picture of its category, drawn
// in member's colour scheme (sample.Illustrate), so that each member's
// pictures are its own and the others fetch them by hash. A picture a
// listing of the node shows already (in shown, by category) is reused;
// the others are drawn and uploaded for merchant through the node's
// picture store, as a merchant's upload would be, a few at a time. It
// returns the pictures it uploaded, by category.
func (c *Cluster) seedPictures(ctx context.Context, n *Node, member int, merchant string, inputs []catalog.ListingInput, shown map[string]string) (map[string]string, error) {
	var need []string
	for _, in := range inputs {
		if cat := sample.PictureOf(in); cat != "" && shown[cat] == "" && !containsString(need, cat) {
			need = append(need, cat)
		}
	}
	var mu sync.Mutex // guards made
	made := make(map[string]string, len(need))
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(runtime.GOMAXPROCS(0))
	for _, cat := range need {
		g.Go(func() error {
			var b bytes.Buffer
			if err := jpeg.Encode(&b, sample.Illustrate(cat, member, pictureSide), &jpeg.Options{Quality: 92}); err != nil {
				return err
			}
			im, err := n.media.Store().Ingest(gctx, merchant, b.Bytes())
			if err != nil {
				return fmt.Errorf("picture of %s: %w", cat, err)
			}
			mu.Lock()
			defer mu.Unlock()
			made[cat] = im.Ref()
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	for i, in := range inputs {
		cat := sample.PictureOf(in)
		if ref := made[cat]; ref != "" {
			inputs[i].Images = []string{ref}
		} else if ref := shown[cat]; ref != "" {
			inputs[i].Images = []string{ref}
		}
	}
	return made, nil
}

func containsString(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
