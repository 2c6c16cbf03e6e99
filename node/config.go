package node

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"net/netip"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/fedmart/fedmart/catalog"
	"github.com/fedmart/fedmart/catalog/media"
	"github.com/fedmart/fedmart/catalog/shipping"
	"github.com/fedmart/fedmart/federation"
	"github.com/fedmart/fedmart/federation/order"
	"github.com/fedmart/fedmart/federation/replication"
	"github.com/fedmart/fedmart/node/api"
	"github.com/fedmart/fedmart/node/budget"
	"github.com/fedmart/fedmart/node/mail"
	"github.com/fedmart/fedmart/node/webhook"
	"gopkg.in/yaml.v3"
)

// Config is a node's configuration, read from DIR/fedmart.yaml. Every key
// has a documented default; unknown keys are errors.
type Config struct {
	// DataDir is the node's folder (from --data, not from the file). Relative
	// paths below are relative to it.
	DataDir string `yaml:"-"`
	// Name is the platform's display name (required).
	Name string `yaml:"name"`
	// Identity is the Ed25519 key file (default identity.key, mode 0600).
	Identity string `yaml:"identity"`
	// OperatorTokenFile holds the operator's bearer token (default operator.token).
	OperatorTokenFile string `yaml:"operator_token_file"`
	// Charter, when set, is a signed charter file applied at start if it is
	// newer than the stored one (default empty: use the stored charter).
	Charter string `yaml:"charter"`
	// API configures the HTTP server.
	API APIConfig `yaml:"api"`
	// Federation configures the libp2p host and member keeping.
	Federation federation.Config `yaml:"federation"`
	// Catalog sets the limits on listings.
	Catalog catalog.Config `yaml:"catalog"`
	// Media sets the limits on pictures: uploads, and what members may
	// fetch from this node and it from them.
	Media media.Config `yaml:"media"`
	// Replication tunes how catalog records travel between members.
	Replication replication.Config `yaml:"replication"`
	// Orders tunes holds, checkout and order message delivery.
	Orders order.Config `yaml:"orders"`
	// Payments are the payment methods the storefront takes (default
	// none).
	Payments PaymentsConfig `yaml:"payments"`
	// Storefront sets what the shoppers' pages allow.
	Storefront StorefrontConfig `yaml:"storefront"`
	// Webhooks are the platform back office's endpoints that hear about
	// orders (default none): url, secret (16+ bytes), events such as
	// "order.part.*" or "*".
	Webhooks []webhook.Config `yaml:"webhooks"`
	// Mail sends the shoppers' and merchants' e-mail over SMTP (default
	// none: a local mailbox the operator reads).
	Mail mail.Config `yaml:"mail"`
	// Storage configures Badger.
	Storage StorageConfig `yaml:"storage"`
	// Log configures structured logging.
	Log LogConfig `yaml:"log"`
}

// APIConfig configures the HTTP server.
type APIConfig struct {
	// Listen is the HOST:PORT to serve on (default 127.0.0.1:8080).
	Listen string `yaml:"listen"`
	// PublicURL is the base URL members and shoppers reach this node at
	// (default http://<listen>).
	PublicURL string `yaml:"public_url"`
	// ReadTimeout bounds reading a whole request (default 30s).
	ReadTimeout time.Duration `yaml:"read_timeout"`
	// WriteTimeout bounds writing a response (default 60s).
	WriteTimeout time.Duration `yaml:"write_timeout"`
	// ShutdownTimeout bounds draining requests at shutdown (default 10s).
	ShutdownTimeout time.Duration `yaml:"shutdown_timeout"`
	// TrustedProxies are the addresses (CIDR prefixes) of reverse proxies in
	// front of the node, whose X-Forwarded-For header names the client; the
	// pages count failed sign-ins per client (default none: the connection's
	// peer is the client).
	TrustedProxies []string `yaml:"trusted_proxies,omitempty"`
	// Metrics says who may read GET /metrics: operator (default: the
	// operator token), public (anyone), or listener (served only on
	// MetricsListen, without authentication, and not on Listen).
	Metrics string `yaml:"metrics"`
	// MetricsListen is the HOST:PORT that serves /metrics alone when
	// Metrics is listener (default empty).
	MetricsListen string `yaml:"metrics_listen,omitempty"`
	// Limits are the per-client budgets of accounts, sign-ins and
	// checkouts (see budget.Config for the defaults).
	Limits budget.Config `yaml:"limits"`
}

