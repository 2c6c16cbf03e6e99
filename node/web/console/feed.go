package console

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"path"
	"strconv"
	"strings"

	"github.com/fedmart/fedmart/catalog"
	"github.com/fedmart/fedmart/node/web"
)

// A merchant uploads a feed (CSV, JSON lines, or a JSON array of
// listings) on the console. The whole feed is read first: a feed that
// cannot be read is refused with the lines at fault next to the file
// input, and nothing is written. A readable feed becomes a job that
// upserts it into the catalog in chunks (ListingEditor.UpsertBatch, keyed
// by SKU, so uploading the same feed again changes nothing) while its
// page shows the progress.

// Limits of a feed upload.
const (
	// feedUploadPath is where the upload form posts.
	feedUploadPath = "/merchant/feeds"
	// maxFeedBytes caps an uploaded feed file (the hint says so).
	maxFeedBytes = 32 << 20
	// maxFeedProblems is how many unreadable lines the form lists.
	maxFeedProblems = 10
)

// Feed formats the upload form offers. feedJSON is a .json file: a JSON
// array of listings, or JSON lines.
const (
	feedAuto = ""
	feedJSON = "json"
)

// feedEntry is one listing of a feed, the line it starts on and the
// line of each of its variants (a CSV group's rows).
type feedEntry struct {
	Line    int
	Lines   []int
	Listing catalog.ListingInput
}

// feedFormView is what the upload form shows.
type feedFormView struct {
	Form    *web.Form
	Formats []web.Choice
	MaxMiB  int
	Jobs    []feedProgress // the merchant's recent uploads, newest first
	Action  string
}

// feedFormats are the choices of the format select, labelled by their
// messages.
var feedFormats = []web.Choice{
	{Value: feedAuto, Label: "console.feeds.format_auto"},
	{Value: catalog.FeedCSV, Label: "console.feeds.format_csv"},
	{Value: catalog.FeedJSONLines, Label: "console.feeds.format_jsonl"},
	{Value: feedJSON, Label: "console.feeds.format_json"},
}

// knownFeedFormat reports whether the format select offers f.
func knownFeedFormat(f string) bool {
	for _, c := range feedFormats {
		if c.Value == f {
			return true
		}
	}
	return false
}

