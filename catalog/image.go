package catalog

import (
	"errors"
	"fmt"
	"strings"

	badger "github.com/dgraph-io/badger/v4"
)

// A listing's image is either an absolute http(s) URL or the reference
// of a picture uploaded to its home node: "sha256:" and the 64 lower-case
// hex digits of the SHA-256 of the picture's canonical bytes (see
// package catalog/media). Members fetch a referenced picture from a home
// of a listing that shows it, by its hash, and check the bytes against
// it; so a reference names one picture for ever, wherever it is stored.
//
// The catalog keeps an index of which live listings show each uploaded
// picture, written in the transaction that stores the listing record, so
// that a member knows whom to ask for a picture and a merchant may reuse
// a picture some live listing already shows:
//
//	c/i/<hash>/<listing id>    the listing shows the picture
//	c/j/<listing id>           the hashes the listing shows, concatenated

// ImageRefPrefix starts the reference of an uploaded picture.
const ImageRefPrefix = "sha256:"

// hashLen is the length of a picture's hash in hex.
const hashLen = 64

const (
	prefixImage       = "c/i/"
	prefixImageByList = "c/j/"
)

// ImageRef is the reference of the picture whose canonical bytes have the
// SHA-256 hash (64 lower-case hex digits).
func ImageRef(hash string) string { return ImageRefPrefix + hash }

// ImageHash returns the hash an image reference names, and whether s is
// a well-formed reference.
func ImageHash(s string) (string, bool) {
	h, ok := strings.CutPrefix(s, ImageRefPrefix)
	if !ok || !IsImageHash(h) {
		return "", false
	}
	return h, true
}