// PaymentsConfig switches the payment methods on. A node takes none
// until its operator chooses: a storefront that takes orders must say how
// they are paid.
type PaymentsConfig struct {
	// Manual takes orders paid later, by bank transfer or cash on
	// delivery: the order goes ahead with its payment pending until the
	// operator marks it paid (POST /v1/orders/{id}/paid) (default false).
	Manual bool `yaml:"manual"`
	// SandboxCard is the test card provider for demos and tests: it
	// approves test card numbers and takes no money, so goods would ship
	// unpaid. A node with it on says so in its log and on every page
	// (default false).
	SandboxCard bool `yaml:"sandbox_card"`
}

// StorefrontConfig sets what the shoppers' pages allow.
type StorefrontConfig struct {
	// GuestCheckout lets a visitor without an account check out with a
	// name and an e-mail address; by default (false) checking out needs
	// an account, and a guest's cart joins it at sign-in or sign-up.
	GuestCheckout bool `yaml:"guest_checkout"`
	// Country is where most of the storefront's shoppers live (ISO
	// 3166-1 alpha-2, such as DE): listing pages quote shipping there
	// until a shopper chooses where a cart ships. Default none: each
	// listing's cheapest zone.
	Country string `yaml:"country"`
}

// trustedProxies parses TrustedProxies; validate has checked them.
func (a APIConfig) trustedProxies() []netip.Prefix {
	var out []netip.Prefix
	for _, s := range a.TrustedProxies {
		if p, err := netip.ParsePrefix(s); err == nil {
			out = append(out, p.Masked())
		}
	}
	return out
}

// StorageConfig sizes Badger for the machine. The defaults suit a 2-core
// node with a few GiB of memory.
type StorageConfig struct {
	// MemTableMB is the size of one memtable (default 16).
	MemTableMB int `yaml:"memtable_mb"`
	// BlockCacheMB is the block cache size (default 32).
	BlockCacheMB int `yaml:"block_cache_mb"`
	// IndexCacheMB is the index cache size (default 16).
	IndexCacheMB int `yaml:"index_cache_mb"`
	// Memtables is how many memtables Badger keeps, the one being written
	// and those waiting to be flushed (default 3).
	Memtables int `yaml:"memtables"`
	// TableMB is the size of every table Badger writes, at every level
	// (default 8). A compaction buffers twice this per table it builds, so
	// it bounds the memory compaction takes; Badger's own default grows
	// tables by level (2, 4, 8... MB) and a large catalog's deep levels
	// then buffer 64 MB per table, several at once.
	TableMB int `yaml:"table_mb"`
	// MemoryLimitMB is a soft limit on the process's memory, given to the
	// Go runtime as by GOMEMLIMIT (which, when set, wins): near it the
	// runtime collects garbage sooner and returns freed pages to the
	// system. 0 (default) sets none.
	MemoryLimitMB int `yaml:"memory_limit_mb"`
	// GCInterval is how often value-log garbage collection runs (default 10m).
	GCInterval time.Duration `yaml:"gc_interval"`
}

// LogConfig configures the slog handler.
type LogConfig struct {
	// Level is debug, info, warn or error (default info).
	Level string `yaml:"level"`
	// Format is text or json (default text).
	Format string `yaml:"format"`
}

