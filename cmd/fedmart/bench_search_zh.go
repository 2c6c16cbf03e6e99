package main

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net/url"
	"strings"

	"github.com/fedmart/fedmart/catalog"
)

// zhKind is one leaf of the Chinese taxonomy: what a Chinese merchant
// files under it and how it words its listings.
type zhKind struct {
	path      string
	nouns     []string // product names
	brands    []string
	materials []string
	points    []string // selling points, piled into titles
	scenes    []string // where or for whom, for descriptions
	min, max  int64    // price range in minor units
	option    string
	values    []string
}

var zhTaxonomy = []zhKind{
	{"家居 > 厨房 > 锅具", []string{"炒锅", "汤锅", "平底锅", "奶锅", "蒸锅", "高压锅"}, []string{"苏泊尔", "炊大皇", "康宁"},
		[]string{"不锈钢", "铸铁", "陶瓷", "铝合金"}, []string{"不粘锅", "家用", "燃气灶电磁炉通用", "少油烟", "加厚", "无涂层"},
		[]string{"家庭厨房", "宿舍", "出租屋"}, 3900, 59900, "尺寸", []string{"20cm", "26cm", "32cm"}},
	{"家居 > 厨房 > 刀具", []string{"菜刀", "切片刀", "水果刀", "砍骨刀", "刀具套装"}, []string{"张小泉", "十八子作", "王麻子"},
		[]string{"不锈钢", "大马士革钢", "高碳钢"}, []string{"锋利", "家用", "免磨", "防锈", "切菜切肉"},
		[]string{"家庭厨房", "餐厅后厨"}, 2900, 39900, "规格", []string{"单刀", "三件套", "七件套"}},
	{"家居 > 餐具 > 水杯", []string{"保温杯", "马克杯", "玻璃杯", "茶杯", "咖啡杯"}, []string{"象印", "膳魔师", "富光"},
		[]string{"316不锈钢", "陶瓷", "高硼硅玻璃", "钛"}, []string{"大容量", "长效保温", "便携", "防漏", "学生", "男女"},
		[]string{"办公室", "户外", "学校"}, 1900, 29900, "容量", []string{"350ml", "500ml", "750ml"}},
	{"家居 > 家纺 > 床上用品", []string{"四件套", "被子", "枕头", "床垫", "毛毯", "凉席"}, []string{"罗莱", "水星家纺", "富安娜"},
		[]string{"纯棉", "真丝", "亚麻", "羊毛", "乳胶"}, []string{"亲肤", "透气", "保暖", "四季通用", "加厚", "全棉"},
		[]string{"卧室", "宿舍", "酒店"}, 5900, 99900, "尺寸", []string{"1.5米", "1.8米", "2米"}},
	{"家居 > 家具 > 收纳", []string{"书架", "收纳柜", "鞋柜", "置物架", "衣柜"}, []string{"林氏木业", "全友", "源氏木语"},
		[]string{"实木", "钢木", "竹制", "橡木"}, []string{"简约", "北欧", "落地", "多层", "省空间", "免安装"},
		[]string{"客厅", "卧室", "书房", "玄关"}, 9900, 199900, "颜色", []string{"原木色", "白色", "胡桃色"}},
	{"数码 > 手机配件 > 手机壳", []string{"手机壳", "保护套", "钢化膜", "手机支架"}, []string{"倍思", "绿联", "品胜"},
		[]string{"硅胶", "真皮", "磨砂", "透明"}, []string{"防摔", "超薄", "全包", "磁吸", "适用苹果", "适用华为"},
		[]string{"日常", "车载", "送礼"}, 990, 9900, "型号", []string{"iPhone 15", "iPhone 15 Pro", "Mate 60"}},
	{"数码 > 音频 > 耳机", []string{"蓝牙耳机", "头戴式耳机", "运动耳机", "降噪耳机"}, []string{"漫步者", "小米", "华为"},
		[]string{"硅胶", "铝合金", "蛋白皮"}, []string{"无线", "主动降噪", "长续航", "低延迟", "入耳式", "游戏"},
		[]string{"通勤", "跑步", "游戏", "办公"}, 9900, 129900, "颜色", []string{"黑色", "白色", "蓝色"}},
	{"数码 > 电脑配件", []string{"机械键盘", "无线鼠标", "扩展坞", "笔记本支架"}, []string{"罗技", "雷柏", "绿联"},
		[]string{"铝合金", "塑料", "PBT"}, []string{"无线", "静音", "办公", "游戏", "人体工学", "便携"},
		[]string{"办公室", "电竞", "出差"}, 4900, 69900, "连接", []string{"有线", "蓝牙", "2.4G"}},
	{"服装 > 女装 > 连衣裙", []string{"连衣裙", "半身裙", "衬衫裙", "针织裙"}, []string{"欧时力", "太平鸟", "伊芙丽"},
		[]string{"雪纺", "纯棉", "真丝", "针织"}, []string{"2024新款", "收腰", "显瘦", "法式", "气质", "碎花"},
		[]string{"约会", "通勤", "度假"}, 9900, 69900, "尺码", []string{"S", "M", "L", "XL"}},
	{"服装 > 男装 > 外套", []string{"夹克", "羽绒服", "冲锋衣", "风衣", "棉服"}, []string{"波司登", "海澜之家", "李宁"},
		[]string{"鹅绒", "鸭绒", "涤纶", "纯棉"}, []string{"防风", "防水", "保暖", "宽松", "连帽", "冬季"},
		[]string{"户外", "通勤", "登山"}, 19900, 159900, "尺码", []string{"M", "L", "XL", "XXL"}},
	{"鞋靴 > 运动鞋", []string{"跑步鞋", "篮球鞋", "板鞋", "徒步鞋"}, []string{"安踏", "李宁", "特步"},
		[]string{"网面", "真皮", "帆布"}, []string{"透气", "减震", "轻便", "防滑", "耐磨", "男女同款"},
		[]string{"跑步", "健身", "日常"}, 14900, 89900, "尺码", []string{"39", "40", "41", "42", "43"}},
	{"运动 > 户外 > 露营", []string{"帐篷", "睡袋", "折叠椅", "野餐垫", "露营灯"}, []string{"牧高笛", "骆驼", "探路者"},
		[]string{"涤纶", "铝合金", "牛津布"}, []string{"防雨", "自动速开", "便携", "加厚", "双人", "防潮"},
		[]string{"露营", "野餐", "自驾游"}, 4900, 99900, "人数", []string{"单人", "双人", "三到四人"}},
	{"美妆 > 护肤", []string{"面霜", "精华液", "洗面奶", "爽肤水", "面膜"}, []string{"百雀羚", "珀莱雅", "自然堂"},
		[]string{"玻尿酸", "烟酰胺", "植物"}, []string{"补水", "保湿", "修护", "温和", "敏感肌", "学生"},
		[]string{"早晚", "换季", "熬夜"}, 3900, 39900, "规格", []string{"30ml", "50ml", "100ml"}},
	{"图书 > 小说", []string{"长篇小说", "短篇小说集", "科幻小说", "推理小说"}, []string{"人民文学出版社", "译林出版社", "上海译文"},
		[]string{"平装", "精装"}, []string{"正版", "经典", "畅销", "获奖作品", "全新"},
		[]string{"睡前", "通勤", "假期"}, 1900, 9900, "版本", []string{"平装", "精装"}},
}

