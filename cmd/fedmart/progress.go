package main

import (
	"fmt"
	"io"
	"os"
	"strings"
	"time"
)

// progress draws a bar on a terminal, and a line per 10% elsewhere (logs, CI).
type progress struct {
	w        io.Writer
	total    int64
	start    time.Time
	terminal bool
	lastTen  int64
}

func newProgress(w io.Writer, total int64) *progress {
	return &progress{w: w, total: max(total, 1), start: time.Now(), terminal: isTerminal(w)}
}

// isTerminal reports whether w is a terminal, where a line can be redrawn.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

func (p *progress) update(done int64, items int) {
	frac := float64(done) / float64(p.total)
	rate := float64(items) / max(time.Since(p.start).Seconds(), 0.001)
	if p.terminal {
		n := int(frac * 30)
		fmt.Fprintf(p.w, "\r[%s%s] %3.0f%%  %d listings  %.0f/s ", strings.Repeat("#", n), strings.Repeat(".", 30-n), frac*100, items, rate)
		return
	}
	if ten := int64(frac * 10); ten > p.lastTen {
		p.lastTen = ten
		fmt.Fprintf(p.w, "%3.0f%%  %d listings  %.0f/s\n", frac*100, items, rate)
	}
}

func (p *progress) done() {
	if p.terminal {
		fmt.Fprintln(p.w)
	}
}

func (p *progress) elapsed() time.Duration { return time.Since(p.start) }

// byteProgress counts the bytes written through it and shows the count:
// on a terminal on one line, redrawn at most ten times a second;
// elsewhere (logs, CI) a line every five seconds, and the total at the end.
type byteProgress struct {
	w        io.Writer
	n        int64
	start    time.Time
	last     time.Time
	terminal bool
}

func newByteProgress(w io.Writer) *byteProgress {
	now := time.Now()
	return &byteProgress{w: w, start: now, last: now, terminal: isTerminal(w)}
}

func (p *byteProgress) Write(b []byte) (int, error) {
	p.n += int64(len(b))
	every := 5 * time.Second
	if p.terminal {
		every = 100 * time.Millisecond
	}
	if time.Since(p.last) >= every {
		p.last = time.Now()
		p.show()
	}
	return len(b), nil
}

func (p *byteProgress) show() {
	if p.terminal {
		fmt.Fprintf(p.w, "\rbackup: %s so far ", bytesText(p.n))
		return
	}
	fmt.Fprintf(p.w, "backup: %s so far\n", bytesText(p.n))
}

func (p *byteProgress) done() {
	if p.terminal {
		fmt.Fprint(p.w, "\r")
	}
	fmt.Fprintf(p.w, "backup: %s in %s\n", bytesText(p.n), time.Since(p.start).Round(time.Millisecond))
}

// stepProgress shows the steps of a restore and how far each has read:
// on a terminal as a percentage redrawn in place, elsewhere a line per
// step and per 25%.
type stepProgress struct {
	w        io.Writer
	step     string
	quarter  int64
	last     time.Time
	terminal bool
}

func newStepProgress(w io.Writer) *stepProgress {
	return &stepProgress{w: w, terminal: isTerminal(w)}
}

func (p *stepProgress) update(step string, done, total int64) {
	if step != p.step {
		if p.terminal && p.step != "" {
			fmt.Fprintln(p.w)
		}
		p.step, p.quarter = step, 0
		if !p.terminal {
			fmt.Fprintf(p.w, "restore: %s\n", step)
		}
	}
	if total <= 0 {
		if p.terminal {
			fmt.Fprintf(p.w, "\rrestore: %s", step)
		}
		return
	}
	if p.terminal {
		if time.Since(p.last) >= 100*time.Millisecond || done == total {
			p.last = time.Now()
			fmt.Fprintf(p.w, "\rrestore: %s: %3d%% (%s of %s) ", step, 100*done/total, bytesText(done), bytesText(total))
		}
		return
	}
	if q := 4 * done / total; q > p.quarter {
		p.quarter = q
		fmt.Fprintf(p.w, "restore: %s: %d%% (%s of %s)\n", step, 25*q, bytesText(done), bytesText(total))
	}
}

func (p *stepProgress) done() {
	if p.terminal && p.step != "" {
		fmt.Fprintln(p.w)
	}
}

// bytesText writes n bytes for people.
func bytesText(n int64) string {
	switch {
	case n >= 1<<30:
		return fmt.Sprintf("%.2f GiB", float64(n)/(1<<30))
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KiB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d bytes", n)
}
