package search

import (
	"fmt"
	"math/rand/v2"
	"strings"
)

// genZhVocab is the word pool of generated Chinese listings, in the order
// of how often they are drawn (Zipf by rank): materials, colours, product
// nouns, the qualities Chinese listings pile into their titles, and the
// words their descriptions are made of.
var genZhVocab = strings.Fields(`
	新款 家用 不锈钢 黑色 白色 套装 无线 便携 大号 小号 加厚 耐用 防水 简约 时尚
	厨房 户外 运动 旅行 手机 手机壳 耳机 蓝牙 充电器 数据线 音箱 相机 镜头 支架
	炒锅 汤锅 平底锅 菜刀 砧板 水杯 保温杯 茶壶 咖啡 餐具 碗 盘子 筷子 勺子
	台灯 椅子 桌子 书架 沙发 床垫 枕头 被子 毛巾 窗帘 地毯 收纳盒 衣架
	衬衫 外套 夹克 羽绒服 连衣裙 裤子 运动鞋 靴子 袜子 帽子 背包 钱包 手表
	自行车 头盔 手套 帐篷 睡袋 登山 跑步 骑行 露营 瑜伽垫 哑铃 篮球 足球
	纯棉 真皮 实木 玻璃 陶瓷 竹制 亚麻 羊毛 真丝 牛仔 铝合金 硅胶 塑料
	红色 蓝色 绿色 黄色 灰色 银色 金色 粉色 紫色 原木色
	男士 女士 儿童 学生 办公 卧室 客厅 浴室 花园 阳台 宿舍 车载
	高档 精致 轻便 舒适 透气 保暖 柔软 结实 防滑 防摔 静音 快充 超薄 折叠
	适用 正品 包邮 现货 送礼 礼盒 升级版 专业 经典 复古 北欧 日式 韩版 网红
	质量 很好 做工 精细 手感 不错 物流 快速 包装 严实 性价比 高 推荐 购买`)

// genZhCategories are category paths as a Chinese merchant files them.
var genZhCategories = []string{
	"家居 > 厨房 > 锅具", "家居 > 厨房 > 刀具", "家居 > 家具", "家居 > 床上用品",
	"数码 > 手机配件", "数码 > 音频", "运动 > 户外 > 露营", "运动 > 骑行",
	"服装 > 男装", "服装 > 女装", "箱包 > 背包",
}

// genZhDocs returns genDocs(n, seed) with a fraction of the documents,
// spread evenly, written in Chinese: titles of run-together words, as
// Chinese listings write them, and descriptions of phrases split by
// Chinese punctuation, with now and then a brand or model in Latin
// letters ("iPhone 15 手机壳"). Their ids, prices and times are genDocs'.
func genZhDocs(n int, seed uint64, fraction float64) []Doc {
	docs := genDocs(n, seed)
	r := rand.New(rand.NewPCG(seed, 0x7a68))
	zipf := rand.NewZipf(r, 1.1, 3, uint64(len(genZhVocab)-1))
	words := func(k int, sep func() string) string {
		var b strings.Builder
		for i := range k {
			if i > 0 {
				b.WriteString(sep())
			}
			b.WriteString(genZhVocab[zipf.Uint64()])
		}
		return b.String()
	}
	none := func() string { return "" }
	punct := func() string {
		switch r.IntN(6) {
		case 0:
			return "，"
		case 1:
			return "。"
		}
		return ""
	}
	every := 0
	if fraction > 0 {
		every = max(1, int(1/fraction+0.5))
	}
	for i := range docs {
		if every == 0 || i%every != 0 {
			continue
		}
		d := &docs[i]
		d.Title = words(3+r.IntN(5), none)
		if r.IntN(5) == 0 {
			d.Title = fmt.Sprintf("iPhone %d %s", 11+r.IntN(6), d.Title)
		}
		d.Description = words(10+r.IntN(30), punct) + "。"
		d.Category = genZhCategories[r.IntN(len(genZhCategories))]
		d.Currency = "CNY"
	}
	return docs
}