// readUpload reads the posted feed file. Problems go into f next to the
// file or format input, in l's language (the feed's own problems, line
// by line, stay in English for now).
func readUpload(l words, r *http.Request, f *web.Form) (entries []feedEntry, name, format string) {
	format = r.PostForm.Get("format")
	f.Set("format", format)
	file, hdr, err := r.FormFile("feed")
	switch {
	case errors.Is(err, http.ErrMissingFile) || errors.Is(err, http.ErrNotMultipart):
		f.Add("feed", l.T("console.feeds.choose_file"))
		return nil, "", format
	case err != nil:
		f.Add("feed", l.T("console.feeds.not_received"))
		return nil, "", format
	}
	defer file.Close()
	if name = path.Base(strings.ReplaceAll(hdr.Filename, `\`, "/")); name == "." || name == "/" {
		name = "feed" // a browser that sent no file name
	}
	if !knownFeedFormat(format) {
		f.Add("format", l.T("console.feeds.choose_format"))
		return nil, name, format
	}
	if format == feedAuto {
		if format = formatOfName(name); format == "" {
			f.Add("format", l.T("console.feeds.format_unknown"))
			return nil, name, format
		}
	}
	entries, problems := readFeedFile(file, format)
	for i, p := range problems {
		if i == maxFeedProblems {
			f.Add("feed", l.T("console.feeds.more_problems", "Count", len(problems)-i))
			break
		}
		f.Add("feed", p)
	}
	switch {
	case len(problems) > 0:
		f.Add("", l.T("console.feeds.nothing_written"))
	case len(entries) == 0:
		f.Add("feed", l.T("console.feeds.empty"))
	}
	return entries, name, format
}

// formatOfName is the feed format a file name's extension says, or "".
func formatOfName(name string) string {
	switch strings.ToLower(path.Ext(name)) {
	case ".csv":
		return catalog.FeedCSV
	case ".jsonl", ".ndjson":
		return catalog.FeedJSONLines
	case ".json":
		return feedJSON
	}
	return ""
}

// readFeedFile reads a whole feed; problems are sentences naming the
// lines at fault.
func readFeedFile(file multipart.File, format string) ([]feedEntry, []string) {
	b, err := io.ReadAll(io.LimitReader(file, maxFeedBytes+1))
	if err != nil {
		return nil, []string{"The file could not be read. Upload it again."}
	}
	if len(b) > maxFeedBytes {
		return nil, []string{fmt.Sprintf("The file is larger than %d MiB. Split the feed into smaller files.", maxFeedBytes>>20)}
	}
	b = bytes.TrimPrefix(b, []byte("\ufeff")) // a byte order mark, as spreadsheets write
	if format == feedJSON {
		if t := bytes.TrimSpace(b); len(t) > 0 && t[0] == '[' {
			return readJSONArray(b)
		}
		format = catalog.FeedJSONLines
	}
	return readFeedLines(bytes.NewReader(b), format)
}

// readFeedLines reads a CSV or JSON lines feed with catalog.FeedReader.
func readFeedLines(r io.Reader, format string) ([]feedEntry, []string) {
	fr, err := catalog.NewFeedReader(r, format)
	if err != nil {
		return nil, []string{"The feed cannot be read: " + feedErrorText(err) + "."}
	}
	var entries []feedEntry
	var problems []string
	for {
		it, err := fr.Next()
		if errors.Is(err, io.EOF) {
			return entries, problems
		}
		if err != nil {
			return entries, append(problems, "The feed cannot be read: "+feedErrorText(err)+".")
		}
		if it.Err != nil {
			problems = append(problems, sentence(feedErrorText(it.Err)))
			continue
		}
		entries = append(entries, feedEntry{Line: it.Line, Lines: it.Lines, Listing: it.Listing})
	}
}

// readJSONArray reads a JSON array of listings, numbering each by the
// line it starts on; a problem is told on the line where the JSON breaks.
func readJSONArray(b []byte) ([]feedEntry, []string) {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if _, err := dec.Token(); err != nil {
		return nil, []string{"The feed cannot be read: " + catalog.ExplainJSON(err) + "."}
	}
	var entries []feedEntry
	var problems []string
	for dec.More() {
		start := dec.InputOffset()
		line := lineAt(b, start)
		var in catalog.ListingInput
		err := dec.Decode(&in)
		if err == nil {
			entries = append(entries, feedEntry{Line: line, Lines: []int{line}, Listing: in})
			continue
		}
		var syntax *json.SyntaxError
		at := line
		if errors.As(err, &syntax) {
			at, syntax.Offset = syntaxAt(b, start)
		}
		problems = append(problems, fmt.Sprintf("Line %d: %s.", at, catalog.ExplainJSON(err)))
		if syntax != nil || errors.Is(err, io.ErrUnexpectedEOF) || dec.InputOffset() == start {
			break // the rest cannot be told apart
		}
	}
	return entries, problems
}

// syntaxAt finds where the JSON value after offset breaks: its line in
// b, and the character on that line (from 1). A decoder's own offsets
// count from where it last buffered, so the value is read again alone.
func syntaxAt(b []byte, offset int64) (line int, char int64) {
	i := int(offset)
	for i < len(b) && strings.IndexByte(" \t\r\n,", b[i]) >= 0 {
		i++
	}
	var v json.RawMessage
	var syntax *json.SyntaxError
	if err := json.NewDecoder(bytes.NewReader(b[i:])).Decode(&v); !errors.As(err, &syntax) {
		return lineAt(b, offset), 0
	}
	at := min(i+int(syntax.Offset)-1, len(b)) // the breaking character
	start := bytes.LastIndexByte(b[:at], '\n') + 1
	return bytes.Count(b[:at], []byte("\n")) + 1, int64(at - start + 1)
}

// lineAt is the line of b on which the value after offset starts.
func lineAt(b []byte, offset int64) int {
	i := int(offset)
	for i < len(b) && strings.IndexByte(" \t\r\n,", b[i]) >= 0 {
		i++
	}
	return bytes.Count(b[:i], []byte("\n")) + 1
}

// csvColumns name, for a rejected CSV row, the column each listing field
// comes from.
var csvColumns = map[string]string{
	"title": "title", "description": "description", "category": "category", "brand": "brand", "gtin": "gtin",
	"images": "images", "shipping_regions": "shipping_regions", "attributes": "attr: columns",
	"sku": "sku", "price": "price", "stock": "stock", "options": "option: columns",
}

// rejectionReason says one problem of a rejected feed entry in l's
// language. For a CSV feed the catalog's field path becomes the column
// and, for a variant other than the group's first, the line it is on:
// "price on line 6: must be more than zero". lines are the entry's lines.
func rejectionReason(l words, fe catalog.FieldError, lines []int, csv bool) string {
	problem := problemIn(l, fe.Message)
	if fe.Message == catalog.ProblemPositiveMinor { // a feed's prices are minor units, unlike a form's amounts
		problem = l.T("console.problem.positive_minor")
	}
	if fe.Field == "" {
		return problem
	}
	if !csv {
		return l.T("console.feed_job.reason", "Column", fe.Field, "Problem", problem)
	}
	name, index, rest := splitPath(fe.Field)
	say, n := "console.feed_job.reason", 0 // n: the line, picture or region the problem is on
	switch {
	case name == "variants" && rest != "":
		i, err := strconv.Atoi(index)
		sub, key, tail := splitPath(rest)
		name, index = sub, ""
		if sub == "price" && tail == "currency" {
			name = "currency"
		}
		if sub == "options" && key != "" {
			name = "option:" + strings.Trim(key, `"`)
		}
		if err == nil && i > 0 && i < len(lines) {
			say, n = "console.feed_job.reason_line", lines[i]
		}
	case name == "variants":
		return l.T("console.feed_job.group_rows", "Problem", problem)
	case name == "attributes" && index != "":
		name, index = "attr:"+strings.Trim(index, `"`), ""
	case name == "images" || name == "shipping_regions": // the column's items, not the file's lines
		if i, err := strconv.Atoi(index); err == nil {
			say, n, index = "console.feed_job.reason_picture", i+1, ""
			if name == "shipping_regions" {
				say = "console.feed_job.reason_region"
			}
		}
	}
	col, ok := csvColumns[name]
	if !ok {
		col = name
	}
	if index != "" {
		col += " " + index
	}
	return l.T(say, "Column", col, "N", n, "Problem", problem)
}

