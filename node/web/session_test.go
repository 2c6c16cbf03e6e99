package web

import (
	"strings"
	"testing"
	"time"
)

var testSecret = []byte("0123456789abcdef0123456789abcdef")

func TestSealedTokenOpensOnlyWithItsLabel(t *testing.T) {
	s := newSessions(testSecret, true, "", time.Hour, time.Now)
	sealed := s.Seal("merchant-token", "fmm_secret")
	if strings.Contains(sealed, "secret") {
		t.Fatal("sealing leaves the token readable")
	}
	if got, ok := s.Open("merchant-token", sealed); !ok || got != "fmm_secret" {
		t.Errorf("open = %q %v", got, ok)
	}
	for _, bad := range []string{sealed[:len(sealed)-2], "", "!!", sealed + "A"} {
		if _, ok := s.Open("merchant-token", bad); ok {
			t.Errorf("open(%q) succeeded", bad)
		}
	}
	if _, ok := s.Open("operator", sealed); ok {
		t.Error("a token opens under another label")
	}
}

func TestOptionsValidate(t *testing.T) {
	ok := Options{BaseURL: "https://shop.example/", SessionSecret: testSecret}
	if err := ok.Validate(); err != nil {
		t.Fatal(err)
	}
	cases := map[string]Options{
		"BaseURL: required":            {SessionSecret: testSecret},
		"BaseURL: must be an absolute": {BaseURL: "shop.example", SessionSecret: testSecret},
		"SessionSecret":                {BaseURL: "https://shop.example"},
		"must have no path":            {BaseURL: "https://shop.example/store", SessionSecret: testSecret},
		"SessionTTL":                   {BaseURL: "https://shop.example", SessionSecret: testSecret, SessionTTL: -1},
	}
	for want, o := range cases {
		if err := o.Validate(); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("Validate() = %v, want an error naming %s", err, want)
		}
	}
	if _, err := New(Deps{}, ok); err == nil {
		t.Error("New accepted empty Deps")
	}
}
