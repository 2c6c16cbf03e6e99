// Package media keeps the pictures merchants upload and the ones the
// node fetched from other members, in the node's Badger database (keys
// under "m/", so a backup holds them), and derives the sizes the pages
// show. It is plain Go: the streams that carry pictures between members
// are federation/mediawire's, the HTTP handlers the pages' and the API's.
//
// # Pictures
//
// An upload (Store.Ingest) is refused before anything is spent on it
// where it can be: over Config.MaxUploadBytes unread; not a JPEG, PNG or
// WebP by its first bytes (never by its name or declared type); more
// than Config.MaxPixels by its header, before a pixel is decoded, so a
// decompression bomb is never unpacked; and cut short or corrupt when it
// does not decode. What decodes is turned upright (the EXIF orientation
// of a JPEG), scaled down to CanonicalSide if larger, and encoded again:
// PNG for a PNG or a picture with transparency, JPEG otherwise. That
// canonical file holds nothing but pixels (no EXIF, GPS position, colour
// profile or trailing bytes), and its SHA-256 is the picture's hash: a
// listing shows the picture as "sha256:<hash>" (catalog.ImageRef). Each
// node derives the sizes the pages show (Size: thumb, card, full; scaled
// with golang.org/x/image/draw, never up) from the canonical file. Files
// are stored in chunks, then the picture's Image, so a reader that finds
// the Image finds every chunk.
//
// Each upload records its merchant as an uploader, charged once per
// picture against Config.MerchantBytes; the catalog lets a merchant show
// only a picture it uploaded or that some live listing already shows
// (Store.Holds, catalog.UseImages).
//
// # Across the federation
//
// A member that shows another's listing does not hold its pictures. The
// Service opens a size (Open) from the store, and otherwise fetches the
// canonical file from the home of a live listing that shows the picture
// (the catalog's ImageHomes: only pictures some listing here shows are
// ever fetched, and only from their listings' homes), checks that its
// bytes hash to the picture's hash and are a canonical picture (Adopt),
// stores them and derives the sizes; bytes that do not match are
// refused, logged and never stored. One fetch per picture runs at a time
// however many pages ask, and a picture no member handed out is not
// asked for again for Config.RetryAfter. The client whose request makes
// the node fetch is charged (Open's charge, the pages' per-client
// budget), and each member has a budget both ways (Config.PeerStreams
// transfers at a time, Config.PeerBytesPerMinute): what this node takes
// from it, and what it hands out to it (Lend).
//
// # Lifecycle
//
// Open returns the store and NewService the service; neither starts a
// goroutine or needs closing. The database is the caller's.
package media
