package sample

import (
	"image"
	"image/color"
	"math"

	"github.com/fedmart/fedmart/catalog"
	"golang.org/x/image/draw"
	"golang.org/x/image/vector"
)

// The demo's listings show pictures drawn here, on the fly: a flat
// illustration of the listing's category (a skillet for cookware, a tent
// for camping) on a soft backdrop, in one of several colour schemes (the
// demo gives each member its own, so that a member showing another's
// listing shows that member's picture). Nothing is fetched from
// anywhere. A member's listings of one category share a picture, so each
// is drawn, stored and fetched once.

// PictureOf names the picture that fits a generated listing: its
// category, or "" for a category the generator does not make.
func PictureOf(in catalog.ListingInput) string {
	if motifs[in.Category] == nil {
		return ""
	}
	return in.Category
}

// Illustrate draws the picture of category in colour scheme variant,
// side pixels square; a category PictureOf does not name draws a plain
// backdrop.
func Illustrate(category string, variant, side int) *image.RGBA {
	kind := 0
	for i, k := range taxonomy {
		if k.path == category {
			kind = i
		}
	}
	pal := palettes[(kind*5+variant*3)%len(palettes)]
	c := newCanvas(side)
	c.backdrop(pal)
	if motif := motifs[category]; motif != nil {
		c.fill(shadow, func() { c.ellipse(50, 84, 30, 4) })
		motif(c, pal)
	}
	return c.img
}

// palette is the colours of one picture.
type palette struct {
	top, bottom        color.RGBA // the backdrop, top to bottom
	main, dark, accent color.RGBA // the object
	light              color.RGBA // highlights
}

func rgb(hex uint32) color.RGBA {
	return color.RGBA{uint8(hex >> 16), uint8(hex >> 8), uint8(hex), 255}
}

var (
	shadow = color.RGBA{0, 0, 0, 38} // premultiplied, as image.RGBA holds colours
	white  = rgb(0xfbfaf7)
	steel  = rgb(0xc9ced6)
	wood   = rgb(0xa4723f)
	ink    = rgb(0x2b2f36)
)

var palettes = []palette{
	{rgb(0xf6efe6), rgb(0xead9c4), rgb(0xc8553d), rgb(0x7a2e20), rgb(0xf2a541), rgb(0xfff4e0)},
	{rgb(0xe8f1f2), rgb(0xcfe0e3), rgb(0x2a6f97), rgb(0x163b50), rgb(0x61a5c2), rgb(0xeaf6fb)},
	{rgb(0xeef3e8), rgb(0xd7e4cb), rgb(0x4f772d), rgb(0x273b16), rgb(0x90a955), rgb(0xf4f9ec)},
	{rgb(0xf5ecf2), rgb(0xe6d3e0), rgb(0x8e4a7d), rgb(0x4a2141), rgb(0xe29fc8), rgb(0xfbf0f7)},
	{rgb(0xf1f0ea), rgb(0xdedbcf), rgb(0x3d405b), rgb(0x1f2133), rgb(0xe07a5f), rgb(0xf7f6f1)},
	{rgb(0xfdf3e1), rgb(0xf5dfb5), rgb(0xe09f3e), rgb(0x8a5a16), rgb(0x9e2a2b), rgb(0xfff8ea)},
	{rgb(0xe9f0f5), rgb(0xd2dde8), rgb(0x5c6f84), rgb(0x2d3a48), rgb(0xf4c95d), rgb(0xf3f7fa)},
	{rgb(0xefeeee), rgb(0xdcdada), rgb(0x2f2f33), rgb(0x111113), rgb(0xd64545), rgb(0xf6f6f6)},
}

// canvas draws shapes given in units of a 100×100 square. Each shape is
// traced twice: once to measure its bounds, then into a rasterizer of
// just that size, so that a small shape costs little on a large picture.
type canvas struct {
	img  *image.RGBA
	r    *vector.Rasterizer
	unit float32 // pixels per unit

	measuring              bool
	minX, minY, maxX, maxY float32 // the bounds measured, in pixels
	ox, oy                 float32 // where the rasterizer sits on the picture, in pixels
}

func newCanvas(side int) *canvas {
	return &canvas{img: image.NewRGBA(image.Rect(0, 0, side, side)), r: vector.NewRasterizer(side, side), unit: float32(side) / 100}
}

