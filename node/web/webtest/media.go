package webtest

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"sync"
	"testing"

	"github.com/fedmart/fedmart/catalog"
	"github.com/fedmart/fedmart/catalog/media"
)

// mediaNet carries pictures between the members in memory, as
// federation/mediawire does over libp2p, and counts the fetches.
type mediaNet struct {
	mu      sync.Mutex // guards members and fetches
	members map[string]*media.Service
	fetches int
}

func (n *mediaNet) join(id string, svc *media.Service) {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.members[id] = svc
}

// mediaTransport is one member's side of the mediaNet.
type mediaTransport struct {
	net  *mediaNet
	from string
}

func (t mediaTransport) Fetch(ctx context.Context, peer, hash string, max int) ([]byte, error) {
	t.net.mu.Lock()
	svc := t.net.members[peer]
	t.net.fetches++
	t.net.mu.Unlock()
	if svc == nil {
		return nil, fmt.Errorf("%w: no member %s", media.ErrNotFound, peer)
	}
	b, err := svc.Lend(ctx, t.from, hash)
	if len(b) > max {
		return nil, media.ErrTooLarge
	}
	return b, err
}

// startMedia opens n's picture store on its Badger, lets its merchants
// show what they upload, and joins net.
func (n *Node) startMedia(t *testing.T, net *mediaNet) {
	t.Helper()
	store, err := media.Open(media.DefaultConfig(), n.DB, nil)
	if err != nil {
		t.Fatal(err)
	}
	n.Cat.UseImages(store)
	n.Media, err = media.NewService(store, media.Deps{Self: n.ID.String(), Homes: n.Cat, Transport: mediaTransport{net: net, from: n.ID.String()}})
	if err != nil {
		t.Fatal(err)
	}
	net.join(n.ID.String(), n.Media)
}

// MediaFetches is how many pictures the members asked each other for.
func (h *Harness) MediaFetches() int {
	h.media.mu.Lock()
	defer h.media.mu.Unlock()
	return h.media.fetches
}

// Upload stores a picture that merchant of n uploads, and returns its
// reference for a listing's images.
func (h *Harness) Upload(n *Node, merchant string, file []byte) string {
	h.T.Helper()
	im, err := n.Media.Store().Ingest(context.Background(), merchant, file)
	if err != nil {
		h.T.Fatal(err)
	}
	return im.Ref()
}

// Picture is a w×h JPEG photo in colour c, with a lighter top half.
func Picture(t testing.TB, w, h int, c color.RGBA) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			p := c
			if y < h/2 {
				p = color.RGBA{c.R/2 + 127, c.G/2 + 127, c.B/2 + 127, 255}
			}
			img.SetRGBA(x, y, p)
		}
	}
	var b bytes.Buffer
	if err := jpeg.Encode(&b, img, &jpeg.Options{Quality: 90}); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// ImageHash is the hash of a picture reference, for /media URLs.
func ImageHash(t testing.TB, ref string) string {
	t.Helper()
	h, ok := catalog.ImageHash(ref)
	if !ok {
		t.Fatalf("%q is not a picture reference", ref)
	}
	return h
}
