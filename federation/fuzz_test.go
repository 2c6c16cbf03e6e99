package federation

import (
	"testing"
)

// FuzzParseSignedCharter: no input may panic the charter decoder or the
// verification that follows it.
func FuzzParseSignedCharter(f *testing.F) {
	f.Add([]byte(`{"charter":{"federation_id":"x","name":"X","version":1,"currency":"EUR","period":"1h","policy":{"storefront_commission_bps":1,"federation_fee_bps":0,"payable_on":"delivered"},"members":[]},"signatures":[]}`))
	f.Add([]byte(`{"charter":{"version":2,"previous":"00"},"signatures":[{"peer_id":"12D3KooW","signature":"!!"}]}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		sc, err := ParseSignedCharter(b)
		if err != nil {
			return
		}
		_ = sc.VerifyBootstrap()
		_ = sc.Verify(&sc.Charter)
	})
}