// feedErrorText is a feed reader's error without the catalog's
// "invalid: " lead.
func feedErrorText(err error) string {
	return strings.TrimPrefix(err.Error(), catalog.ErrInvalid.Error()+": ")
}

// sentence capitalizes s and ends it with a full stop.
func sentence(s string) string {
	s = strings.TrimSuffix(strings.TrimSpace(s), ".")
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:] + "."
}

// repeatedSKUs refuses the entries that reuse a SKU of an earlier entry
// of the same feed: a SKU names one listing, and the feed is written in
// several chunks, which could not tell otherwise.
func repeatedSKUs(entries []feedEntry) ([]feedEntry, []feedRejection) {
	owner := map[string]int{} // SKU -> line of the entry that has it
	var keep []feedEntry
	var refused []feedRejection
	for _, e := range entries {
		var why []func(words) string
		for _, v := range e.Listing.Variants {
			if line, ok := owner[v.SKU]; ok && v.SKU != "" {
				why = append(why, func(l words) string {
					return l.T("console.feed_job.sku_elsewhere", "SKU", strconv.Quote(v.SKU), "Line", line)
				})
			}
		}
		if why != nil {
			refused = append(refused, feedRejection{Line: e.Line, why: why})
			continue
		}
		for _, v := range e.Listing.Variants {
			owner[v.SKU] = e.Line
		}
		keep = append(keep, e)
	}
	return keep, refused
}
