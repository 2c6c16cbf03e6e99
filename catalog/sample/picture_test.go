package sample

import (
	"bytes"
	"crypto/sha256"
	"fmt"
	"image"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Every generated listing has a picture; every category's differs from
// the others' and is no blank backdrop, in every colour scheme.
// FEDMART_PICTURES=DIR keeps them as PNG files to look at.
func TestEveryCategoryHasItsOwnPicture(t *testing.T) {
	names := map[string]bool{}
	for _, in := range New(7).Listings(400, "EUR", "P") {
		name := PictureOf(in)
		if name == "" {
			t.Fatalf("no picture for %q in %s", in.Title, in.Category)
		}
		names[name] = true
	}
	if len(names) != len(taxonomy) {
		t.Errorf("400 listings show %d pictures, want one per category (%d)", len(names), len(taxonomy))
	}
	dir := os.Getenv("FEDMART_PICTURES")
	seen := map[[32]byte]string{}
	for variant := range 5 {
		blank := Illustrate("", variant, 64)
		for _, k := range taxonomy {
			name := fmt.Sprintf("%s (%d)", k.path, variant)
			img := Illustrate(k.path, variant, 64)
			if sum := sha256.Sum256(img.Pix); seen[sum] != "" {
				t.Errorf("%s looks like %s", name, seen[sum])
			} else {
				seen[sum] = name
			}
			if n := differing(img, blank); n < 400 {
				t.Errorf("%s is almost blank: %d pixels drawn", name, n)
			}
			if dir != "" {
				var b bytes.Buffer
				_ = png.Encode(&b, Illustrate(k.path, variant, 400))
				file := fmt.Sprintf("%d-%s.png", variant, strings.NewReplacer(" > ", "-", " ", "_", "&", "and").Replace(k.path))
				if err := os.WriteFile(filepath.Join(dir, file), b.Bytes(), 0o644); err != nil {
					t.Fatal(err)
				}
			}
		}
	}
}

// differing counts the pixels where a and b differ.
func differing(a, b *image.RGBA) int {
	n := 0
	for i := 0; i < len(a.Pix); i += 4 {
		if !bytes.Equal(a.Pix[i:i+4], b.Pix[i:i+4]) {
			n++
		}
	}
	return n
}
