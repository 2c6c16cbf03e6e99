package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/fedmart/fedmart/node"
	"github.com/spf13/cobra"
)

// inTheFile says, for both commands' help, what a backup holds.
const inTheFile = `The file holds the node's whole database, read as one consistent snapshot:
the charter chain and pending amendments, merchants (their tokens as
hashes), every listing (the node's own and those replicated from members)
with stock, shoppers (their password hashes), carts, orders with every
signed order message and the outboxes, the settlement ledger and
statements, and the webhook log. It begins with a header naming the node
(peer id and name) and the time it was taken, and ends with a checksum
that a file cut short lacks.

Not in the file: identity.key, operator.token and fedmart.yaml (which may
hold webhook secrets). Keep copies of them apart from the backups, as
safely as the node's identity deserves: a backup alone cannot bring a node
back, and whoever holds the key can sign as the platform. The search index
is not in it either: the node rebuilds it at start. The file does hold
shoppers' personal data, so keep it as private as the node.`

type backupOptions struct {
	dir, out, api string
}

func newBackup() *cobra.Command {
	var o backupOptions
	cmd := &cobra.Command{
		Use:   "backup --data DIR --out FILE",
		Short: "Write a backup of the node's database, while it runs or not",
		Long: `backup writes a backup of the database of the node in DIR to FILE.

While the node runs (its database is locked), the backup comes through its
API: GET /v1/backup with the operator token from DIR (operator_token_file),
at api.listen from DIR/fedmart.yaml (or api.public_url, or --api). The node
keeps serving meanwhile. When the node is stopped, backup reads DIR/db
directly. Either way the bytes so far are shown on stderr, the file is
written to FILE.tmp, checked, synced and only then renamed to FILE, so that
a backup that did not finish never has the name of one.

` + inTheFile + `

Take one at least daily, and before any upgrade; keep several, on another
machine than the node's. "fedmart restore" puts one back.`,
		Example: `  fedmart backup --data ./alpha --out /backups/alpha-$(date -u +%Y%m%dT%H%M%SZ).backup`,
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runBackup(cmd, o)
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.dir, "data", "", "the node's data folder")
	f.StringVar(&o.out, "out", "", "the backup file to write")
	f.StringVar(&o.api, "api", "", "the running node's API URL (default: from DIR/fedmart.yaml)")
	must(cmd.MarkFlagRequired("data"), cmd.MarkFlagRequired("out"))
	return cmd
}

func runBackup(cmd *cobra.Command, o backupOptions) error {
	cfg, err := node.LoadConfig(o.dir)
	if err != nil {
		return err
	}
	stderr := cmd.ErrOrStderr()
	tmp := o.out + ".tmp"
	f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return fmt.Errorf("--out: %w", err)
	}
	defer func() {
		if f != nil {
			f.Close()
			os.Remove(tmp)
		}
	}()
	bar := newByteProgress(stderr)
	how := "straight from " + filepath.Join(o.dir, "db") + " (the node is stopped)"
	info, err := node.BackupData(cmd.Context(), cfg, io.MultiWriter(f, bar), slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelWarn})))
	if errors.Is(err, node.ErrRunning) {
		if err = restart(f, bar); err == nil {
			var base string
			if base, err = apiBase(cfg, o.api); err == nil {
				how = "through the running node at " + base
				info, err = download(cmd.Context(), cfg, base, io.MultiWriter(f, bar))
			}
		}
	}
	bar.done()
	if err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	if err := f.Sync(); err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	f = nil
	if err := os.Rename(tmp, o.out); err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	if err := syncDir(filepath.Dir(o.out)); err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	fmt.Fprintf(cmd.OutOrStdout(), "backup of %s (peer id %s) taken at %s, %s\n  %s: %s\n",
		info.Node, info.PeerID, info.TakenAt.Format(time.RFC3339), how, o.out, bytesText(bar.n))
	return nil
}

// restart empties the file and the count for a second attempt.
func restart(f *os.File, bar *byteProgress) error {
	bar.n = 0
	if err := f.Truncate(0); err != nil {
		return err
	}
	_, err := f.Seek(0, io.SeekStart)
	return err
}

