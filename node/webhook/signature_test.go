package webhook

import (
	"errors"
	"strings"
	"testing"
	"time"
)

func TestSignatureVerifies(t *testing.T) {
	now := time.Unix(1_800_000_000, 0)
	body := []byte(`{"id":"dlv_1","event":"order.accepted","data":{"total":1250}}`)
	header := Sign(testSecret, now, body)
	if !strings.HasPrefix(header, "t=1800000000,v1=") {
		t.Fatalf("header = %q", header)
	}
	if err := Verify(testSecret, header, body, now.Add(30*time.Second), time.Minute); err != nil {
		t.Fatalf("Verify: %v", err)
	}
	tests := []struct {
		name   string
		secret string
		header string
		body   string
		now    time.Time
		want   string
	}{
		{"tampered body", testSecret, header, strings.Replace(string(body), "1250", "1", 1), now, "no v1 signature matches"},
		{"wrong secret", "another-secret-of-16", header, string(body), now, "no v1 signature matches"},
		{"stale", testSecret, header, string(body), now.Add(6 * time.Minute), "away from now"},
		{"from the future", testSecret, header, string(body), now.Add(-6 * time.Minute), "away from now"},
		{"empty header", testSecret, "", string(body), now, "malformed header part"},
		{"no signature", testSecret, "t=1800000000", string(body), now, "needs t= and v1="},
		{"no timestamp", testSecret, header[strings.Index(header, "v1="):], string(body), now, "needs t= and v1="},
		{"timestamp not a number", testSecret, "t=-5," + header[strings.Index(header, "v1="):], string(body), now, "not unix seconds"},
		{"two timestamps", testSecret, "t=1800000000," + header, string(body), now, "more than one timestamp"},
		{"short signature", testSecret, "t=1800000000,v1=abcd", string(body), now, "not 32 hex bytes"},
		{"oversized", testSecret, header + strings.Repeat(",x=y", 2000), string(body), now, "longer than"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := Verify(tt.secret, tt.header, []byte(tt.body), tt.now, 5*time.Minute)
			if !errors.Is(err, ErrSignature) || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Verify = %v, want ErrSignature containing %q", err, tt.want)
			}
		})
	}
}

func TestVerifyAcceptsAnyOfSeveralSignatures(t *testing.T) {
	now := time.Unix(1_800_000_000, 0)
	body := []byte(`{}`)
	old := Sign("the-old-secret-16b", now, body)
	header := Sign(testSecret, now, body) + "," + old[strings.Index(old, "v1="):] + ",v0=ignored"
	for _, secret := range []string{testSecret, "the-old-secret-16b"} {
		if err := Verify(secret, header, body, now, 0); err != nil {
			t.Errorf("Verify with %q: %v", secret, err)
		}
	}
}

func FuzzVerify(f *testing.F) {
	now := time.Unix(1_800_000_000, 0)
	f.Add(Sign(testSecret, now, []byte("{}")), []byte("{}"))
	f.Add("t=1,v1=zz", []byte(nil))
	f.Add(",,=,t=,v1=", []byte("x"))
	f.Fuzz(func(t *testing.T, header string, body []byte) {
		err := Verify(testSecret, header, body, now, time.Minute)
		if err != nil && !errors.Is(err, ErrSignature) {
			t.Fatalf("Verify error %v does not wrap ErrSignature", err)
		}
		if err == nil && Verify("some-other-secret-16", header, body, now, time.Minute) == nil {
			t.Fatalf("%q verifies under two secrets", header)
		}
	})
}