// zhPhrases join a listing's description.
var zhPhrases = []string{"做工精细", "质量很好", "性价比高", "包装严实", "发货快", "售后无忧", "支持七天无理由退换",
	"手感舒适", "经久耐用", "简约大方", "颜值高", "送礼自用两相宜", "细节到位", "安全无异味"}

// zhGenerator makes realistic Chinese listings from a seed, worded as
// Chinese marketplaces word them: a title of run-together words (brand,
// material, selling points, product name, a model or size), and a
// description of short phrases split by Chinese punctuation.
type zhGenerator struct {
	r *rand.Rand
}

func newZhGenerator(seed uint64) *zhGenerator {
	return &zhGenerator{r: rand.New(rand.NewPCG(seed, 0x7a68))}
}

func (g *zhGenerator) pick(s []string) string { return s[g.r.IntN(len(s))] }

// Listings returns n listings priced in currency, with SKUs prefixed by
// skuPrefix.
func (g *zhGenerator) Listings(n int, currency, skuPrefix string) []catalog.ListingInput {
	out := make([]catalog.ListingInput, n)
	for i := range out {
		out[i] = g.listing(i, currency, skuPrefix)
	}
	return out
}

func (g *zhGenerator) listing(i int, currency, skuPrefix string) catalog.ListingInput {
	k := zhTaxonomy[g.r.IntN(len(zhTaxonomy))]
	noun, brand, material := g.pick(k.nouns), g.pick(k.brands), g.pick(k.materials)
	var title strings.Builder
	title.WriteString(brand)
	title.WriteString(material)
	for _, j := range g.r.Perm(len(k.points))[:2+g.r.IntN(3)] {
		title.WriteString(k.points[j])
	}
	title.WriteString(noun)
	if g.r.IntN(3) == 0 {
		title.WriteString(" " + g.pick(k.values))
	}
	var desc strings.Builder
	fmt.Fprintf(&desc, "这款%s采用优质%s，%s，%s。", noun, material, g.pick(k.points), g.pick(k.points))
	fmt.Fprintf(&desc, "适合%s使用，", g.pick(k.scenes))
	for j := 0; j < 2+g.r.IntN(5); j++ {
		desc.WriteString(g.pick(zhPhrases))
		desc.WriteString(g.pick([]string{"，", "，", "。"}))
	}
	desc.WriteString(g.pick(zhPhrases) + "。")
	base := k.min + int64(g.r.IntN(int(k.max-k.min+1)))
	base = base - base%100 + 90
	l := catalog.ListingInput{
		Title:           title.String(),
		Description:     desc.String(),
		Category:        k.path,
		Brand:           brand,
		Attributes:      map[string]string{"材质": material},
		Images:          []string{fmt.Sprintf("https://images.fedmart.example/zh/%d.jpg", g.r.IntN(1000))},
		ShippingRegions: []string{"DE", "FR", "NL"},
	}
	nv := 1 + g.r.IntN(min(3, len(k.values)))
	start := g.r.IntN(len(k.values) - nv + 1)
	for v := 0; v < nv; v++ {
		stock := int64(g.r.IntN(40))
		if g.r.IntN(8) == 0 {
			stock = 0
		}
		sku := fmt.Sprintf("%s-%06d-%d", skuPrefix, i, v)
		l.Variants = append(l.Variants, catalog.Variant{
			SKU:     sku,
			Grams:   100 + int64(g.r.IntN(3000)),
			Options: map[string]string{k.option: k.values[start+v]},
			Price:   catalog.Money{Amount: base + int64(v)*500, Currency: currency},
			Stock:   stock,
		})
	}
	return l
}

