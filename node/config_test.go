package node

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/fedmart/fedmart/federation"
	"github.com/fedmart/fedmart/node/budget"
)

// Every file in configs/ loads and validates: the example node configs as
// node configurations, the example charter as a valid signed version 1.
func TestConfigsDirLoads(t *testing.T) {
	files, err := filepath.Glob("../configs/*")
	if err != nil || len(files) == 0 {
		t.Fatalf("no files in configs/: %v", err)
	}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		switch filepath.Ext(f) {
		case ".yaml":
			cfg, err := ParseConfig(b)
			if err != nil {
				t.Fatalf("%s: %v", f, err)
			}
			cfg.DataDir = t.TempDir()
			if err := cfg.Validate(); err != nil {
				t.Fatalf("%s: %v", f, err)
			}
		case ".json":
			sc, err := federation.ParseSignedCharter(b)
			if err != nil {
				t.Fatalf("%s: %v", f, err)
			}
			if err := sc.Verify(nil); err != nil {
				t.Fatalf("%s: %v", f, err)
			}
		default:
			t.Fatalf("%s: no test knows how to load this file", f)
		}
	}
}

func TestLimitsReadFromYAML(t *testing.T) {
	cfg, err := ParseConfig([]byte("name: x\napi:\n  limits:\n    accounts: off\n    checkouts: 5/30m\n"))
	if err != nil {
		t.Fatal(err)
	}
	if l := cfg.API.Limits; !l.Accounts.Off() || l.Checkouts.N != 5 || l.Checkouts.Per != 30*time.Minute || l.SignIns != budget.DefaultConfig().SignIns {
		t.Errorf("limits %+v", l)
	}
}

func TestStorefrontGuestCheckoutReadFromYAML(t *testing.T) {
	cfg, err := ParseConfig([]byte("name: x\n"))
	if err != nil || cfg.Storefront.GuestCheckout {
		t.Errorf("by default guest checkout is %v (%v), want off", cfg.Storefront.GuestCheckout, err)
	}
	cfg, err = ParseConfig([]byte("name: x\nstorefront:\n  guest_checkout: true\n"))
	if err != nil || !cfg.Storefront.GuestCheckout {
		t.Errorf("storefront.guest_checkout: true reads as %v (%v)", cfg.Storefront.GuestCheckout, err)
	}
	if _, err := ParseConfig([]byte("name: x\nstorefront:\n  guests: true\n")); err == nil || !strings.Contains(err.Error(), "guests") {
		t.Errorf("an unknown storefront key: %v, want it named", err)
	}
}

func TestConfigRefusalsNameTheKey(t *testing.T) {
	tests := []struct{ yaml, says string }{
		{"name: x\ncolour: red\n", "field colour not found"},
		{"name: x\napi:\n  listen: nowhere\n", "api.listen"},
		{"name: x\napi:\n  public_url: ftp://x\n", "api.public_url"},
		{"name: x\napi:\n  trusted_proxies: [10.0.0.0/8, proxy.local]\n", "api.trusted_proxies[1]"},
		{"name: x\nfederation:\n  listen: [\"/ip4/1.2.3.4/tcp/x\"]\n", "federation.listen[0]: invalid multiaddr"},
		{"name: x\nfederation:\n  dial_interval: 1ms\n", "federation.dial_interval"},
		{"name: x\nfederation:\n  dial_interval: soon\n", "dial_interval"},
		{"name: x\nstorage:\n  memtable_mb: 0\n", "storage.memtable_mb"},
		{"name: x\nstorage:\n  memtables: 0\n", "storage.memtables"},
		{"name: x\nstorage:\n  table_mb: 1024\n", "storage.table_mb"},
		{"name: x\nstorage:\n  memory_limit_mb: -1\n", "storage.memory_limit_mb"},
		{"name: x\nlog:\n  level: loud\n", "log.level"},
		{"name: x\nreplication:\n  message_signing: sometimes\n", "replication.message_signing"},
		{"name: x\nreplication:\n  sync_batch: 0\n", "replication.sync_batch"},
		{"name: x\napi:\n  metrics: everyone\n", "api.metrics: must be operator, public or listener"},
		{"name: x\napi:\n  metrics: listener\n", "api.metrics_listen: must be HOST:PORT"},
		{"name: x\napi:\n  metrics_listen: 127.0.0.1:9090\n", "api.metrics_listen: only used when api.metrics is listener"},
		{"name: x\napi:\n  limits:\n    accounts: lots\n", "api.limits.accounts (line 4): must be N/DURATION"},
		{"name: x\napi:\n  limits:\n    checkouts: 10/0s\n", "api.limits.checkouts"},
		{"name: x\napi:\n  limits:\n    clients: 0\n", "api.limits.clients"},
		{"name: x\npayments:\n  paypal: true\n", "field paypal not found"},
		{"name: x\nstorefront:\n  country: de\n", "storefront.country"},
		{"name: \"\"\n", "name:"},
		{"name: [1, 2\n", "config:"},
	}
	for _, tt := range tests {
		cfg, err := ParseConfig([]byte(tt.yaml))
		if err == nil {
			cfg.DataDir = t.TempDir()
			err = cfg.Validate()
		}
		if err == nil || !strings.Contains(err.Error(), tt.says) {
			t.Errorf("%q: err = %v, want it to name %q", tt.yaml, err, tt.says)
		}
	}
}
