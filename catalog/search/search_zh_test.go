package search

import (
	"reflect"
	"slices"
	"testing"
)

// zhDocs is a small mixed catalog: Chinese listings beside shopDocs'
// English ones, and one each in Japanese and Korean.
func zhDocs() []Doc {
	zh := func(id, title, desc, cat string, price int64, inStock bool) Doc {
		return Doc{ID: id, Title: title, Description: desc, Brand: "华品", Category: cat,
			Platform: "p4", Price: price, Currency: "CNY", InStock: inStock, Updated: t0}
	}
	return append(shopDocs(),
		zh("z1", "iPhone 15 手机壳 透明防摔", "硅胶材质，手感柔软。", "数码 > 手机配件", 2900, true),
		zh("z2", "华为手机壳磨砂超薄", "适用华为，做工精细。", "数码 > 手机配件", 1900, true),
		zh("z3", "车载手机支架", "出风口安装，稳固不晃。", "数码 > 手机配件", 3900, true),
		zh("z4", "不锈钢炒锅家用", "燃气灶电磁炉通用，不粘锅。", "家居 > 厨房 > 锅具", 15900, true),
		zh("z5", "陶瓷汤锅", "大容量，耐高温。", "家居 > 厨房 > 锅具", 9900, false),
		zh("z6", "柔软纯棉毛巾", "吸水，机洗不变形。", "家居 > 浴室", 1500, true),
		Doc{ID: "j1", Title: "ドリップコーヒー セット", Description: "深煎り", Brand: "Kissa",
			Category: "食品", Platform: "p5", Price: 1200, InStock: true, Updated: t0},
		Doc{ID: "k1", Title: "무선 블루투스 이어폰", Description: "노이즈 캔슬링", Brand: "Sori",
			Category: "전자", Platform: "p6", Price: 5900, InStock: true, Updated: t0},
	)
}

func TestSearchChinese(t *testing.T) {
	ix := newIndexOf(zhDocs())
	checkInvariants(t, ix)
	tests := []struct {
		name, text string
		want       []string // in rank order when ordered, else sorted
		ordered    bool
	}{
		{"a word of the titles", "手机壳", []string{"z1", "z2"}, false},
		{"not its neighbours: a stand is no case", "手机壳", nil, false},
		{"two characters", "手机", []string{"z1", "z2", "z3"}, false},
		{"one character finds it inside runs", "锅", []string{"z4", "z5"}, false},
		{"a word from the description", "不粘锅", []string{"z4"}, false},
		{"a category in Chinese", "锅具", []string{"z4", "z5"}, false},
		{"words typed apart that the title runs together", "炒锅 不锈钢", []string{"z4"}, false},
		{"mixed Latin and Chinese", "iPhone 手机壳", []string{"z1"}, false},
		{"mixed, typed without a space", "iphone手机壳", []string{"z1"}, false},
		{"full-width Latin", "ｉＰｈｏｎｅ", []string{"z1"}, false},
		{"a Chinese word no listing holds", "笔记本电脑", nil, false},
		{"characters of one word in another order", "机手", nil, false},
		{"English still finds English only", "pan", []string{"a1", "a2", "a3", "a7"}, false},
		{"katakana", "コーヒー", []string{"j1"}, false},
		{"hangul", "블루투스", []string{"k1"}, false},
		{"a hangul word inside a longer one", "이어", []string{"k1"}, false},
		{"title before description", "柔软", []string{"z6", "z1"}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := ids(mustSearch(t, ix, Query{Text: tt.text, Limit: MaxLimit}).Items)
			if tt.name == "not its neighbours: a stand is no case" {
				if slices.Contains(got, "z3") {
					t.Errorf("%q found the phone stand z3: %q", tt.text, got)
				}
				return
			}
			if !tt.ordered {
				slices.Sort(got)
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("%q found %q, want %q", tt.text, got, tt.want)
			}
		})
	}
}