// zhQueries are Chinese and mixed searches: a product name, two words,
// one character, Latin beside Chinese, with a filter, a sort and a
// Chinese category.
var zhQueries = func() []string {
	qs := []url.Values{
		{"q": {"手机壳"}}, {"q": {"不锈钢 锅"}}, {"q": {"锅"}}, {"q": {"iPhone 15 手机壳"}},
		{"q": {"保温杯"}, "in_stock": {"true"}}, {"q": {"蓝牙耳机"}, "sort": {"price_asc"}},
		{"category": {"家居 > 厨房"}, "sort": {"newest"}}, {"q": {"纯棉四件套"}},
	}
	out := make([]string, len(qs))
	for i, q := range qs {
		out[i] = q.Encode()
	}
	return out
}()

// benchSearchChinese measures search English-only, then with a fraction
// of the listings in Chinese (and Chinese queries among the English
// ones), each on a fresh member of the same process in turn, and reports
// the second beside the first.
func benchSearchChinese(ctx context.Context, docs int, chinese float64, memProfile string, logf func(string, ...any)) ([]figure, error) {
	logf("  English-only first:")
	en, err := measureSearch(ctx, docs, 0, nil, "", logf)
	if err != nil {
		return nil, err
	}
	logf("  then %.0f%% in Chinese:", chinese*100)
	zh, err := measureSearch(ctx, docs, chinese, zhQueries, memProfile, logf)
	if err != nil {
		return nil, err
	}
	pct := fmt.Sprintf("%.0f%% in Chinese", chinese*100)
	enName := fmt.Sprintf("same, %d listings English-only", en.listings)
	mix := fmt.Sprintf("the query mix with %d Chinese queries among %d", len(zhQueries), len(searchQueries)+len(zhQueries))
	return []figure{
		{Name: fmt.Sprintf("search over %d listings (%s), %s, 8 clients, p50", zh.listings, pct, mix), Unit: "ms", Value: ms(percentile(zh.lat, 50)),
			Baseline: enName + ", English query mix", Base: ms(percentile(en.lat, 50))},
		{Name: "same, p99", Unit: "ms", Value: ms(percentile(zh.lat, 99)),
			Baseline: enName + ", English query mix", Base: ms(percentile(en.lat, 99)), Goal: "< 20 ms"},
		{Name: "the Chinese queries alone, 8 clients, p50", Unit: "ms", Value: ms(percentile(zh.more, 50)),
			Baseline: "GET /healthz, 8 clients", Base: ms(percentile(zh.health, 50))},
		{Name: "the Chinese queries alone, 8 clients, p99", Unit: "ms", Value: ms(percentile(zh.more, 99)),
			Baseline: "GET /healthz, 8 clients", Base: ms(percentile(zh.health, 99)), Goal: "< 20 ms"},
		{Name: fmt.Sprintf("resident private memory (RssAnon) the member added, %s", pct), Unit: "MiB", Value: zh.anon - zh.anon0,
			Baseline: enName, Base: en.anon - en.anon0, Goal: "within 1.25x"},
		{Name: fmt.Sprintf("Go heap in use after GC that the member added, %s", pct), Unit: "MiB", Value: zh.heap - zh.heap0,
			Baseline: enName, Base: en.heap - en.heap0, Goal: "within 1.25x"},
		{Name: fmt.Sprintf("resident private memory (RssAnon) of the process, %s", pct), Unit: "MiB", Value: zh.anon,
			Baseline: enName, Base: en.anon},
		{Name: fmt.Sprintf("resident file-backed memory (RssFile), %s", pct), Unit: "MiB", Value: zh.file,
			Baseline: enName, Base: en.file},
	}, nil
}
