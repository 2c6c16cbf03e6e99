package storedjson

import (
	"encoding/json"
	"reflect"
	"testing"
	"time"
)

type inner struct {
	Note string `json:"note"`
}

type state struct {
	ID     string          `json:"id"`
	Amount int64           `json:"amount"`
	At     time.Time       `json:"at"`
	Tags   []string        `json:"tags,omitempty"`
	Raw    json.RawMessage `json:"raw,omitempty"`
	Lang   string          // untagged: written as "Lang"
	ShipTo string          `json:"ship_to,omitempty"`
	inner
}

// TestReadsAsEncodingJSON reads what encoding/json reads, the way it
// reads it, where encoding/json/v2 on its own would refuse or differ.
func TestReadsAsEncodingJSON(t *testing.T) {
	for name, b := range map[string]string{
		"as written":           `{"id":"a","amount":5,"at":"2026-12-05T10:00:00Z","tags":["x"],"raw":{"k":1},"Lang":"zh","note":"n"}`,
		"a field it lacks":     `{"id":"a","colour":"red"}`,
		"a name in any case":   `{"ID":"a","AMOUNT":5,"lang":"en","Note":"n","SHIP_TO":"DE"}`,
		"without its _":        `{"id":"a","shipto":"DE","ship-to":"FR"}`,
		"a name given twice":   `{"id":"a","id":"b"}`,
		"twice, in a raw part": `{"id":"a","raw":{"k":1,"k":2}}`,
		"invalid UTF-8":        "{\"id\":\"a\xffb\"}",
		"null":                 `null`,
	} {
		var want, got state
		if err := json.Unmarshal([]byte(b), &want); err != nil {
			t.Fatalf("%s: encoding/json: %v", name, err)
		}
		if err := Unmarshal([]byte(b), &got); err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s: read %+v, encoding/json read %+v", name, got, want)
		}
	}
	var s state
	for _, b := range []string{`{"id":5}`, `{"id":"a"} {}`, `{"id":`} {
		if Unmarshal([]byte(b), &s) == nil {
			t.Errorf("%s was read", b)
		}
	}
}