// download streams GET /v1/backup into w, checking the file as it comes:
// a download that ends early or damaged is an error, not a backup.
func download(ctx context.Context, cfg node.Config, base string, w io.Writer) (node.BackupInfo, error) {
	c := nodeClient{token: "@" + dataPath(cfg, cfg.OperatorTokenFile)}
	if err := c.resolve(io.Discard); err != nil {
		return node.BackupInfo{}, err
	}
	token := c.bearer
	req, err := http.NewRequestWithContext(ctx, "GET", base+"/v1/backup", nil)
	if err != nil {
		return node.BackupInfo{}, fmt.Errorf("--api: %w", err)
	}
	req.Header.Set("Authorization", "Bearer "+token)
	client := http.Client{Transport: &http.Transport{ResponseHeaderTimeout: time.Minute, Proxy: http.ProxyFromEnvironment}}
	resp, err := client.Do(req)
	if err != nil {
		return node.BackupInfo{}, fmt.Errorf("the node's database is locked, so the node runs, but its API does not answer: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		b, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
		return node.BackupInfo{}, fmt.Errorf("%s: %w", base, problemError(resp.StatusCode, b))
	}
	info, err := node.ReadBackup(io.TeeReader(resp.Body, w), nil)
	if err != nil {
		return info, fmt.Errorf("downloading from %s: %w", base, err)
	}
	return info, nil
}

// apiBase is the running node's API: --api, else api.listen (the node is
// on this machine: no proxy in between), else api.public_url.
func apiBase(cfg node.Config, flag string) (string, error) {
	if flag != "" {
		return strings.TrimRight(flag, "/"), nil
	}
	host, port, err := net.SplitHostPort(cfg.API.Listen)
	if err == nil && port != "0" {
		if ip := net.ParseIP(host); host == "" || (ip != nil && ip.IsUnspecified()) {
			host = "127.0.0.1"
		}
		return "http://" + net.JoinHostPort(host, port), nil
	}
	if cfg.API.PublicURL != "" {
		return strings.TrimRight(cfg.API.PublicURL, "/"), nil
	}
	return "", fmt.Errorf("api.listen %q names no port to reach the running node at, and api.public_url is not set: pass --api", cfg.API.Listen)
}

// dataPath resolves a path of the config against its data folder.
func dataPath(cfg node.Config, name string) string {
	if filepath.IsAbs(name) {
		return name
	}
	return filepath.Join(cfg.DataDir, name)
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}

func newRestore() *cobra.Command {
	var dir string
	var force bool
	cmd := &cobra.Command{
		Use:   "restore --data DIR FILE",
		Short: "Replace the stopped node's database with a backup",
		Long: `restore puts the backup in FILE in place of the database of the node in
DIR. DIR must hold the node's fedmart.yaml and identity.key (which are not
in the backup); the node must be stopped: restore refuses while its
database is locked.

First the whole file is read and checked: a file that is not a fedmart
backup, that was cut short or damaged, or that is a backup of another node
(its peer id is not DIR/identity.key's) is refused before anything changes;
--force restores another node's backup anyway. Then it is loaded into
DIR/db.restoring, and only a complete load is swapped in. The database it
replaces is kept as DIR/db.before-restore-<time>, never deleted: remove it
once the node runs well. A failure at any step leaves DIR/db as it was.

When the node starts on a restored database it logs the backup's time and
catches up on what it did since from the members: its own catalog records
(listing and stock changes answer 503 until a catch-up with a member has
completed, usually seconds after they connect); order messages the members
had not yet had acknowledged, which their outboxes deliver as usual, while
members answer what its own outbox sends again without a second effect;
and settlement entries, which reconciliation restores from the members'
signed proofs. The members hold, signed, every order message they
exchanged with it after the backup.

` + inTheFile,
		Example: `  fedmart restore --data ./alpha /backups/alpha-20261124T020000Z.backup`,
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runRestore(cmd, dir, args[0], force)
		},
	}
	cmd.Flags().StringVar(&dir, "data", "", "the node's data folder")
	cmd.Flags().BoolVar(&force, "force", false, "restore a backup of another node's identity")
	must(cmd.MarkFlagRequired("data"))
	return cmd
}

func runRestore(cmd *cobra.Command, dir, file string, force bool) error {
	cfg, err := node.LoadConfig(dir)
	if err != nil {
		return err
	}
	stderr := cmd.ErrOrStderr()
	steps := newStepProgress(stderr)
	res, err := node.Restore(node.RestoreOptions{Config: cfg, File: file, Force: force, Progress: steps.update,
		Log: slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))})
	steps.done()
	if err != nil {
		return fmt.Errorf("restore: %w", err)
	}
	out := cmd.OutOrStdout()
	fmt.Fprintf(out, "restored the backup of %s (peer id %s) taken at %s into %s\n",
		res.Backup.Node, res.Backup.PeerID, res.Backup.TakenAt.Format(time.RFC3339), filepath.Join(dir, "db"))
	if res.Kept != "" {
		fmt.Fprintf(out, "the database it replaced is kept at %s\n", res.Kept)
	}
	fmt.Fprintf(out, "start the node: it catches up from the members on what it did after %s\n", res.Backup.TakenAt.Format(time.RFC3339))
	return nil
}