// backdrop fills the picture with the palette's vertical gradient.
func (c *canvas) backdrop(p palette) {
	b := c.img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y++ {
		t := float64(y) / float64(b.Dy())
		row := color.RGBA{mix(p.top.R, p.bottom.R, t), mix(p.top.G, p.bottom.G, t), mix(p.top.B, p.bottom.B, t), 255}
		draw.Draw(c.img, image.Rect(b.Min.X, y, b.Max.X, y+1), image.NewUniform(row), image.Point{}, draw.Src)
	}
}

func mix(a, b uint8, t float64) uint8 { return uint8(float64(a)*(1-t) + float64(b)*t + 0.5) }

// fill paints the path that shape traces, in col.
func (c *canvas) fill(col color.RGBA, shape func()) {
	c.measuring = true
	c.minX, c.minY, c.maxX, c.maxY = float32(math.Inf(1)), float32(math.Inf(1)), float32(math.Inf(-1)), float32(math.Inf(-1))
	shape()
	c.measuring = false
	box := image.Rect(int(c.minX)-1, int(c.minY)-1, int(c.maxX)+2, int(c.maxY)+2).Intersect(c.img.Bounds())
	if box.Empty() {
		return
	}
	c.ox, c.oy = float32(box.Min.X), float32(box.Min.Y)
	c.r.Reset(box.Dx(), box.Dy())
	shape()
	c.r.Draw(c.img, box, image.NewUniform(col), image.Point{})
}

// px turns a point in units into the rasterizer's pixels, or measures it.
func (c *canvas) px(x, y float32) (float32, float32) {
	x, y = x*c.unit, y*c.unit
	if c.measuring {
		c.minX, c.minY, c.maxX, c.maxY = min(c.minX, x), min(c.minY, y), max(c.maxX, x), max(c.maxY, y)
	}
	return x - c.ox, y - c.oy
}

func (c *canvas) moveTo(x, y float32) {
	if x, y = c.px(x, y); !c.measuring {
		c.r.MoveTo(x, y)
	}
}

func (c *canvas) lineTo(x, y float32) {
	if x, y = c.px(x, y); !c.measuring {
		c.r.LineTo(x, y)
	}
}

// cubeTo's control points bound its curve, so measuring them bounds it.
func (c *canvas) cubeTo(x1, y1, x2, y2, x, y float32) {
	x1, y1 = c.px(x1, y1)
	x2, y2 = c.px(x2, y2)
	if x, y = c.px(x, y); !c.measuring {
		c.r.CubeTo(x1, y1, x2, y2, x, y)
	}
}

func (c *canvas) close() {
	if !c.measuring {
		c.r.ClosePath()
	}
}

// poly traces a closed polygon through xy pairs.
func (c *canvas) poly(xy ...float32) {
	c.moveTo(xy[0], xy[1])
	for i := 2; i+1 < len(xy); i += 2 {
		c.lineTo(xy[i], xy[i+1])
	}
	c.close()
}

// kappa places a cubic's control points on a quarter ellipse.
const kappa = 0.5523

// ellipse traces an ellipse; reverse traces it the other way round, which
// cuts it out of a shape traced before it.
func (c *canvas) ellipse(cx, cy, rx, ry float32) { c.ellipseDir(cx, cy, rx, ry, false) }

func (c *canvas) hole(cx, cy, rx, ry float32) { c.ellipseDir(cx, cy, rx, ry, true) }

func (c *canvas) ellipseDir(cx, cy, rx, ry float32, reverse bool) {
	kx, ky := rx*kappa, ry*kappa
	c.moveTo(cx+rx, cy)
	if !reverse {
		c.cubeTo(cx+rx, cy+ky, cx+kx, cy+ry, cx, cy+ry)
		c.cubeTo(cx-kx, cy+ry, cx-rx, cy+ky, cx-rx, cy)
		c.cubeTo(cx-rx, cy-ky, cx-kx, cy-ry, cx, cy-ry)
		c.cubeTo(cx+kx, cy-ry, cx+rx, cy-ky, cx+rx, cy)
	} else {
		c.cubeTo(cx+rx, cy-ky, cx+kx, cy-ry, cx, cy-ry)
		c.cubeTo(cx-kx, cy-ry, cx-rx, cy-ky, cx-rx, cy)
		c.cubeTo(cx-rx, cy+ky, cx-kx, cy+ry, cx, cy+ry)
		c.cubeTo(cx+kx, cy+ry, cx+rx, cy+ky, cx+rx, cy)
	}
	c.close()
}

