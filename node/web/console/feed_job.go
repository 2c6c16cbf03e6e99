package console

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/fedmart/fedmart/catalog"
	"github.com/fedmart/fedmart/node/web"
)

// Feed jobs live in memory, in the feedUploads value the console's routes
// share: the last maxFeedJobs of each merchant, of which at most one runs
// at a time (two feeds writing the same SKUs at once would race). A job
// goes running -> done, or failed (the catalog refused to store a chunk)
// or stopped (the Web closed); the listings of the chunks written before
// stay written. Each job runs in a goroutine of its own, which stops
// between chunks once Web.Close is called.

// Sizes of the feed jobs.
const (
	// feedChunk is how many listings one UpsertBatch call writes, so that
	// the progress moves in steps a merchant can see.
	feedChunk = 200
	// maxFeedJobs is how many uploads are kept per merchant.
	maxFeedJobs = 20
	// maxFeedRejections is how many rejections a job keeps the reasons of.
	maxFeedRejections = 1000
	// feedRejectionsShown is how many of them the progress page lists.
	feedRejectionsShown = 100
)

// States of a feed job.
const (
	jobRunning = "running"
	jobDone    = "done"
	jobFailed  = "failed"
	jobStopped = "stopped"
)

// jobStateText says a job's state in words: the messages' ids.
var jobStateText = map[string]string{
	jobRunning: "console.feed_job.state_running",
	jobDone:    "console.feed_job.state_done",
	jobFailed:  "console.feed_job.state_failed",
	jobStopped: "console.feed_job.state_stopped",
}

// feedUploads keeps the merchants' feed jobs and serves their pages.
type feedUploads struct {
	c    *Console
	mu   sync.Mutex            // guards jobs
	jobs map[string][]*feedJob // by merchant id, oldest first
}

// newFeedUploads returns c's feed jobs, none yet. Each job runs on the
// site (web.Site.Go), whose Close stops it between two chunks and waits
// for it.
func newFeedUploads(c *Console) *feedUploads {
	return &feedUploads{c: c, jobs: map[string][]*feedJob{}}
}

// feedJob is one upload being written.
type feedJob struct {
	id, merchant, file, format string
	total                      int
	started                    time.Time

	mu                          sync.Mutex // guards the fields below
	state                       string
	done                        int // listings written or refused
	created, updated, unchanged int
	rejected                    int
	rejections                  []feedRejection // the first maxFeedRejections
	problem                     string
	finished                    time.Time
}

// feedRejection is one listing of a feed the catalog refused, and why:
// each reason said in the language of whoever reads the job's page.
type feedRejection struct {
	Line int
	why  []func(words) string
}

// rejectionRow is a rejection as the job's page lists it.
type rejectionRow struct {
	Line   int
	Reason string
}

// feedProgress is a job as its page and its JSON show it.
type feedProgress struct {
	ID         string          `json:"id"`
	File       string          `json:"file"`
	Format     string          `json:"format"`
	State      string          `json:"state"`
	StateText  string          `json:"state_text"`
	Total      int             `json:"total"`
	Done       int             `json:"done"`
	Percent    int             `json:"percent"`
	Created    int             `json:"created"`
	Updated    int             `json:"updated"`
	Unchanged  int             `json:"unchanged"`
	Rejected   int             `json:"rejected"`
	Problem    string          `json:"problem,omitempty"`
	Rejections []rejectionRow  `json:"-"` // shown, said by in
	listed     []feedRejection // the rejections Rejections says
	// MoreRejections counts the rejections not listed.
	MoreRejections int       `json:"-"`
	Started        time.Time `json:"started"`
	Finished       time.Time `json:"finished,omitzero"`
	URL            string    `json:"-"`
	PollURL        string    `json:"-"`
}

// in is p with its state said in l's language.
func (p feedProgress) in(l words) feedProgress {
	p.StateText = textOf(l, jobStateText, p.State)
	p.Rejections = make([]rejectionRow, len(p.listed))
	for i, r := range p.listed {
		reasons := make([]string, len(r.why))
		for k, say := range r.why {
			reasons[k] = say(l)
		}
		p.Rejections[i] = rejectionRow{Line: r.Line, Reason: strings.Join(reasons, l.T("console.feed_job.reasons_sep"))}
	}
	return p
}

// Running reports whether the job is still writing.
func (p feedProgress) Running() bool { return p.State == jobRunning }

