package web

import (
	"strconv"
	"time"

	"github.com/fedmart/fedmart/node/web/locale"
)

// Times in Simplified Chinese follow CLDR's zh patterns: an instant is
// "2026年3月1日 13:05 CET" (y年M月d日 HH:mm), how long ago "5分钟前".
// English writes them as FormatTime and Ago do ("Mar 1, 2026, 1:05 PM
// CET", "5 min ago").

// FormatTimeIn writes an instant in loc as the language tag writes it.
func FormatTimeIn(tag string, t time.Time, loc *time.Location) string {
	if tag != locale.Chinese {
		return FormatTime(t, loc)
	}
	return t.In(loc).Format("2006年1月2日 15:04 MST")
}

// AgoIn says how long before now t was, as the language tag says it.
func AgoIn(tag string, now, t time.Time) string {
	if tag != locale.Chinese {
		return Ago(now, t)
	}
	if t.IsZero() {
		return "从未"
	}
	d := now.Sub(t)
	switch {
	case d < 2*time.Second:
		return "刚刚"
	case d < time.Minute:
		return strconv.FormatInt(int64(d/time.Second), 10) + "秒前"
	case d < time.Hour:
		return strconv.FormatInt(int64(d/time.Minute), 10) + "分钟前"
	case d < 48*time.Hour:
		return strconv.FormatInt(int64(d/time.Hour), 10) + "小时前"
	}
	return strconv.FormatInt(int64(d/(24*time.Hour)), 10) + "天前"
}
