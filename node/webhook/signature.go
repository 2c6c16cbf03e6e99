package webhook

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// DefaultTolerance is how far a signature's timestamp may be from the
// receiver's clock when Verify is given no tolerance.
const DefaultTolerance = 5 * time.Minute

// maxHeaderLen caps the Fedmart-Signature header Verify parses.
const maxHeaderLen = 4096

// Sign returns the Fedmart-Signature header for body sent at t:
// "t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>".
func Sign(secret string, t time.Time, body []byte) string {
	ts := strconv.FormatInt(t.Unix(), 10)
	return "t=" + ts + ",v1=" + hex.EncodeToString(mac(secret, ts, body))
}

// mac is HMAC-SHA256(secret, ts + "." + body).
func mac(secret, ts string, body []byte) []byte {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte(ts))
	m.Write([]byte{'.'})
	m.Write(body)
	return m.Sum(nil)
}

// Verify checks a Fedmart-Signature header against the body received: the
// timestamp must be within tolerance of now (DefaultTolerance when
// tolerance is not positive) and one of the header's v1 signatures must be
// the HMAC of the body under secret, compared in constant time. Every
// refusal wraps ErrSignature.
func Verify(secret string, header string, body []byte, now time.Time, tolerance time.Duration) error {
	if tolerance <= 0 {
		tolerance = DefaultTolerance
	}
	ts, sigs, err := parseSignature(header)
	if err != nil {
		return err
	}
	sec, _ := strconv.ParseInt(ts, 10, 64)
	if age := now.Sub(time.Unix(sec, 0)); age > tolerance || age < -tolerance {
		return fmt.Errorf("%w: timestamp %d is %s away from now, tolerance %s", ErrSignature, sec, age.Abs().Round(time.Second), tolerance)
	}
	want := mac(secret, ts, body)
	for _, s := range sigs {
		if hmac.Equal(s, want) {
			return nil
		}
	}
	return fmt.Errorf("%w: no v1 signature matches the body", ErrSignature)
}

// parseSignature splits a header into its timestamp (digits only) and its
// decoded v1 signatures; other schemes are ignored.
func parseSignature(header string) (string, [][]byte, error) {
	if len(header) > maxHeaderLen {
		return "", nil, fmt.Errorf("%w: header longer than %d bytes", ErrSignature, maxHeaderLen)
	}
	var ts string
	var sigs [][]byte
	for part := range strings.SplitSeq(header, ",") {
		k, v, ok := strings.Cut(strings.TrimSpace(part), "=")
		switch {
		case !ok:
			return "", nil, fmt.Errorf("%w: malformed header part %q, want key=value", ErrSignature, part)
		case k == "t" && ts != "":
			return "", nil, fmt.Errorf("%w: more than one timestamp", ErrSignature)
		case k == "t":
			if _, err := strconv.ParseUint(v, 10, 63); err != nil {
				return "", nil, fmt.Errorf("%w: timestamp %q is not unix seconds", ErrSignature, v)
			}
			ts = v
		case k == "v1":
			s, err := hex.DecodeString(v)
			if err != nil || len(s) != sha256.Size {
				return "", nil, fmt.Errorf("%w: v1 signature is not %d hex bytes", ErrSignature, sha256.Size)
			}
			sigs = append(sigs, s)
		}
	}
	if ts == "" || len(sigs) == 0 {
		return "", nil, fmt.Errorf("%w: header needs t= and v1=", ErrSignature)
	}
	return ts, sigs, nil
}