// round traces a rectangle with corners of radius rad.
func (c *canvas) round(x, y, w, h, rad float32) {
	rad = min(rad, w/2, h/2)
	k := rad * (1 - kappa)
	c.moveTo(x+rad, y)
	c.lineTo(x+w-rad, y)
	c.cubeTo(x+w-k, y, x+w, y+k, x+w, y+rad)
	c.lineTo(x+w, y+h-rad)
	c.cubeTo(x+w, y+h-k, x+w-k, y+h, x+w-rad, y+h)
	c.lineTo(x+rad, y+h)
	c.cubeTo(x+k, y+h, x, y+h-k, x, y+h-rad)
	c.lineTo(x, y+rad)
	c.cubeTo(x, y+k, x+k, y, x+rad, y)
	c.close()
}

// line traces a straight stroke of width w with square ends.
func (c *canvas) line(x1, y1, x2, y2, w float32) {
	dx, dy := x2-x1, y2-y1
	n := float32(math.Hypot(float64(dx), float64(dy)))
	if n == 0 {
		return
	}
	ox, oy := -dy/n*w/2, dx/n*w/2
	c.poly(x1+ox, y1+oy, x2+ox, y2+oy, x2-ox, y2-oy, x1-ox, y1-oy)
}

// arc traces a stroke of width w along a circle of radius rad, from
// angle a0 to a1 (degrees, clockwise from three o'clock).
func (c *canvas) arc(cx, cy, rad, a0, a1, w float32) {
	const steps = 48
	pt := func(a, r float32) (float32, float32) {
		s, co := math.Sincos(float64(a) * math.Pi / 180)
		return cx + r*float32(co), cy + r*float32(s)
	}
	x, y := pt(a0, rad+w/2)
	c.moveTo(x, y)
	for i := 1; i <= steps; i++ {
		x, y = pt(a0+(a1-a0)*float32(i)/steps, rad+w/2)
		c.lineTo(x, y)
	}
	for i := steps; i >= 0; i-- {
		x, y = pt(a0+(a1-a0)*float32(i)/steps, rad-w/2)
		c.lineTo(x, y)
	}
	c.close()
}

