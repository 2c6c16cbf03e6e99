package api

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"
)

// Backup writes a backup file of the node's whole database to w (see
// node.WriteBackup): a header naming the node and the time, Badger's
// backup stream of one consistent snapshot, and a trailer with a
// checksum, which a file cut short lacks.
type Backup func(ctx context.Context, w io.Writer) error

// getBackup streams a backup while the node runs: Badger lets one process
// open the database, so an online backup has to come through the node.
// The file can be large and slow to take, so each write extends the
// response's deadline by the server's write timeout instead of the whole
// download having to fit in it. If the backup fails once bytes are sent,
// the connection is cut: the client sees a transfer error, and the file
// lacks its trailer in any case.
func (a *API) getBackup(c *gin.Context) {
	h := c.Writer.Header()
	h.Set("Content-Type", "application/octet-stream")
	h.Set("Content-Disposition", fmt.Sprintf(`attachment; filename="fedmart-%s.backup"`, time.Now().UTC().Format("20060102T150405Z")))
	h.Set("Cache-Control", "no-store")
	w := &deadlineWriter{w: c.Writer, rc: http.NewResponseController(c.Writer), idle: a.cfg.WriteTimeout}
	err := a.deps.Backup(c.Request.Context(), w)
	switch {
	case err == nil:
	case !c.Writer.Written():
		h.Del("Content-Disposition")
		fail(c, err)
	default:
		a.log.Warn("backup download cut short", "err", err)
		panic(http.ErrAbortHandler)
	}
}

// deadlineWriter extends the response's write deadline before each write.
type deadlineWriter struct {
	w    io.Writer
	rc   *http.ResponseController
	idle time.Duration // 0: leave the deadline alone
}

func (d *deadlineWriter) Write(p []byte) (int, error) {
	if d.idle > 0 {
		_ = d.rc.SetWriteDeadline(time.Now().Add(d.idle)) // not every writer has a deadline
	}
	return d.w.Write(p)
}
