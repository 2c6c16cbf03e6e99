package node

import (
	"errors"
	"fmt"
	"io/fs"
	"net"
	"os"
	"path/filepath"
	"strings"

	"github.com/libp2p/go-libp2p/core/peer"
	ma "github.com/multiformats/go-multiaddr"
	"gopkg.in/yaml.v3"
)

// InitOptions are the answers `fedmart init` needs.
type InitOptions struct {
	DataDir   string
	Name      string
	P2PListen []string // multiaddrs; a TCP address gains a QUIC sibling on the same port
	API       string   // HOST:PORT
	PublicURL string   // optional
	// ManualPayments and SandboxPayments switch the payment methods on
	// (payments.manual, payments.sandbox_card); both are off by default.
	ManualPayments, SandboxPayments bool
}

// InitResult says what init created.
type InitResult struct {
	PeerID     peer.ID
	ConfigPath string
	Config     Config
}

// Init creates a node's folder: identity.key (0600), operator.token (0600)
// and fedmart.yaml. It checks every option first and refuses to touch a
// folder that already holds an identity; if a later step fails, the files
// it created are removed again, so a failed init leaves nothing behind.
func Init(o InitOptions) (res InitResult, err error) {
	cfg, err := o.config()
	if err != nil {
		return InitResult{}, err
	}
	keyPath, tokenPath, cfgPath := cfg.path(cfg.Identity), cfg.path(cfg.OperatorTokenFile), filepath.Join(o.DataDir, ConfigFile)
	for _, p := range []string{keyPath, cfgPath} {
		if _, err := os.Stat(p); err == nil {
			return InitResult{}, fmt.Errorf("init: %s %w; refusing to overwrite a node's identity or config", p, ErrExists)
		} else if !errors.Is(err, fs.ErrNotExist) {
			return InitResult{}, fmt.Errorf("init: %w", err)
		}
	}
	if err := os.MkdirAll(o.DataDir, 0o700); err != nil {
		return InitResult{}, fmt.Errorf("init: %w", err)
	}
	var created []string
	defer func() {
		if err != nil {
			for _, p := range created {
				os.Remove(p)
			}
		}
	}()
	key, err := CreateIdentity(keyPath)
	if err != nil {
		return InitResult{}, err
	}
	created = append(created, keyPath)
	if err = writeNew(tokenPath, []byte(newToken()+"\n")); err != nil {
		return InitResult{}, fmt.Errorf("init: operator token: %w", err)
	}
	created = append(created, tokenPath)
	if err = writeNew(cfgPath, renderConfig(cfg)); err != nil {
		return InitResult{}, fmt.Errorf("init: config: %w", err)
	}
	id, _ := peer.IDFromPrivateKey(key)
	return InitResult{PeerID: id, ConfigPath: cfgPath, Config: cfg}, nil
}

func (o InitOptions) config() (Config, error) {
	if o.DataDir == "" {
		return Config{}, fmt.Errorf("init: --data: a folder is required")
	}
	cfg := DefaultConfig()
	cfg.DataDir, cfg.Name, cfg.API.PublicURL = o.DataDir, o.Name, o.PublicURL
	cfg.Payments = PaymentsConfig{Manual: o.ManualPayments, SandboxCard: o.SandboxPayments}
	if o.API != "" {
		cfg.API.Listen = o.API
	}
	if len(o.P2PListen) > 0 {
		listen, err := withQUIC(o.P2PListen)
		if err != nil {
			return Config{}, err
		}
		cfg.Federation.Listen = listen
	}
	if err := cfg.Validate(); err != nil {
		return Config{}, fmt.Errorf("init: %w", err)
	}
	return cfg, nil
}

// withQUIC checks each address and, when none of them is a QUIC address,
// adds the /udp/<port>/quic-v1 sibling of each TCP address, so that a node
// listens on both transports unless told otherwise.
func withQUIC(addrs []string) ([]string, error) {
	var tcp []string
	for i, a := range addrs {
		m, err := ma.NewMultiaddr(a)
		if err != nil {
			return nil, fmt.Errorf("init: --p2p-listen[%d]: invalid multiaddr %q", i, a)
		}
		if _, err := m.ValueForProtocol(ma.P_QUIC_V1); err == nil {
			return addrs, nil
		}
		if port, err := m.ValueForProtocol(ma.P_TCP); err == nil {
			tcp = append(tcp, strings.Replace(a, "/tcp/"+port, "/udp/"+port+"/quic-v1", 1))
		}
	}
	return append(append([]string(nil), addrs...), tcp...), nil
}

// renderConfig writes the configuration with a header that explains it,
// and a comment over the keys an operator must decide on.
func renderConfig(cfg Config) []byte {
	var doc yaml.Node
	if err := doc.Encode(cfg); err != nil {
		panic(fmt.Sprintf("node: encoding config: %v", err))
	}
	for key, comment := range configComments {
		if k := topKey(&doc, key); k != nil {
			k.HeadComment = comment
		}
	}
	body, err := yaml.Marshal(&doc)
	if err != nil {
		panic(fmt.Sprintf("node: encoding config: %v", err))
	}
	host, _, _ := net.SplitHostPort(cfg.API.Listen)
	header := "# fedmart node configuration. Every key is documented in README.md\n" +
		"# (Configuration reference); unknown keys are refused at start.\n" +
		"# The API listens on " + host + "; set api.public_url to the address members reach it at.\n"
	return append([]byte(header), body...)
}

// configComments are written over top-level keys of a new configuration.
var configComments = map[string]string{
	"payments": "Payment methods the storefront takes; with none, it cannot take orders.\n" +
		"manual: orders paid later (bank transfer, cash on delivery), marked paid by the\n" +
		"  operator with POST /v1/orders/{id}/paid. Switch it on to sell.\n" +
		"sandbox_card: TEST payments for trials: test card numbers are approved and no\n" +
		"  money is taken. Never on a storefront that ships goods.",
}

// topKey is the key node of a top-level key of an encoded document.
func topKey(doc *yaml.Node, key string) *yaml.Node {
	m := doc
	if m.Kind == yaml.DocumentNode && len(m.Content) > 0 {
		m = m.Content[0]
	}
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			return m.Content[i]
		}
	}
	return nil
}
