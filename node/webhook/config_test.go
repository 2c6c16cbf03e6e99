package webhook

import (
	"errors"
	"strings"
	"testing"
)

const testSecret = "0123456789abcdef-secret"

func TestConfigValidateNamesTheKey(t *testing.T) {
	ok := Config{URL: "https://backoffice.example/hooks", Secret: testSecret, Events: []string{"order.accepted", "payout.*", "*"}}
	tests := []struct {
		name string
		edit func(*Config)
		want string // "" = valid
	}{
		{"valid", func(*Config) {}, ""},
		{"all events by default", func(c *Config) { c.Events = nil }, ""},
		{"plain http", func(c *Config) { c.URL = "http://10.0.0.5:8080/in" }, "webhooks[1].url: must be https, or http only to a loopback host"},
		{"plain http to a name", func(c *Config) { c.URL = "http://backoffice.example/in" }, "webhooks[1].url: must be https"},
		{"plain http to loopback", func(c *Config) { c.URL = "http://127.0.0.1:8080/in" }, ""},
		{"plain http to localhost", func(c *Config) { c.URL = "http://localhost:8080/in" }, ""},
		{"plain http to IPv6 loopback", func(c *Config) { c.URL = "http://[::1]:8080/in" }, ""},
		{"relative url", func(c *Config) { c.URL = "/hooks" }, "webhooks[1].url: must be an absolute http(s) URL"},
		{"ftp url", func(c *Config) { c.URL = "ftp://backoffice.example/" }, "webhooks[1].url: must be an absolute http(s) URL"},
		{"no host", func(c *Config) { c.URL = "https:///x" }, "webhooks[1].url: must be an absolute http(s) URL"},
		{"empty url", func(c *Config) { c.URL = "" }, "webhooks[1].url: must be an absolute http(s) URL"},
		{"short secret", func(c *Config) { c.Secret = "short" }, "webhooks[1].secret: must be at least 16 bytes"},
		{"empty event", func(c *Config) { c.Events = []string{"order.accepted", ""} }, "webhooks[1].events[1]: must be an event name"},
		{"upper case event", func(c *Config) { c.Events = []string{"Order.Accepted"} }, "webhooks[1].events[0]: must be an event name"},
		{"star inside", func(c *Config) { c.Events = []string{"order.*.x"} }, "webhooks[1].events[0]: must be an event name"},
		{"bare suffix", func(c *Config) { c.Events = []string{".*"} }, "webhooks[1].events[0]: must be an event name"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := ok
			c.Events = append([]string(nil), ok.Events...)
			tt.edit(&c)
			err := c.Validate("webhooks[1]")
			switch {
			case tt.want == "" && err != nil:
				t.Fatalf("Validate: %v", err)
			case tt.want != "" && (err == nil || !strings.HasPrefix(err.Error(), tt.want)):
				t.Fatalf("Validate = %v, want prefix %q", err, tt.want)
			}
		})
	}
}

func TestValidateAllRefusesDuplicateURLs(t *testing.T) {
	hooks := []Config{
		{URL: "https://a.example/in", Secret: testSecret},
		{URL: "https://b.example/in", Secret: testSecret},
		{URL: "https://a.example/in", Secret: testSecret, Events: []string{"order.accepted"}},
	}
	err := ValidateAll("webhooks", hooks)
	if err == nil || err.Error() != "webhooks[2].url: same URL as webhooks[0]" {
		t.Fatalf("ValidateAll = %v", err)
	}
	if _, err := Open(openDB(t), hooks, Options{}, nil, nil, nil); !errors.Is(err, ErrInvalid) {
		t.Fatalf("Open = %v, want ErrInvalid", err)
	}
}

func TestEventPatterns(t *testing.T) {
	tests := []struct {
		events []string
		event  string
		want   bool
	}{
		{nil, "order.accepted", true},
		{[]string{"*"}, "payout.sent", true},
		{[]string{"order.accepted"}, "order.accepted", true},
		{[]string{"order.accepted"}, "order.cancelled", false},
		{[]string{"order.*"}, "order.cancelled", true},
		{[]string{"order.*"}, "orders.cancelled", false},
		{[]string{"order.*"}, "order", false},
		{[]string{"payout.sent", "order.*"}, "order.refund.partial", true},
	}
	for _, tt := range tests {
		if got := (Config{Events: tt.events}).wants(tt.event); got != tt.want {
			t.Errorf("%v wants %q = %v, want %v", tt.events, tt.event, got, tt.want)
		}
	}
}

func TestOptionsDefaults(t *testing.T) {
	got, err := Options{MaxAttempts: 3}.withDefaults()
	if err != nil {
		t.Fatal(err)
	}
	want := DefaultOptions()
	want.MaxAttempts = 3
	if got != want {
		t.Fatalf("withDefaults = %+v, want %+v", got, want)
	}
	if _, err := (Options{Timeout: -1}).withDefaults(); !errors.Is(err, ErrInvalid) {
		t.Fatalf("negative timeout: %v", err)
	}
}