// DefaultConfig returns a configuration with every default filled in.
func DefaultConfig() Config {
	return Config{
		Identity:          "identity.key",
		OperatorTokenFile: "operator.token",
		API: APIConfig{
			Listen:          "127.0.0.1:8080",
			ReadTimeout:     30 * time.Second,
			WriteTimeout:    60 * time.Second,
			ShutdownTimeout: 10 * time.Second,
			Metrics:         api.MetricsOperator,
			Limits:          budget.DefaultConfig(),
		},
		Federation:  federation.DefaultConfig(),
		Catalog:     catalog.DefaultConfig(),
		Media:       media.DefaultConfig(),
		Replication: replication.DefaultConfig(),
		Orders:      order.DefaultConfig(),
		Mail:        mail.DefaultConfig(),
		Storage:     StorageConfig{MemTableMB: 16, BlockCacheMB: 32, IndexCacheMB: 16, Memtables: 3, TableMB: 8, GCInterval: 10 * time.Minute},
		Log:         LogConfig{Level: "info", Format: "text"},
	}
}

// ConfigFile is the configuration's file name inside the data folder.
const ConfigFile = "fedmart.yaml"

// LoadConfig reads DIR/fedmart.yaml over the defaults and validates it.
func LoadConfig(dir string) (Config, error) {
	b, err := os.ReadFile(filepath.Join(dir, ConfigFile))
	if err != nil {
		return Config{}, fmt.Errorf("config: %w", err)
	}
	cfg, err := ParseConfig(b)
	if err != nil {
		return Config{}, fmt.Errorf("%s: %w", filepath.Join(dir, ConfigFile), err)
	}
	cfg.DataDir = dir
	return cfg, cfg.Validate()
}

// ParseConfig decodes YAML over the defaults. Unknown keys are errors.
func ParseConfig(b []byte) (Config, error) {
	cfg := DefaultConfig()
	dec := yaml.NewDecoder(bytes.NewReader(b))
	dec.KnownFields(true)
	if err := dec.Decode(&cfg); err != nil && !errors.Is(err, io.EOF) {
		return Config{}, fmt.Errorf("config: %s", nameKeys(b, strings.TrimPrefix(err.Error(), "yaml: ")))
	}
	return cfg, nil
}

var yamlLine = regexp.MustCompile(`line (\d+): `)

// nameKeys rewrites yaml.v3's "line N: ..." messages to also name the key
// at that line ("federation.dial_interval (line 3): ..."), so that the
// operator sees which setting is wrong.
func nameKeys(src []byte, msg string) string {
	var root yaml.Node
	if yaml.Unmarshal(src, &root) != nil {
		return msg
	}
	return yamlLine.ReplaceAllStringFunc(msg, func(m string) string {
		line, _ := strconv.Atoi(yamlLine.FindStringSubmatch(m)[1])
		if key := keyAt(&root, line, ""); key != "" {
			return key + " (line " + strconv.Itoa(line) + "): "
		}
		return m
	})
}

// keyAt finds the dotted key path whose key or scalar value sits on line.
func keyAt(n *yaml.Node, line int, prefix string) string {
	switch n.Kind {
	case yaml.DocumentNode, yaml.SequenceNode:
		for _, c := range n.Content {
			if k := keyAt(c, line, prefix); k != "" {
				return k
			}
		}
	case yaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			path := strings.TrimPrefix(prefix+"."+k.Value, ".")
			if k.Line == line || (v.Kind == yaml.ScalarNode && v.Line == line) {
				return path
			}
			if found := keyAt(v, line, path); found != "" {
				return found
			}
		}
	}
	return ""
}

// Validate checks every key; the message names the key.
func (c Config) Validate() error {
	if c.DataDir == "" {
		return fmt.Errorf("data dir: must be set (--data)")
	}
	if strings.TrimSpace(c.Name) == "" || len(c.Name) > 100 {
		return fmt.Errorf("name: must be 1-100 characters")
	}
	if c.Identity == "" {
		return fmt.Errorf("identity: must name the key file")
	}
	if c.OperatorTokenFile == "" {
		return fmt.Errorf("operator_token_file: must name the token file")
	}
	if err := c.API.validate(); err != nil {
		return err
	}
	if err := c.Federation.Validate(); err != nil {
		return err
	}
	if err := c.Media.Validate(); err != nil {
		return err
	}
	if err := c.Replication.Validate(); err != nil {
		return err
	}
	if err := c.Orders.Validate(); err != nil {
		return err
	}
	if err := webhook.ValidateAll("webhooks", c.Webhooks); err != nil {
		return err
	}
	if err := c.Mail.Validate("mail"); err != nil {
		return err
	}
	if err := c.Storage.validate(); err != nil {
		return err
	}
	if c.Storefront.Country != "" && !shipping.IsCountry(c.Storefront.Country) {
		return fmt.Errorf("storefront.country: must be an ISO 3166-1 alpha-2 code in capitals such as DE, not %q", c.Storefront.Country)
	}
	return c.Log.validate()
}