// snapshot is the job's progress now.
func (j *feedJob) snapshot() feedProgress {
	j.mu.Lock()
	defer j.mu.Unlock()
	p := feedProgress{ID: j.id, File: j.file, Format: j.format, State: j.state,
		Total: j.total, Done: j.done, Percent: 100, Created: j.created, Updated: j.updated, Unchanged: j.unchanged,
		Rejected: j.rejected, Problem: j.problem, Started: j.started, Finished: j.finished,
		URL: feedUploadPath + "/" + j.id, PollURL: feedUploadPath + "/" + j.id + ".json"}
	if j.total > 0 {
		p.Percent = j.done * 100 / j.total
	}
	p.listed = slices.Clone(j.rejections[:min(len(j.rejections), feedRejectionsShown)])
	p.MoreRejections = j.rejected - len(p.listed)
	return p
}

// reject records refused listings; j.mu is held, or j not yet shared.
func (j *feedJob) reject(rs ...feedRejection) {
	j.rejected += len(rs)
	j.done += len(rs)
	if room := maxFeedRejections - len(j.rejections); room > 0 {
		j.rejections = append(j.rejections, rs[:min(room, len(rs))]...)
	}
}

// record adds what UpsertBatch did with one chunk.
func (j *feedJob) record(chunk []feedEntry, res catalog.BatchResult) {
	j.mu.Lock()
	defer j.mu.Unlock()
	j.created += res.Created
	j.updated += res.Updated
	j.unchanged += res.Unchanged
	j.done += res.Created + res.Updated + res.Unchanged
	for _, rej := range res.Rejected {
		var entry feedEntry // line 0 when the catalog names no entry of the chunk
		if rej.Index >= 0 && rej.Index < len(chunk) {
			entry = chunk[rej.Index]
		}
		why := make([]func(words) string, len(rej.Errors))
		for i, e := range rej.Errors {
			lines, csv := entry.Lines, j.format == catalog.FeedCSV
			why[i] = func(l words) string { return rejectionReason(l, e, lines, csv) }
		}
		j.reject(feedRejection{Line: entry.Line, why: why})
	}
}

// end sets the job's final state.
func (j *feedJob) end(state, problem string, now time.Time) {
	j.mu.Lock()
	defer j.mu.Unlock()
	j.state, j.problem, j.finished = state, problem, now
}

// running reports whether the job is still writing.
func (j *feedJob) running() bool {
	j.mu.Lock()
	defer j.mu.Unlock()
	return j.state == jobRunning
}

// errFeedBusy is start's answer while the merchant's previous feed runs.
var errFeedBusy = errors.New("web: a feed of this merchant is still being written")

// start keeps a new job for merchant and runs it; refused is what the
// feed itself refused before any writing.
func (fu *feedUploads) start(merchant, file, format string, entries []feedEntry, refused []feedRejection) (*feedJob, error) {
	fu.mu.Lock()
	defer fu.mu.Unlock()
	jobs := fu.jobs[merchant]
	for _, j := range jobs {
		if j.running() {
			return j, errFeedBusy
		}
	}
	var id [8]byte
	_, _ = rand.Read(id[:]) // crypto/rand.Read never fails
	job := &feedJob{id: hex.EncodeToString(id[:]), merchant: merchant, file: file, format: format,
		total: len(entries) + len(refused), started: fu.c.site.Now(), state: jobRunning}
	job.reject(refused...)
	if jobs = append(jobs, job); len(jobs) > maxFeedJobs {
		jobs = slices.Delete(jobs, 0, len(jobs)-maxFeedJobs)
	}
	fu.jobs[merchant] = jobs
	fu.c.site.Go(func() { fu.run(job, entries) })
	return job, nil
}

// run writes the job's entries a chunk at a time until they are all
// written, the catalog fails, or the site closes.
func (fu *feedUploads) run(job *feedJob, entries []feedEntry) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() {
		select {
		case <-fu.c.site.Done():
			cancel()
		case <-ctx.Done():
		}
	}()
	for start := 0; start < len(entries); start += feedChunk {
		chunk := entries[start:min(start+feedChunk, len(entries))]
		in := make([]catalog.ListingInput, len(chunk))
		for i, e := range chunk {
			in[i] = e.Listing
		}
		res, err := fu.c.deps.Editor.UpsertBatch(ctx, job.merchant, in)
		job.record(chunk, res)
		if err != nil {
			fu.fail(ctx, job, chunk[0].Line, err)
			return
		}
	}
	job.end(jobDone, "", fu.c.site.Now())
}

