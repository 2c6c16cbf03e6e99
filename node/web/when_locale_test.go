package web

import (
	"testing"
	"time"
)

func TestTimeIn(t *testing.T) {
	cet := time.FixedZone("CET", 3600)
	at := time.Date(2026, 3, 1, 12, 5, 0, 0, time.UTC)
	if got := FormatTimeIn("zh-CN", at, cet); got != "2026年3月1日 13:05 CET" {
		t.Errorf("zh-CN: %q", got)
	}
	if got := FormatTimeIn("en", at, cet); got != "Mar 1, 2026, 1:05 PM CET" {
		t.Errorf("en: %q", got)
	}
	for _, tc := range []struct {
		ago  time.Duration
		want string
	}{{0, "刚刚"}, {12 * time.Second, "12秒前"}, {5 * time.Minute, "5分钟前"}, {3 * time.Hour, "3小时前"}, {72 * time.Hour, "3天前"}} {
		if got := AgoIn("zh-CN", at.Add(tc.ago), at); got != tc.want {
			t.Errorf("zh-CN %v ago: %q, want %q", tc.ago, got, tc.want)
		}
	}
	if got := AgoIn("zh-CN", at, time.Time{}); got != "从未" {
		t.Errorf("zh-CN never: %q", got)
	}
}
