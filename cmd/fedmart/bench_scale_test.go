package main

import (
	"slices"
	"strings"
	"testing"
)

func TestScaleCheckpointsMustIncrease(t *testing.T) {
	got, err := parseCheckpoints("1000000, 2000000")
	if err != nil || !slices.Equal(got, []int{1000000, 2000000}) {
		t.Fatalf("parseCheckpoints = %v, %v", got, err)
	}
	for in, says := range map[string]string{
		"2000000,1000000": "does not follow",
		"100":             "at least 10000",
		"1M":              `"1M"`,
		" , ":             "no listing count",
	} {
		if _, err := parseCheckpoints(in); err == nil || !strings.Contains(err.Error(), says) || !strings.Contains(err.Error(), "--at") {
			t.Errorf("parseCheckpoints(%q) = %v, want an error naming --at and saying %q", in, err, says)
		}
	}
}
