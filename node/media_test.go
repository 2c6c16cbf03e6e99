package node

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"io"
	"mime/multipart"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/fedmart/fedmart/catalog"
	"github.com/fedmart/fedmart/federation/mediawire"
	"github.com/fedmart/fedmart/federation/wire"
	"github.com/fedmart/fedmart/internal/testwait"
	"github.com/libp2p/go-libp2p/core/network"
	"github.com/libp2p/go-libp2p/core/peer"
)

// photoJPEG is a w×h JPEG in colour c.
func photoJPEG(t *testing.T, w, h int, c color.RGBA) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			img.SetRGBA(x, y, color.RGBA{c.R, c.G, uint8(int(c.B) * y / h), 255})
		}
	}
	var b bytes.Buffer
	if err := jpeg.Encode(&b, img, nil); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// uploadPicture posts file to n's POST /v1/media as a merchant and
// returns the picture's reference.
func uploadPicture(t *testing.T, n *Node, token string, file []byte) string {
	t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	fw, _ := mw.CreateFormFile("file", "photo.jpg")
	_, _ = fw.Write(file)
	_ = mw.Close()
	req, _ := http.NewRequest(http.MethodPost, n.APIURL()+"/v1/media", &body)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	var up struct{ Ref string }
	if resp.StatusCode != http.StatusCreated || json.Unmarshal(b, &up) != nil {
		t.Fatalf("upload: %d %s", resp.StatusCode, b)
	}
	return up.Ref
}

// listWithPicture lists a product showing ref on n, as a merchant.
func listWithPicture(t *testing.T, n *Node, token, title, sku, ref string) {
	t.Helper()
	body := fmt.Sprintf(`{"title":%q,"category":"Home > Kitchen","brand":"Ferro","images":[%q],
		"shipping_regions":["DE"],"variants":[{"sku":%q,"price":{"amount":1990,"currency":"EUR"},"stock":4}]}`, title, ref, sku)
	if s, b := call(t, "POST", n.APIURL()+"/v1/listings", "/v1/listings", token, []byte(body)); s != http.StatusCreated {
		t.Fatalf("listing: %d %s", s, b)
	}
}

// getPicture loads a size of a picture from n's pages.
func getPicture(t *testing.T, n *Node, ref, size string) (int, http.Header, []byte) {
	t.Helper()
	h, _ := catalog.ImageHash(ref)
	resp, err := http.Get(n.APIURL() + "/media/" + h + "/" + size)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header, b
}

