// Package storedjson reads what a node stored as JSON with
// encoding/json/v2's decoder (github.com/go-json-experiment/json, the
// standard library's encoding/json/v2 from Go 1.27), which reads in
// under half the time and allocations of encoding/json, but reads it as
// encoding/json, which wrote it, did: fields it does not know are skipped
// (a newer build may have written them), names match in any case,
// and a name given twice or invalid UTF-8 (in a peer's message kept as it
// came, before builds refused them) are read, not refused. What arrives
// from a peer is read strictly instead (federation/wire.DecodeJSON).
package storedjson

import (
	jsonv2 "github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"
	jsonv1 "github.com/go-json-experiment/json/v1"
)

// options are encoding/json's ways of reading, in encoding/json/v2's
// terms. v2 alone, matching names in any case, also ignores underscores
// and dashes ("shipto" would fill "ship_to"); encoding/json does not.
var options = jsonv2.JoinOptions(
	jsonv2.MatchCaseInsensitiveNames(true),
	jsonv1.MatchCaseSensitiveDelimiter(true),
	jsontext.AllowDuplicateNames(true),
	jsontext.AllowInvalidUTF8(true),
)

// Unmarshal reads b into v as encoding/json.Unmarshal would.
func Unmarshal(b []byte, v any) error { return jsonv2.Unmarshal(b, v, options) }