func (a APIConfig) validate() error {
	if _, _, err := net.SplitHostPort(a.Listen); err != nil {
		return fmt.Errorf("api.listen: must be HOST:PORT, not %q", a.Listen)
	}
	if a.PublicURL != "" {
		if u, err := url.Parse(a.PublicURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return fmt.Errorf("api.public_url: must be an absolute http(s) URL")
		}
	}
	for i, s := range a.TrustedProxies {
		if _, err := netip.ParsePrefix(s); err != nil {
			return fmt.Errorf("api.trusted_proxies[%d]: must be a CIDR prefix such as 10.0.0.0/8 or 192.0.2.7/32, not %q", i, s)
		}
	}
	for key, d := range map[string]time.Duration{"read_timeout": a.ReadTimeout, "write_timeout": a.WriteTimeout, "shutdown_timeout": a.ShutdownTimeout} {
		if d < 100*time.Millisecond || d > time.Hour {
			return fmt.Errorf("api.%s: must be between 100ms and 1h, not %s", key, d)
		}
	}
	if err := a.validateMetrics(); err != nil {
		return err
	}
	return a.Limits.Validate("api.limits")
}

func (a APIConfig) validateMetrics() error {
	switch a.Metrics {
	case api.MetricsOperator, api.MetricsPublic:
		if a.MetricsListen != "" {
			return fmt.Errorf("api.metrics_listen: only used when api.metrics is listener, not %s", a.Metrics)
		}
	case api.MetricsListener:
		if _, _, err := net.SplitHostPort(a.MetricsListen); err != nil {
			return fmt.Errorf("api.metrics_listen: must be HOST:PORT when api.metrics is listener, not %q", a.MetricsListen)
		}
	default:
		return fmt.Errorf("api.metrics: must be operator, public or listener, not %q", a.Metrics)
	}
	return nil
}

func (s StorageConfig) validate() error {
	for key, v := range map[string]int{"memtable_mb": s.MemTableMB, "block_cache_mb": s.BlockCacheMB, "index_cache_mb": s.IndexCacheMB} {
		if v < 1 || v > 4096 {
			return fmt.Errorf("storage.%s: must be between 1 and 4096", key)
		}
	}
	if s.Memtables < 1 || s.Memtables > 16 {
		return fmt.Errorf("storage.memtables: must be between 1 and 16")
	}
	if s.TableMB < 1 || s.TableMB > 256 {
		return fmt.Errorf("storage.table_mb: must be between 1 and 256")
	}
	if s.MemoryLimitMB < 0 {
		return fmt.Errorf("storage.memory_limit_mb: must be 0 (none) or more")
	}
	if s.GCInterval < time.Second {
		return fmt.Errorf("storage.gc_interval: must be at least 1s")
	}
	return nil
}

func (l LogConfig) validate() error {
	switch l.Level {
	case "debug", "info", "warn", "error":
	default:
		return fmt.Errorf("log.level: must be debug, info, warn or error, not %q", l.Level)
	}
	if l.Format != "text" && l.Format != "json" {
		return fmt.Errorf("log.format: must be text or json, not %q", l.Format)
	}
	return nil
}

// path resolves a configured file name against the data folder.
func (c Config) path(name string) string {
	if filepath.IsAbs(name) {
		return name
	}
	return filepath.Join(c.DataDir, name)
}

// publicURL is the node's base URL as others reach it.
func (c Config) publicURL(listen string) string {
	if c.API.PublicURL != "" {
		return strings.TrimRight(c.API.PublicURL, "/")
	}
	return "http://" + listen
}
