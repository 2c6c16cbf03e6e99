package mail

import "testing"

// TestLanguage: a shopper's BCP 47 tag picks the letters' language;
// Traditional Chinese and languages without letters pick none.
func TestLanguage(t *testing.T) {
	for tag, want := range map[string]string{
		"en": "en", "en-GB": "en", "EN-us": "en",
		"zh": "zh", "zh-CN": "zh", "zh-cn": "zh", "zh-Hans": "zh", "zh-Hans-CN": "zh", "zh-SG": "zh",
		"zh-TW": "", "zh-Hant": "", "zh-HK": "", "de": "", "": "", "english": "",
	} {
		if got := Language(tag); got != want {
			t.Errorf("Language(%q) = %q, want %q", tag, got, want)
		}
	}
}
