package mediawire

import (
	"encoding/json"
	"testing"

	"github.com/fedmart/fedmart/federation/wire"
)

// The frames of the protocol, as they cross the wire: a change here is a
// new protocol version.
func TestWireFormat(t *testing.T) {
	hash := "9f2c1e0b7d4a3f5e6c8b9a0d1e2f3a4b5c6d7e8f9a0b1c2d3e4f5a6b7c8d9e0f"
	for _, c := range []struct {
		v    any
		want string
	}{
		{request{Hash: hash}, `{"hash":"` + hash + `"}`},
		{reply{Code: CodeOK, Bytes: 4096}, `{"code":0,"bytes":4096}`},
		{reply{Code: CodeNotFound}, `{"code":1}`},
		{reply{Code: CodeBusy}, `{"code":2}`},
		{reply{Code: CodeInvalid}, `{"code":3}`},
	} {
		b, err := json.Marshal(c.v)
		if err != nil || string(b) != c.want {
			t.Errorf("%+v encodes as %s, want %s", c.v, b, c.want)
		}
	}
	var r reply
	if err := wire.DecodeJSON([]byte(`{"code":0,"bytes":1,"extra":true}`), &r); err == nil {
		t.Error("a reply with an unknown field was read")
	}
	if len(Limits) != 1 || Limits[0].ID != Protocol || Protocol != "/fedmart/media/1.0.0" {
		t.Errorf("limits %+v", Limits)
	}
}

// FuzzReply reads arbitrary reply frames without a panic.
func FuzzReply(f *testing.F) {
	f.Add([]byte(`{"code":0,"bytes":12}`))
	f.Add([]byte(`{"code":9}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		var r reply
		_ = wire.DecodeJSON(b, &r)
	})
}