// TestPicturesTravelByHash: Alpha's merchant uploads a photo and lists a
// product with it; Beta's storefront shows the listing and serves the
// photo, which it fetched from Alpha by hash over libp2p and checked.
// Gamma, a member with its real key, lists a product with a picture of
// its own and then hands out other bytes for it: Beta refuses them,
// keeps nothing, and shows the placeholder.
func TestPicturesTravelByHash(t *testing.T) {
	c := startCluster(t, "Alpha", "Beta", "Gamma")
	a, b, g := c.Nodes[0], c.Nodes[1], c.Nodes[2]
	ferro := newMerchant(t, c, 0, "Ferro Works")
	ref := uploadPicture(t, a, ferro, photoJPEG(t, 1600, 1200, color.RGBA{190, 70, 30, 255}))
	listWithPicture(t, a, ferro, "Enamelled casserole", "CAS-24", ref)
	testwait.For(t, 15*time.Second, findsOnly(t, []*Node{b}, "q=casserole", "Enamelled casserole"))
	hash, _ := catalog.ImageHash(ref)
	if held, _, _ := b.Media().Store().Holds("", hash); held {
		t.Fatal("Beta holds the picture before anyone asked for it")
	}
	status, hdr, body := getPicture(t, b, ref, "card")
	if status != http.StatusOK || hdr.Get("Content-Type") != "image/jpeg" || !strings.Contains(hdr.Get("Cache-Control"), "immutable") {
		t.Fatalf("Beta's card: %d %q %q", status, hdr.Get("Content-Type"), hdr.Get("Cache-Control"))
	}
	cfg, err := jpeg.DecodeConfig(bytes.NewReader(body))
	if err != nil || cfg.Width != 480 || cfg.Height != 360 {
		t.Fatalf("Beta's card: %dx%d %v", cfg.Width, cfg.Height, err)
	}
	canon, _, err := b.Media().Store().Canonical(hash)
	if sum := sha256.Sum256(canon); err != nil || hex.EncodeToString(sum[:]) != hash {
		t.Fatalf("Beta's copy does not hash to %s: %v", hash, err)
	}
	// Beta's storefront shows the listing with the picture it serves.
	id := searchOn(t, b, "q=casserole").Items[0].ID
	resp, err := http.Get(b.APIURL() + "/listings/" + id)
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.Contains(string(page), "/media/"+hash+"/") {
		t.Errorf("Beta's listing page does not show the picture /media/%s/...", hash)
	}

	// Gamma lists with a picture of its own, then hands out other bytes.
	gamma := newMerchant(t, c, 2, "Gamma Goods")
	own := uploadPicture(t, g, gamma, photoJPEG(t, 640, 480, color.RGBA{20, 120, 60, 255}))
	decoy := photoJPEG(t, 640, 480, color.RGBA{250, 0, 0, 255})
	g.fed.Handle(mediawire.Protocol, func(ctx context.Context, _ peer.ID, s network.Stream) error {
		var req struct {
			Hash string `json:"hash"`
		}
		if err := wire.NewReader(s).ReadJSON(256, &req); err != nil {
			return err
		}
		if err := wire.WriteJSON(s, map[string]int{"code": mediawire.CodeOK, "bytes": len(decoy)}); err != nil {
			return err
		}
		return wire.WriteFrame(s, decoy)
	})
	listWithPicture(t, g, gamma, "Green jug", "JUG-1", own)
	testwait.For(t, 15*time.Second, findsOnly(t, []*Node{b}, "q=jug", "Green jug"))
	status, hdr, body = getPicture(t, b, own, "card")
	if status != http.StatusNotFound || hdr.Get("Content-Type") != "image/svg+xml" {
		t.Fatalf("Gamma's forged picture on Beta: %d %q", status, hdr.Get("Content-Type"))
	}
	ownHash, _ := catalog.ImageHash(own)
	if held, _, _ := b.Media().Store().Holds("", ownHash); held {
		t.Fatal("Beta kept the bytes Gamma handed out")
	}
	decoySum := sha256.Sum256(decoy)
	if held, _, _ := b.Media().Store().Holds("", hex.EncodeToString(decoySum[:])); held {
		t.Fatal("Beta kept the decoy under its own hash")
	}
	if s, m := call(t, "GET", b.APIURL()+"/metrics", "/metrics", c.Tokens[1], nil); s != 200 ||
		!strings.Contains(string(m), `fedmart_media_fetches_total{result="refused"} 1`) ||
		!strings.Contains(string(m), `fedmart_media_fetches_total{result="ok"} 1`) {
		t.Errorf("Beta's metrics do not count one good fetch and one refusal:\n%s", grepLines(string(m), "fedmart_media"))
	}
}

func grepLines(s, sub string) string {
	var out []string
	for line := range strings.Lines(s) {
		if strings.Contains(line, sub) {
			out = append(out, line)
		}
	}
	return strings.Join(out, "")
}

// TestSeededListingsShowPictures: the demo's sample listings show
// pictures drawn for their categories, uploaded on their home, each
// member's its own; another member serves them by fetching them.
func TestSeededListingsShowPictures(t *testing.T) {
	c := startCluster(t, "Alpha", "Beta")
	a, b := c.Nodes[0], c.Nodes[1]
	seeded, err := c.Seed(t.Context(), 2, 6)
	if err != nil || len(seeded) != 4 {
		t.Fatalf("seed: %v, %d merchants", err, len(seeded))
	}
	homeOf := map[string]string{} // picture hash -> the member that holds it
	for _, n := range c.Nodes {
		err := n.cat.All(func(l catalog.Listing) error {
			if l.Platform != n.PeerID().String() {
				return nil
			}
			h, ok := "", len(l.Images) == 1
			if ok {
				h, ok = catalog.ImageHash(l.Images[0])
			}
			if !ok {
				return fmt.Errorf("%s shows %v, want one uploaded picture", l.Title, l.Images)
			}
			if held, _, _ := n.Media().Store().Holds("", h); !held {
				return fmt.Errorf("%s's picture is not held by its home %s", l.Title, n.Name())
			}
			if other, ok := homeOf[h]; ok && other != n.Name() {
				return fmt.Errorf("%s and %s show the same picture", other, n.Name())
			}
			homeOf[h] = n.Name()
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	var alphas []string
	for h, home := range homeOf {
		if home == a.Name() {
			alphas = append(alphas, h)
		}
	}
	if len(alphas) == 0 {
		t.Fatal("Alpha's listings show no picture")
	}
	testwait.For(t, 15*time.Second, func() error {
		if b.cat.Count() != 24 {
			return fmt.Errorf("Beta holds %d listings, want 24", b.cat.Count())
		}
		return nil
	})
	status, hdr, _ := getPicture(t, b, catalog.ImageRef(alphas[0]), "thumb")
	if status != http.StatusOK || hdr.Get("Content-Type") != "image/jpeg" {
		t.Fatalf("Alpha's picture on Beta: %d %q", status, hdr.Get("Content-Type"))
	}
}