func TestSearchChineseFacetsAndUpdates(t *testing.T) {
	ix := newIndexOf(zhDocs())
	res := mustSearch(t, ix, Query{Text: "手机", Category: "数码"})
	if res.Total != 3 {
		t.Errorf("手机 in 数码: Total %d, want 3", res.Total)
	}
	// A listing rewritten in English no longer matches its old Chinese words.
	d := zhDocs()[len(shopDocs())+1] // z2
	d.Title, d.Description, d.Category = "Matte phone case", "Slim.", "Electronics > Phones"
	ix.Upsert(d)
	if got := ids(mustSearch(t, ix, Query{Text: "手机壳"}).Items); !slices.Equal(got, []string{"z1"}) {
		t.Errorf("after z2 became English, 手机壳 found %q", got)
	}
	ix.Delete("z1")
	if res := mustSearch(t, ix, Query{Text: "手机壳"}); res.Total != 0 {
		t.Errorf("after z1 went, 手机壳 found %q", ids(res.Items))
	}
	checkInvariants(t, ix)
}

// TestCorrectLeavesChineseAlone checks that a Chinese query that finds
// nothing is not "corrected" into other characters, and that an English
// typo beside Chinese words is corrected with the Chinese kept as typed.
func TestCorrectLeavesChineseAlone(t *testing.T) {
	ix := newIndexOf(zhDocs())
	if got := ix.Correct("笔记本电脑", 3); got != nil {
		t.Errorf("Correct(笔记本电脑) = %q, want nil", got)
	}
	if got := ix.Correct("iphnoe 手机壳", 3); !slices.Equal(got, []string{"iphone 手机壳"}) {
		t.Errorf("Correct(iphnoe 手机壳) = %q, want [iphone 手机壳]", got)
	}
}

// TestMixedCatalogInvariants runs the index's invariants, relevance
// reference, scoring modes and pagination over a generated catalog of
// which a fifth is Chinese.
func TestMixedCatalogInvariants(t *testing.T) {
	docs := genZhDocs(2000, 21, 0.2)
	ix := newIndexOf(docs)
	checkInvariants(t, ix)
	sc := ix.getScratch()
	defer ix.putScratch(sc)
	for _, text := range []string{"手机壳", "不锈钢 炒锅", "锅", "iPhone 手机", "steel", "家用 black"} {
		terms := termsOf(t, ix, text)
		want := referenceScores(docs, terms)
		got, total := walk(t, ix, Query{Text: text, Limit: 50})
		if total != len(want) || len(got) != len(want) {
			t.Fatalf("%q: %d results (Total %d), reference has %d", text, len(got), total, len(want))
		}
		if text != "家用 black" && total == 0 {
			t.Fatalf("%q matches nothing", text)
		}
		for i := 1; i < len(got); i++ {
			if prev, cur := want[got[i-1].ID], want[got[i].ID]; cur.before(prev) {
				t.Errorf("%q: %s %+v ranked after %s %+v", text, got[i].ID, cur, got[i-1].ID, prev)
			}
		}
		result := ix.matchText(terms)
		var modes [2][]hit
		for i, bySlot := range []bool{true, false} {
			top := ix.newTopK(int(result.GetCardinality()), nil)
			ix.scoreBy(bySlot, terms, result, sc, top)
			modes[i] = top.sorted()
		}
		if !slices.Equal(modes[0], modes[1]) {
			t.Errorf("%q: scoring by slot and by position differ", text)
		}
	}
	for i := 0; i < len(docs); i += 3 {
		ix.Delete(docs[i].ID)
	}
	ix.Compact()
	checkInvariants(t, ix)
}

// TestSaveLoadChinese checks that a saved index answers Chinese queries
// as it did before.
func TestSaveLoadChinese(t *testing.T) {
	ix := newIndexOf(genZhDocs(600, 9, 0.3))
	dir := t.TempDir()
	if err := ix.Save(dir, "zh"); err != nil {
		t.Fatal(err)
	}
	got, _, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	checkInvariants(t, got)
	for _, text := range []string{"手机壳", "锅", "iPhone 手机", "不锈钢 家用"} {
		want := mustSearch(t, ix, Query{Text: text, Limit: MaxLimit})
		if want.Total == 0 {
			t.Fatalf("%q matches nothing", text)
		}
		if have := mustSearch(t, got, Query{Text: text, Limit: MaxLimit}); !reflect.DeepEqual(have, want) {
			t.Errorf("%q differs after Load: %d results, want %d", text, have.Total, want.Total)
		}
	}
}
