package main

import (
	"encoding/json"
	"reflect"
	"testing"
)

// TestDemoCasesReadsTheListShapes: the demo's arbiter reads a case list
// as a bare array or under "cases" or "items", with the state and the
// amount asked at the top or under "issue", and nothing from an answer
// it does not understand.
func TestDemoCasesReadsTheListShapes(t *testing.T) {
	for _, tc := range []struct {
		name, raw string
		want      []demoCase
	}{
		{"array", `[{"id":"c1","state":"escalated","amount":500}]`, []demoCase{{ID: "c1", State: "escalated", Amount: 500}}},
		{"cases", `{"cases":[{"id":"c2","issue":{"state":"decided","amount":70}}]}`, []demoCase{{ID: "c2", State: "decided", Amount: 70}}},
		{"items", `{"items":[{"id":"c3"}],"next":""}`, []demoCase{{ID: "c3"}}},
		{"unknown", `{"error":"nope"}`, nil},
		{"not json", `<html>`, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := demoCases(json.RawMessage(tc.raw)); !reflect.DeepEqual(got, tc.want) {
				t.Errorf("demoCases(%s) = %+v, want %+v", tc.raw, got, tc.want)
			}
		})
	}
}
