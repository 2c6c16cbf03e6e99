package mail

import (
	"crypto/tls"
	"fmt"
	"net/mail"
	"os"
	"strings"
	"time"
)

// TLS modes of the connection to the SMTP server.
const (
	// TLSStartTLS connects in the clear and upgrades with STARTTLS, which
	// the server must offer (port 587 by default).
	TLSStartTLS = "starttls"
	// TLSImplicit speaks TLS from the first byte (port 465 by default).
	TLSImplicit = "tls"
	// TLSNone never encrypts (port 25 by default): for a relay on the
	// same host or network only.
	TLSNone = "none"
)

// Config is the node's `mail:` section. With Host empty nothing is sent:
// every message goes to the node's local mailbox.
type Config struct {
	// Host is the SMTP server (default empty: the local mailbox).
	Host string `yaml:"host"`
	// Port is the server's port (default 587 for starttls, 465 for tls,
	// 25 for none).
	Port int `yaml:"port"`
	// TLS is starttls (default), tls or none.
	TLS string `yaml:"tls"`
	// User, when set, authenticates with the password in PasswordFile.
	User string `yaml:"user"`
	// PasswordFile holds the password (relative to the data folder; its
	// first line, without its line break).
	PasswordFile string `yaml:"password_file"`
	// From is the sender, "Name <address>" or an address (required with
	// Host; default "fedmart@localhost" for the mailbox).
	From string `yaml:"from"`
	// Language is the language of the merchants' letters, and of a
	// shopper's when the storefront does not know theirs: en (default)
	// or zh.
	Language string `yaml:"language"`
	// Keep is how many finished messages (sent, in the mailbox, failed)
	// the node keeps for the operator to read (default 10000).
	Keep int `yaml:"keep"`
}

// DefaultConfig returns the defaults: the local mailbox.
func DefaultConfig() Config { return Config{TLS: TLSStartTLS, Keep: 10000, Language: Languages[0]} }

// SMTP reports whether messages are sent, not kept in the mailbox.
func (c Config) SMTP() bool { return c.Host != "" }

// Validate names the first bad key under prefix (the node's "mail").
func (c Config) Validate(prefix string) error {
	switch c.TLS {
	case TLSStartTLS, TLSImplicit, TLSNone:
	default:
		return fmt.Errorf("%s.tls: must be starttls, tls or none, not %q", prefix, c.TLS)
	}
	switch {
	case strings.ContainsAny(c.Host, " \t\r\n/") || len(c.Host) > 253:
		return fmt.Errorf("%s.host: must be a host name or address, not %q", prefix, clip(c.Host))
	case c.Port < 0 || c.Port > 65535:
		return fmt.Errorf("%s.port: must be between 1 and 65535, not %d", prefix, c.Port)
	case c.User != "" && c.PasswordFile == "":
		return fmt.Errorf("%s.password_file: must be set with %s.user", prefix, prefix)
	case c.User == "" && c.PasswordFile != "":
		return fmt.Errorf("%s.user: must be set with %s.password_file", prefix, prefix)
	case c.Host == "" && c.User != "":
		return fmt.Errorf("%s.host: must be set with %s.user", prefix, prefix)
	case strings.ContainsAny(c.User, "\r\n"):
		return fmt.Errorf("%s.user: must be one line", prefix)
	case c.Host != "" && c.From == "":
		return fmt.Errorf("%s.from: must be set with %s.host, such as \"Alpha Market <shop@alpha.example>\"", prefix, prefix)
	case Language(c.Language) == "":
		return fmt.Errorf("%s.language: must be one of %v, not %q", prefix, Languages, c.Language)
	case c.Keep < 1 || c.Keep > 10000000:
		return fmt.Errorf("%s.keep: must be between 1 and 10000000, not %d", prefix, c.Keep)
	}
	if c.From != "" {
		if _, err := mail.ParseAddress(c.From); err != nil || strings.ContainsAny(c.From, "\r\n") {
			return fmt.Errorf("%s.from: must be an address such as \"Alpha Market <shop@alpha.example>\", not %q", prefix, clip(c.From))
		}
	}
	return nil
}

// port is the configured port or the TLS mode's default.
func (c Config) port() int {
	switch {
	case c.Port != 0:
		return c.Port
	case c.TLS == TLSImplicit:
		return 465
	case c.TLS == TLSNone:
		return 25
	}
	return 587
}

// from is the sender address, defaulted for the mailbox.
func (c Config) from() string {
	if c.From == "" {
		return "fedmart@localhost"
	}
	return c.From
}

// readPassword reads the password file's first line; path is resolved
// by the caller. The error names key.
func readPassword(key, path string) (string, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return "", fmt.Errorf("%s: %w", key, err)
	}
	pw, _, _ := strings.Cut(string(b), "\n")
	pw = strings.TrimSuffix(pw, "\r")
	if pw == "" {
		return "", fmt.Errorf("%s: %s holds no password", key, path)
	}
	return pw, nil
}

// Options tune the sender; the zero value takes the defaults.
type Options struct {
	// RetryMin is the first wait after a failed attempt (default 1s); each
	// further failure doubles it, up to RetryMax (default 1h).
	RetryMin, RetryMax time.Duration
	// MaxAttempts is how many attempts a message gets before it fails
	// (default 30: about a day at the defaults).
	MaxAttempts int
	// Poll is how often the sender looks for due messages when nothing
	// wakes it (default 1s).
	Poll time.Duration
	// Timeout bounds one SMTP attempt (default 1m).
	Timeout time.Duration
	// PasswordPath is where Config.PasswordFile resolves (the node joins it
	// to the data folder); empty reads Config.PasswordFile as is.
	PasswordPath string
	// TLSConfig, when set, replaces the default (the system's roots, the
	// host's name), for servers with their own certificate authority.
	TLSConfig *tls.Config
	// Now is the clock (default time.Now).
	Now func() time.Time
	// Secret signs unsubscribe links (the node derives it from its key);
	// UnsubscribeURL is the storefront's unsubscribe page. Without both,
	// notifications carry no unsubscribe link.
	Secret         []byte
	UnsubscribeURL func() string
	// Sync makes a round's outcomes durable (default: the database's
	// Sync). The node passes its group commit's, so that a round of mail
	// shares a flush with the checkouts and feeds of the moment.
	Sync func() error
}

func (o Options) withDefaults() Options {
	if o.RetryMin <= 0 {
		o.RetryMin = time.Second
	}
	if o.RetryMax <= 0 {
		o.RetryMax = time.Hour
	}
	if o.MaxAttempts <= 0 {
		o.MaxAttempts = 30
	}
	if o.Poll <= 0 {
		o.Poll = time.Second
	}
	if o.Timeout <= 0 {
		o.Timeout = time.Minute
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	return o
}

// clip shortens s for a message.
func clip(s string) string {
	if len(s) > 80 {
		return s[:80] + "…"
	}
	return s
}
