package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"path/filepath"
	"strings"
	"time"

	"github.com/fedmart/fedmart/node"
	"github.com/libp2p/go-libp2p/core/peer"
)

// apiCall sends one request to a node's API with a bearer token and
// returns the body of a 2xx answer; any other answer becomes an error
// carrying the problem's detail.
func apiCall(ctx context.Context, method, url, token string, body io.Reader) ([]byte, error) {
	ctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, method, url, body)
	if err != nil {
		return nil, fmt.Errorf("--api: %w", err)
	}
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 64<<20))
	if err != nil {
		return nil, err
	}
	if resp.StatusCode/100 != 2 {
		return nil, problemError(resp.StatusCode, b)
	}
	return b, nil
}

func problemError(status int, b []byte) error {
	var p struct {
		Title, Detail string
		Errors        []struct{ Field, Message string }
	}
	if json.Unmarshal(b, &p) != nil || p.Title == "" {
		return fmt.Errorf("HTTP %d: %s", status, strings.TrimSpace(string(b)))
	}
	msg := fmt.Sprintf("HTTP %d %s: %s", status, p.Title, p.Detail)
	for _, e := range p.Errors {
		msg += fmt.Sprintf("\n  %s: %s", e.Field, e.Message)
	}
	return fmt.Errorf("%s", msg)
}

// identityPath is the identity key of the node in dir, as its config names it.
func identityPath(dir string) string {
	cfg, err := node.LoadConfig(dir)
	if err != nil || cfg.Identity == "" {
		return filepath.Join(dir, node.DefaultConfig().Identity)
	}
	if filepath.IsAbs(cfg.Identity) {
		return cfg.Identity
	}
	return filepath.Join(dir, cfg.Identity)
}

func peerID(keyPath string) (peer.ID, error) {
	key, err := node.LoadIdentity(keyPath)
	if err != nil {
		return "", err
	}
	return peer.IDFromPrivateKey(key)
}
