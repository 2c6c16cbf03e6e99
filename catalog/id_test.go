package catalog

import (
	"errors"
	"net/url"
	"testing"
)

func TestIDRoundTrip(t *testing.T) {
	platform := peerOf(t, newKey(t))
	merchant, listing := newLocalID(), newLocalID()
	id := FormatID(platform, merchant, listing)
	if url.PathEscape(id) != id {
		t.Fatalf("id %q is not URL-safe", id)
	}
	p, m, l, err := ParseID(id)
	if err != nil || p != platform || m != merchant || l != listing {
		t.Fatalf("ParseID(%q) = %q %q %q %v", id, p, m, l, err)
	}
	if !isLocalID(merchant) || merchant == listing {
		t.Fatalf("ids %q %q", merchant, listing)
	}
}

func TestParseIDRefuses(t *testing.T) {
	platform := peerOf(t, newKey(t))
	good := newLocalID()
	tests := []struct {
		name string
		id   string
	}{
		{"empty", ""},
		{"two parts", platform + "." + good},
		{"four parts", FormatID(platform, good, good) + ".x"},
		{"slashes", platform + "/" + good + "/" + good},
		{"not a peer id", FormatID("QmNotAPeer", good, good)},
		{"upper-case merchant", FormatID(platform, "ABCDEFGHIJKLMNOP", good)},
		{"short listing", FormatID(platform, good, "abc")},
		{"base32 digits out of alphabet", FormatID(platform, good, "abcdefghijklmn01")},
		{"empty merchant", FormatID(platform, "", good)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, _, _, err := ParseID(tt.id); !errors.Is(err, ErrInvalid) {
				t.Fatalf("ParseID(%q) err = %v, want ErrInvalid", tt.id, err)
			}
		})
	}
}