// motifs draw each category's object, centred on the square.
var motifs = map[string]func(c *canvas, p palette){
	"Home > Kitchen > Cookware": func(c *canvas, p palette) { // a skillet from above
		c.fill(p.main, func() { c.round(62, 45, 34, 9, 4.5) })
		c.fill(p.dark, func() { c.ellipse(91, 49.5, 1.8, 1.8) })
		c.fill(p.main, func() { c.ellipse(40, 50, 28, 28) })
		c.fill(p.dark, func() { c.ellipse(40, 50, 22, 22) })
		c.fill(p.accent, func() { c.arc(40, 50, 16, 200, 250, 2.5) })
	},
	"Home > Kitchen > Knives": func(c *canvas, p palette) { // a chef's knife
		c.fill(steel, func() {
			c.moveTo(68, 44)
			c.lineTo(68, 61)
			c.cubeTo(44, 62, 22, 60, 9, 50)
			c.cubeTo(26, 46, 48, 44, 68, 44)
			c.close()
		})
		c.fill(p.light, func() { c.line(24, 49.5, 64, 47.5, 1.2) })
		c.fill(p.dark, func() { c.round(67, 45, 25, 14, 5) })
		c.fill(p.accent, func() { c.ellipse(74, 52, 1.6, 1.6); c.ellipse(84, 52, 1.6, 1.6) })
	},
	"Home > Kitchen > Coffee & Tea": func(c *canvas, p palette) { // a steaming mug
		c.fill(p.main, func() { c.ellipse(69, 56, 12, 13); c.hole(69, 56, 7, 8) })
		c.fill(p.main, func() { c.round(24, 34, 44, 46, 8) })
		c.fill(p.dark, func() { c.ellipse(46, 36, 20, 4) })
		c.fill(p.light, func() { c.round(30, 48, 6, 24, 3) })
		for _, x := range []float32{36, 46, 56} {
			c.fill(p.light, func() { c.round(x-1.5, 14, 3, 14, 1.5) })
		}
	},
	"Home > Furniture > Lighting": func(c *canvas, p palette) { // a table lamp
		c.fill(color.RGBA{70, 62, 20, 70}, func() { c.ellipse(50, 46, 30, 22) })
		c.fill(p.dark, func() { c.round(48, 42, 4, 36, 2) })
		c.fill(p.dark, func() { c.ellipse(50, 79, 15, 4) })
		c.fill(p.main, func() { c.poly(34, 18, 66, 18, 76, 44, 24, 44) })
		c.fill(p.accent, func() { c.poly(24, 44, 76, 44, 75, 41, 25, 41) })
	},
	"Home > Furniture > Storage": func(c *canvas, p palette) { // a bookshelf
		c.fill(p.dark, func() { c.round(24, 14, 52, 68, 2) })
		cols := []color.RGBA{p.accent, p.light, p.main, steel, p.accent}
		for s, y := range []float32{18, 40, 62} {
			c.fill(p.main, func() { c.poly(27, y, 73, y, 73, y+18, 27, y+18) })
			x := float32(29)
			for i := range 5 + s%2 {
				w := float32(4 + (i+s)%3*2)
				h := float32(13 + (i*7+s*3)%5)
				c.fill(cols[(i+s)%len(cols)], func() { c.poly(x, y+18-h, x+w, y+18-h, x+w, y+18, x, y+18) })
				x += w + 1.5
			}
		}
	},
	"Home > Textiles > Bedding": func(c *canvas, p palette) { // a pillow on a folded blanket
		c.fill(p.main, func() { c.round(16, 56, 68, 24, 4) })
		for _, y := range []float32{62, 70} {
			c.fill(p.accent, func() { c.poly(16, y, 84, y, 84, y+3, 16, y+3) })
		}
		c.fill(p.light, func() { c.round(24, 28, 52, 30, 12) })
		c.fill(p.dark, func() { c.line(30, 43, 70, 43, 0.8) })
	},
	"Apparel > Women > Dresses": func(c *canvas, p palette) { // a dress
		c.fill(p.main, func() {
			c.moveTo(40, 20)
			c.lineTo(60, 20)
			c.lineTo(62, 42)
			c.cubeTo(70, 58, 74, 70, 76, 82)
			c.lineTo(24, 82)
			c.cubeTo(26, 70, 30, 58, 38, 42)
			c.close()
		})
		c.fill(p.dark, func() { c.round(40, 13, 3, 9, 1.5); c.round(57, 13, 3, 9, 1.5) })
		c.fill(p.accent, func() { c.poly(38, 40, 62, 40, 62.5, 45, 37.5, 45) })
	},
	"Apparel > Men > Jackets": func(c *canvas, p palette) { // a jacket
		c.fill(p.main, func() { c.poly(33, 22, 18, 36, 16, 76, 25, 76, 30, 46) })
		c.fill(p.main, func() { c.poly(67, 22, 82, 36, 84, 76, 75, 76, 70, 46) })
		c.fill(p.main, func() { c.poly(32, 20, 68, 20, 70, 82, 30, 82) })
		c.fill(p.dark, func() { c.poly(42, 18, 50, 34, 58, 18, 54, 16, 50, 26, 46, 16) })
		c.fill(p.dark, func() { c.line(50, 34, 50, 82, 1.4) })
		c.fill(p.accent, func() { c.round(35, 58, 10, 2.5, 1); c.round(55, 58, 10, 2.5, 1) })
	},
	"Apparel > Shoes > Sneakers": func(c *canvas, p palette) { // a trainer from the side
		c.fill(white, func() { c.round(12, 62, 78, 9, 4) })
		c.fill(p.main, func() {
			c.moveTo(14, 63)
			c.lineTo(16, 46)
			c.cubeTo(26, 46, 34, 44, 40, 38)
			c.lineTo(52, 34)
			c.cubeTo(60, 44, 74, 48, 84, 54)
			c.cubeTo(90, 57, 90, 63, 86, 63)
			c.close()
		})
		c.fill(p.accent, func() {
			c.moveTo(30, 58)
			c.cubeTo(46, 56, 60, 52, 74, 46)
			c.cubeTo(62, 56, 48, 60, 30, 60)
			c.close()
		})
		for i := range 3 {
			x := float32(45 + i*5)
			c.fill(p.light, func() { c.line(x, 40+float32(i)*2, x+4, 44+float32(i)*2, 1.2) })
		}
	},
	"Apparel > Accessories > Bags": func(c *canvas, p palette) { // a tote
		c.fill(p.dark, func() { c.arc(50, 40, 12, 180, 360, 3) })
		c.fill(p.main, func() { c.poly(26, 38, 74, 38, 78, 82, 22, 82) })
		c.fill(p.accent, func() { c.poly(26, 38, 74, 38, 74.5, 44, 25.5, 44) })
		c.fill(p.light, func() { c.round(42, 54, 16, 10, 2) })
	},
	"Electronics > Audio > Headphones": func(c *canvas, p palette) { // headphones
		c.fill(p.dark, func() { c.arc(50, 52, 28, 180, 360, 5) })
		c.fill(p.main, func() { c.round(16, 46, 14, 28, 6); c.round(70, 46, 14, 28, 6) })
		c.fill(p.accent, func() { c.round(27, 50, 5, 20, 2.5); c.round(68, 50, 5, 20, 2.5) })
	},
	"Electronics > Audio > Speakers": func(c *canvas, p palette) { // a speaker
		c.fill(p.main, func() { c.round(30, 14, 40, 68, 5) })
		c.fill(p.dark, func() { c.ellipse(50, 60, 14, 14) })
		c.fill(p.accent, func() { c.ellipse(50, 60, 5, 5) })
		c.fill(p.dark, func() { c.ellipse(50, 31, 7, 7) })
		c.fill(p.light, func() { c.ellipse(50, 31, 2.5, 2.5) })
	},
	"Electronics > Computers > Accessories": func(c *canvas, p palette) { // a keyboard
		c.fill(p.dark, func() { c.round(10, 36, 80, 34, 4) })
		for row := range 3 {
			for col := range 11 {
				x, y := 13+float32(col)*6.9, 39+float32(row)*7
				k := p.light
				if (row+col)%7 == 3 {
					k = p.accent
				}
				c.fill(k, func() { c.round(x, y, 5.6, 5.6, 1.2) })
			}
		}
		c.fill(p.light, func() { c.round(30, 60, 40, 6, 1.2) })
	},
	"Electronics > Phones > Cases": func(c *canvas, p palette) { // a phone in its case
		c.fill(p.main, func() { c.round(30, 10, 40, 76, 8) })
		c.fill(p.dark, func() { c.round(35, 15, 16, 16, 4) })
		c.fill(ink, func() {
			c.ellipse(39.5, 19.5, 2.6, 2.6)
			c.ellipse(46.5, 19.5, 2.6, 2.6)
			c.ellipse(39.5, 26.5, 2.6, 2.6)
		})
		c.fill(p.accent, func() { c.ellipse(50, 58, 6, 6) })
	},
	"Sports > Cycling > Components": func(c *canvas, p palette) { // a bicycle
		for _, x := range []float32{28, 72} {
			c.fill(ink, func() { c.ellipse(x, 62, 16, 16); c.hole(x, 62, 12.5, 12.5) })
		}
		c.fill(p.main, func() {
			c.line(28, 62, 44, 42, 3)
			c.line(44, 42, 66, 42, 3)
			c.line(66, 42, 72, 62, 3)
			c.line(44, 42, 50, 62, 3)
			c.line(50, 62, 28, 62, 3)
			c.line(50, 62, 66, 42, 3)
			c.line(64, 36, 67, 43, 2.5)
		})
		c.fill(p.dark, func() { c.round(38, 36, 12, 4, 2); c.round(60, 33, 10, 3, 1.5) })
		c.fill(p.accent, func() { c.ellipse(50, 62, 3, 3) })
	},
	"Sports > Outdoor > Camping": func(c *canvas, p palette) { // a tent under the moon
		c.fill(p.accent, func() { c.ellipse(78, 20, 7, 7) })
		c.fill(p.main, func() { c.poly(14, 80, 50, 24, 86, 80) })
		c.fill(p.dark, func() { c.poly(50, 24, 86, 80, 70, 80) })
		c.fill(ink, func() { c.poly(40, 80, 50, 52, 60, 80) })
		c.fill(p.light, func() { c.line(50, 24, 50, 16, 1.5) })
	},
	"Sports > Fitness > Yoga": func(c *canvas, p palette) { // a rolled mat and a block
		c.fill(p.accent, func() { c.round(56, 58, 28, 22, 3) })
		c.fill(p.main, func() { c.round(14, 40, 52, 26, 13) })
		c.fill(p.dark, func() { c.ellipse(64, 53, 9, 13) })
		c.fill(p.light, func() { c.ellipse(64, 53, 6, 9); c.hole(64, 53, 4, 6.5) })
		c.fill(p.main, func() { c.ellipse(64, 53, 2, 3) })
	},
	"Books > Fiction > Crime": func(c *canvas, p palette) { // a book and a magnifying glass
		c.fill(white, func() { c.round(32, 20, 40, 60, 2) })
		c.fill(p.main, func() { c.round(28, 18, 40, 60, 2) })
		c.fill(p.dark, func() { c.poly(28, 18, 34, 18, 34, 78, 28, 78) })
		c.fill(p.accent, func() { c.poly(40, 30, 62, 30, 62, 33, 40, 33) })
		c.fill(ink, func() { c.line(72, 72, 84, 84, 4) })
		c.fill(color.RGBA{90, 90, 90, 90}, func() { c.ellipse(64, 62, 10, 10) }) // glass, premultiplied
		c.fill(ink, func() { c.ellipse(64, 62, 12, 12); c.hole(64, 62, 9.5, 9.5) })
	},
	"Books > Non-fiction > Cooking": func(c *canvas, p palette) { // an open book
		c.fill(p.dark, func() { c.poly(12, 30, 50, 36, 88, 30, 88, 78, 50, 84, 12, 78) })
		c.fill(white, func() { c.poly(15, 28, 49, 33, 49, 79, 15, 74) })
		c.fill(white, func() { c.poly(51, 33, 85, 28, 85, 74, 51, 79) })
		for i := range 5 {
			y := float32(40 + i*7)
			c.fill(steel, func() { c.line(20, y, 44, y+3, 1.2); c.line(56, y+3, 80, y, 1.2) })
		}
		c.fill(p.accent, func() { c.ellipse(32, 44, 6, 6) })
	},
	"Toys > Games > Board Games": func(c *canvas, p palette) { // a board and a die
		c.fill(p.dark, func() { c.round(14, 26, 50, 50, 3) })
		for i := range 25 {
			if (i/5+i%5)%2 == 0 {
				x, y := 17+float32(i%5)*8.8, 29+float32(i/5)*8.8
				c.fill(p.light, func() { c.poly(x, y, x+8.8, y, x+8.8, y+8.8, x, y+8.8) })
			}
		}
		c.fill(p.main, func() { c.round(58, 54, 26, 26, 5) })
		for _, d := range [][2]float32{{65, 61}, {71, 67}, {77, 73}, {77, 61}, {65, 73}} {
			c.fill(white, func() { c.ellipse(d[0], d[1], 2.4, 2.4) })
		}
	},
	"Beauty > Skincare > Face": func(c *canvas, p palette) { // a dropper bottle
		c.fill(p.dark, func() { c.ellipse(50, 18, 6, 7) })
		c.fill(p.dark, func() { c.round(42, 22, 16, 12, 2) })
		c.fill(p.main, func() { c.round(44, 33, 12, 6, 1) })
		c.fill(p.main, func() { c.round(30, 38, 40, 44, 8) })
		c.fill(p.light, func() { c.round(36, 50, 28, 20, 2) })
		c.fill(p.accent, func() { c.line(40, 58, 60, 58, 2); c.line(44, 63, 56, 63, 1.4) })
	},
	"Garden > Tools > Hand Tools": func(c *canvas, p palette) { // a trowel
		c.fill(wood, func() { c.line(60, 40, 84, 16, 9) })
		c.fill(p.dark, func() { c.line(50, 50, 62, 38, 3) })
		// The blade is a pointed leaf along the handle's axis, from its
		// shoulder at (54, 46) to its tip 50 units on: u along the axis,
		// v across it.
		at := func(u, v float32) (float32, float32) { return 54 - 0.707*u + 0.707*v, 46 + 0.707*u + 0.707*v }
		c.fill(steel, func() {
			c.moveTo(at(0, -12))
			c.lineTo(at(0, 12))
			x1, y1 := at(20, 14)
			x2, y2 := at(38, 7)
			x3, y3 := at(50, 0)
			c.cubeTo(x1, y1, x2, y2, x3, y3)
			x1, y1 = at(38, -7)
			x2, y2 = at(20, -14)
			x3, y3 = at(0, -12)
			c.cubeTo(x1, y1, x2, y2, x3, y3)
			c.close()
		})
		c.fill(p.light, func() {
			x1, y1 := at(4, 0)
			x2, y2 := at(40, 0)
			c.line(x1, y1, x2, y2, 1.4)
		})
		c.fill(p.accent, func() { c.ellipse(80, 20, 2, 2) })
	},
}
