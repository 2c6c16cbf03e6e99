package locale

import (
	"testing"
)

func TestChoose(t *testing.T) {
	c, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ chosen, accept, want string }{
		{"", "", English},
		{"", "zh-CN,zh;q=0.9,en;q=0.8", Chinese},
		{"", "zh", Chinese},
		{"", "en-GB,en;q=0.9", English},
		{"", "de-DE,de;q=0.9", English},
		{"", "de-DE,zh;q=0.5", Chinese},
		{"", "fr, en;q=0.5, zh;q=0.1", English},
		{"", ";;garbage", English},
		{"zh-CN", "en", Chinese},
		{"zh-cn", "", Chinese},
		{"en", "zh-CN", English},
		{"xx", "zh-CN", Chinese},
		{"<script>", "", English},
	} {
		if got := c.Choose(tc.chosen, tc.accept).Tag; got != tc.want {
			t.Errorf("Choose(%q, %q) = %s, want %s", tc.chosen, tc.accept, got, tc.want)
		}
	}
}

func TestT(t *testing.T) {
	c, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	zh, _ := c.Lookup(Chinese)
	if got := zh.T("lang.label"); got != "语言" {
		t.Errorf("zh lang.label = %q", got)
	}
	if got := c.Default().T("layout.footer", "Site", "Ada's"); got != "Ada's is a member platform of a fedmart federation: its catalog holds listings from every member." {
		t.Errorf("en layout.footer = %q", got)
	}
	if got := c.Default().T("no.such.key"); got != "no.such.key" {
		t.Errorf("a missing key is %q, want its id", got)
	}
}