// fail ends a job whose chunk starting at line failed.
func (fu *feedUploads) fail(ctx context.Context, job *feedJob, line int, err error) {
	if ctx.Err() != nil {
		job.end(jobStopped, fmt.Sprintf("The node shut down while the listings from line %d on were being written. "+
			"Upload the feed again to finish: listings already written are left as they are.", line), fu.c.site.Now())
		return
	}
	fu.c.site.Log().Error("web: feed upload failed", "merchant", job.merchant, "job", job.id, "line", line, "err", err)
	job.end(jobFailed, fmt.Sprintf("The catalog could not store the listings from line %d on. "+
		"Upload the feed again: listings already written are left as they are. The node's log has the details.", line), fu.c.site.Now())
}

// job returns one of merchant's jobs.
func (fu *feedUploads) job(merchant, id string) (*feedJob, bool) {
	fu.mu.Lock()
	defer fu.mu.Unlock()
	for _, j := range fu.jobs[merchant] {
		if j.id == id {
			return j, true
		}
	}
	return nil, false
}

// recent is merchant's jobs, newest first, in l's language.
func (fu *feedUploads) recent(l words, merchant string) []feedProgress {
	fu.mu.Lock()
	jobs := slices.Clone(fu.jobs[merchant])
	fu.mu.Unlock()
	out := make([]feedProgress, 0, len(jobs))
	for i := len(jobs) - 1; i >= 0; i-- {
		out = append(out, jobs[i].snapshot().in(l))
	}
	return out
}

// progress is a job's page, or with ".json" its progress for the page's
// script: GET /merchant/feeds/{job}. Another merchant's job is not found.
func (fu *feedUploads) progress(w http.ResponseWriter, r *http.Request, mv merchantVisit) {
	id, asJSON := strings.CutSuffix(r.PathValue("job"), ".json")
	job, ok := fu.job(mv.merchant.ID, id)
	if !ok {
		fu.c.site.NotFound(w, r)
		return
	}
	l := fu.c.site.Locale(r)
	p := job.snapshot().in(l)
	if asJSON {
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Cache-Control", "no-store")
		_ = json.NewEncoder(w).Encode(p)
		return
	}
	pg := fu.c.consolePage(mv, l.T("console.feeds.title"), "/merchant/feeds", p)
	if p.Running() {
		pg.Scripts = []string{"feed.js"}
	}
	fu.c.pages.Render(w, r, http.StatusOK, "merchant_feed_job", pg)
}

// form is the upload form with the merchant's recent uploads:
// GET /merchant/feeds.
func (fu *feedUploads) form(w http.ResponseWriter, r *http.Request, mv merchantVisit) {
	fu.formPage(w, r, mv, http.StatusOK, web.NewForm())
}

// formPage renders the upload form with status.
func (fu *feedUploads) formPage(w http.ResponseWriter, r *http.Request, mv merchantVisit, status int, f *web.Form) {
	l := fu.c.site.Locale(r)
	choices := slices.Clone(feedFormats)
	for i := range choices {
		choices[i].Label, choices[i].Selected = l.T(choices[i].Label), choices[i].Value == f.Value("format")
	}
	v := feedFormView{Form: f, Formats: choices, MaxMiB: maxFeedBytes >> 20, Jobs: fu.recent(l, mv.merchant.ID), Action: feedUploadPath}
	fu.c.pages.Render(w, r, status, "merchant_feeds", fu.c.consolePage(mv, l.T("console.feeds.title"), "/merchant/feeds", v))
}

// upload reads a feed and starts its job: POST /merchant/feeds. A feed
// that cannot be read is shown again with why (422), and nothing is
// written; a readable one is a 303 to its progress page.
func (fu *feedUploads) upload(w http.ResponseWriter, r *http.Request, mv merchantVisit) {
	f := web.NewForm() // checkCSRF has read the body, within the upload's cap
	if r.MultipartForm != nil {
		defer func() { _ = r.MultipartForm.RemoveAll() }()
	}
	entries, name, format := readUpload(fu.c.site.Locale(r), r, f)
	if !f.OK() {
		fu.formPage(w, r, mv, http.StatusUnprocessableEntity, f)
		return
	}
	select {
	case <-fu.c.site.Done():
		fu.c.site.Status(w, r, http.StatusServiceUnavailable, "Not available", "The node is shutting down. Upload the feed again in a moment.")
		return
	default:
	}
	entries, refused := repeatedSKUs(entries)
	job, err := fu.start(mv.merchant.ID, name, format, entries, refused)
	if errors.Is(err, errFeedBusy) {
		f.Add("feed", fmt.Sprintf("Your upload of %s is still being written (%d%%). Wait until it finishes, then upload this feed.",
			job.file, job.snapshot().Percent))
		fu.formPage(w, r, mv, http.StatusConflict, f)
		return
	}
	web.SeeOther(w, r, feedUploadPath+"/"+job.id)
}