// IsImageHash reports whether h is 64 lower-case hex digits.
func IsImageHash(h string) bool {
	if len(h) != hashLen {
		return false
	}
	for i := 0; i < len(h); i++ {
		if c := h[i]; (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}

// checkImage returns what is wrong with one entry of a listing's images:
// an http(s) URL or an uploaded picture's reference. "" means nothing.
func checkImage(s string, limit int) string {
	if strings.HasPrefix(s, ImageRefPrefix) {
		if _, ok := ImageHash(s); !ok {
			return "must be " + ImageRefPrefix + " followed by the 64 lower-case hex digits of an uploaded picture's hash"
		}
		return ""
	}
	if msg := checkImageURL(s, limit); msg != "" {
		return msg + ", or an uploaded picture's reference (" + ImageRefPrefix + "<hash>)"
	}
	return ""
}

// imageHashes lists the distinct picture hashes a listing shows, in order.
func imageHashes(l *Listing) []string {
	if l == nil {
		return nil
	}
	var out []string
	for _, s := range l.Images {
		if h, ok := ImageHash(s); ok && !containsString(out, h) {
			out = append(out, h)
		}
	}
	return out
}

func containsString(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func imageKey(hash, listing string) []byte { return []byte(prefixImage + hash + "/" + listing) }

func imagesOfKey(listing string) []byte { return []byte(prefixImageByList + listing) }

// reimage moves listing id's entries in the picture index to the
// pictures l shows (none for a takedown, l nil). It runs in the
// transaction that stores the listing's record.
func reimage(txn *badger.Txn, id string, l *Listing) error {
	old, err := storedImages(txn, id)
	if err != nil {
		return err
	}
	return indexImages(txn, id, old, imageHashes(l))
}

// storedImages are the pictures the index holds for listing id.
func storedImages(txn *badger.Txn, id string) ([]string, error) {
	item, err := txn.Get(imagesOfKey(id))
	if errors.Is(err, badger.ErrKeyNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	v, err := item.ValueCopy(nil)
	if err != nil {
		return nil, err
	}
	if len(v)%hashLen != 0 {
		return nil, fmt.Errorf("catalog: stored pictures of %s are %d bytes", id, len(v))
	}
	var old []string
	for i := 0; i < len(v); i += hashLen {
		old = append(old, string(v[i:i+hashLen]))
	}
	return old, nil
}

// indexImages moves listing id's entries in the picture index from old
// to cur.
func indexImages(txn *badger.Txn, id string, old, cur []string) error {
	if len(old) == 0 && len(cur) == 0 {
		return nil
	}
	for _, h := range old {
		if !containsString(cur, h) {
			if err := txn.Delete(imageKey(h, id)); err != nil {
				return err
			}
		}
	}
	for _, h := range cur {
		if !containsString(old, h) {
			if err := txn.Set(imageKey(h, id), nil); err != nil {
				return err
			}
		}
	}
	if len(cur) == 0 {
		return txn.Delete(imagesOfKey(id))
	}
	return txn.Set(imagesOfKey(id), []byte(strings.Join(cur, "")))
}

// ImageHomes lists the home platforms of live listings that show the
// uploaded picture with hash, at most limit of them, this node's own
// first: the members that can hand its bytes out. None when no live
// listing shows it.
func (c *Catalog) ImageHomes(hash string, limit int) ([]string, error) {
	if !IsImageHash(hash) {
		return nil, fmt.Errorf("%w: picture hash %q", ErrInvalid, clip(hash))
	}
	var out []string
	err := c.db.View(func(txn *badger.Txn) error {
		opts := badger.DefaultIteratorOptions
		opts.PrefetchValues = false
		opts.Prefix = []byte(prefixImage + hash + "/")
		it := txn.NewIterator(opts)
		defer it.Close()
		for it.Rewind(); it.Valid() && len(out) < limit; it.Next() {
			id := strings.TrimPrefix(string(it.Item().Key()), string(opts.Prefix))
			platform, _, _, err := ParseID(id)
			if err != nil || containsString(out, platform) {
				continue
			}
			if platform == c.self {
				out = append([]string{platform}, out...)
			} else {
				out = append(out, platform)
			}
		}
		return nil
	})
	return out, err
}

// imageShown reports whether a live listing shows the picture.
func (c *Catalog) imageShown(hash string) (bool, error) {
	homes, err := c.ImageHomes(hash, 1)
	return len(homes) > 0, err
}

// ImageStore tells the catalog which uploaded pictures this node holds,
// and who uploaded them; catalog/media's Store satisfies it.
type ImageStore interface {
	// Holds reports whether the picture with hash is stored here, and
	// whether merchant uploaded it.
	Holds(merchant, hash string) (held, uploaded bool, err error)
}

// UseImages lets this node's merchants show uploaded pictures: a listing
// may reference a picture the store holds that the merchant uploaded, or
// that a live listing shows already (so anyone may see it). Without it
// (the default) every picture reference in a merchant's listing is
// refused. Call it once, before the catalog is written to.
func (c *Catalog) UseImages(s ImageStore) { c.images = s }

// checkOwnImages checks the pictures a merchant's input references
// against UseImages' rule; its field errors name images[i].
func (c *Catalog) checkOwnImages(merchant string, in ListingInput) ([]FieldError, error) {
	var errs []FieldError
	for i, s := range in.Images {
		h, ok := ImageHash(s)
		if !ok {
			continue
		}
		field := fmt.Sprintf("images[%d]", i)
		if c.images == nil {
			errs = append(errs, FieldError{Field: field, Message: "cannot be an uploaded picture: this node stores no pictures"})
			continue
		}
		held, uploaded, err := c.images.Holds(merchant, h)
		if err != nil {
			return nil, err
		}
		if !held {
			errs = append(errs, FieldError{Field: field, Message: "names no picture stored on this node: upload the picture first"})
			continue
		}
		if uploaded {
			continue
		}
		shown, err := c.imageShown(h)
		if err != nil {
			return nil, err
		}
		if !shown {
			errs = append(errs, FieldError{Field: field, Message: "names a picture another merchant uploaded and no listing shows yet"})
		}
	}
	return errs, nil
}
