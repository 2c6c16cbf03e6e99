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
	p := &progress{w: w, total: max(total, 1), start: time.Now()}
	if f, ok := w.(*os.File); ok {
		if st, err := f.Stat(); err == nil && st.Mode()&os.ModeCharDevice != 0 {
			p.terminal = true
		}
	}
	return p
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
