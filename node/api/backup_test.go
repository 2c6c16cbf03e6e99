package api_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/fedmart/fedmart/node/api"
	"github.com/prometheus/client_golang/prometheus"
)

// backupServer serves the API with backup as the node's backup stream.
func backupServer(t *testing.T, backup api.Backup) string {
	t.Helper()
	reg := prometheus.NewRegistry()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	a := api.New(api.Config{OperatorToken: "operator-token-0123456789"}, api.Deps{Backup: backup, Gatherer: reg, Registry: reg}, log)
	srv := httptest.NewServer(a.Handler())
	t.Cleanup(srv.Close)
	return srv.URL
}

func TestBackupIsForTheOperatorOnly(t *testing.T) {
	served := 0
	url := backupServer(t, func(_ context.Context, w io.Writer) error {
		served++
		_, err := io.WriteString(w, "fedmart-backup 1\n...")
		return err
	})
	if s, _ := call(t, "GET", url+"/v1/backup", "/v1/backup", "", nil); s != http.StatusUnauthorized {
		t.Fatalf("without a token: %d, want 401", s)
	}
	if s, _ := call(t, "GET", url+"/v1/backup", "/v1/backup", "a-merchant-token-0123456789", nil); s != http.StatusForbidden {
		t.Fatalf("with another token: %d, want 403", s)
	}
	if served != 0 {
		t.Fatal("the backup was taken for a caller without the operator token")
	}
	req, _ := http.NewRequest("GET", url+"/v1/backup", nil)
	req.Header.Set("Authorization", "Bearer operator-token-0123456789")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "application/octet-stream" || string(b) != "fedmart-backup 1\n..." {
		t.Fatalf("operator: %d %q %q", resp.StatusCode, resp.Header.Get("Content-Type"), b)
	}
	if !strings.HasPrefix(resp.Header.Get("Content-Disposition"), `attachment; filename="fedmart-`) {
		t.Errorf("Content-Disposition %q", resp.Header.Get("Content-Disposition"))
	}
	if err := api.CheckResponse("GET", "/v1/backup", resp.StatusCode, b); err != nil {
		t.Error(err)
	}
}

func TestBackupFailingBeforeItsFirstByteIsAProblem(t *testing.T) {
	url := backupServer(t, func(context.Context, io.Writer) error { return errors.New("database closed") })
	if s, b := call(t, "GET", url+"/v1/backup", "/v1/backup", "operator-token-0123456789", nil); s != http.StatusInternalServerError {
		t.Fatalf("%d %s, want 500", s, b)
	}
}

// A backup that fails once bytes are out cuts the connection, so that the
// download fails rather than ending like a complete file.
func TestBackupFailingMidwayCutsTheDownload(t *testing.T) {
	url := backupServer(t, func(_ context.Context, w io.Writer) error {
		_, _ = io.WriteString(w, "fedmart-backup 1\n"+strings.Repeat("x", 64<<10))
		return errors.New("disk read error")
	})
	req, _ := http.NewRequest("GET", url+"/v1/backup", nil)
	req.Header.Set("Authorization", "Bearer operator-token-0123456789")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if _, err := io.ReadAll(resp.Body); err == nil {
		t.Fatal("a backup that failed midway downloaded without an error")
	}
}
