package library

// This file holds the drawing code: a tiny canvas with anti-aliased primitives that write straight
// into the RGBA pixel slice, and the scenes built from them. Every size is expressed as a fraction of
// the picture's width or height, so a 320x240 test image shows the same scene as the 1600x1200 one.

import (
	"image"
	"math"
	"math/rand/v2"
)

// rgb is a colour with float channels in 0..255, so blends and gradients keep their precision
// until the final write to 8 bits.
type rgb struct{ r, g, b float64 }

// hex turns 0xRRGGBB into an rgb; palettes read much better as hex codes.
func hex(v uint32) rgb {
	return rgb{float64(v >> 16 & 0xff), float64(v >> 8 & 0xff), float64(v & 0xff)}
}

func mix(a, b rgb, t float64) rgb {
	return rgb{a.r + (b.r-a.r)*t, a.g + (b.g-a.g)*t, a.b + (b.b-a.b)*t}
}

func (c rgb) scale(f float64) rgb { return rgb{c.r * f, c.g * f, c.b * f} }

func clamp01(v float64) float64 {
	if v < 0 {
		return 0
	}
	if v > 1 {
		return 1
	}
	return v
}

func smoothstep(e0, e1, v float64) float64 {
	t := clamp01((v - e0) / (e1 - e0))
	return t * t * (3 - 2*t)
}

func to8(v float64) uint8 {
	if v <= 0 {
		return 0
	}
	if v >= 255 {
		return 255
	}
	return uint8(v + 0.5)
}

// stop is one colour of a vertical gradient; t is the position as a fraction of the picture height.
type stop struct {
	t float64
	c rgb
}

// gradient evaluates a list of stops. Between stops it eases with smoothstep rather than a straight
// line, which hides the visible creases ("Mach bands") a linear ramp shows at every stop.
func gradient(stops []stop, t float64) rgb {
	if t <= stops[0].t {
		return stops[0].c
	}
	for i := 1; i < len(stops); i++ {
		if t <= stops[i].t {
			a, b := stops[i-1], stops[i]
			return mix(a.c, b.c, smoothstep(a.t, b.t, t))
		}
	}
	return stops[len(stops)-1].c
}

// hash2 gives a repeatable pseudo-random value in [0,1] for a grid cell. Patterns use it instead of
// the random source so that a cell's colour does not depend on the order cells are drawn in.
func hash2(a, b int) float64 {
	h := uint32(a)*0x9E3779B1 ^ uint32(b)*0x85EBCA77 ^ 0x27d4eb2f
	h ^= h >> 15
	h *= 0x2C1B3C6D
	h ^= h >> 12
	h *= 0x297A2D39
	h ^= h >> 15
	return float64(h&0xffff) / 0xffff
}

// vec is a point in pixel coordinates.
type vec struct{ x, y float64 }

// canvas wraps an *image.RGBA and writes its Pix slice directly: going through img.Set would cost an
// interface call and a colour conversion per pixel, which is most of the time budget at 1600x1200.
type canvas struct {
	img    *image.RGBA
	pix    []uint8
	stride int
	w, h   int
	W, H   float64   // the size again as floats, for the layout arithmetic
	cov    []float64 // per-row coverage buffer used by poly
	xs     []float64 // scratch list of edge crossings used by poly
}

func newCanvas(w, h int) *canvas {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	return &canvas{img: img, pix: img.Pix, stride: img.Stride, w: w, h: h,
		W: float64(w), H: float64(h), cov: make([]float64, w+1)}
}

// u is one "design pixel": 1 at the product size of 1200 rows, so small details scale with the picture.
func (c *canvas) u() float64 { return c.H / 1200 }

// span turns a float range into a clamped integer pixel range [i0, i1).
func span(a, b float64, n int) (int, int) {
	return max(int(math.Floor(a)), 0), min(int(math.Ceil(b)), n)
}

func (c *canvas) put(i int, col rgb) {
	p := c.pix[i : i+4 : i+4]
	p[0], p[1], p[2], p[3] = to8(col.r), to8(col.g), to8(col.b), 255
}

// over blends col over the pixel at byte offset i with opacity a.
func (c *canvas) over(i int, col rgb, a float64) {
	p := c.pix[i : i+3 : i+3]
	r, g, b := float64(p[0]), float64(p[1]), float64(p[2])
	p[0], p[1], p[2] = to8(r+(col.r-r)*a), to8(g+(col.g-g)*a), to8(b+(col.b-b)*a)
}

// screen lightens the pixel the way light adds up: it can brighten towards white but never clip harshly,
// which is what makes glows and reflections look soft.
func (c *canvas) screen(i int, col rgb, a float64) {
	p := c.pix[i : i+3 : i+3]
	r, g, b := float64(p[0]), float64(p[1]), float64(p[2])
	p[0] = to8(r + (255-r)*col.r/255*a)
	p[1] = to8(g + (255-g)*col.g/255*a)
	p[2] = to8(b + (255-b)*col.b/255*a)
}

// sky fills the whole picture with a vertical gradient. Each row is one colour, so it is computed once
// and the row is filled by doubling copies.
func (c *canvas) sky(stops []stop) {
	for y := 0; y < c.h; y++ {
		col := gradient(stops, (float64(y)+0.5)/c.H)
		row := c.pix[y*c.stride : y*c.stride+c.w*4]
		c.put(y*c.stride, col)
		for n := 4; n < len(row); n *= 2 {
			copy(row[n:], row[:n])
		}
	}
}

// glow brightens a soft round area. The falloff (1-d²/r²)³ needs no square root and reaches zero
// smoothly at radius r, so there is no visible edge.
func (c *canvas) glow(cx, cy, r float64, col rgb, strength float64) {
	x0, x1 := span(cx-r, cx+r, c.w)
	y0, y1 := span(cy-r, cy+r, c.h)
	inv := 1 / (r * r)
	for y := y0; y < y1; y++ {
		dy := float64(y) + 0.5 - cy
		dy2 := dy * dy * inv
		if dy2 >= 1 {
			continue
		}
		i := y*c.stride + x0*4
		for x := x0; x < x1; x, i = x+1, i+4 {
			dx := float64(x) + 0.5 - cx
			t := 1 - dx*dx*inv - dy2
			if t <= 0 {
				continue
			}
			c.screen(i, col, strength*t*t*t)
		}
	}
}

// disc draws a filled circle. feather is the width of the soft edge in pixels: 1 is plain
// anti-aliasing, more gives a blurred edge (clouds, shadows, craters).
func (c *canvas) disc(cx, cy, r float64, col rgb, alpha, feather float64) {
	feather = max(feather, 1)
	if r < 0.7 {
		// A circle smaller than a pixel would come out too bright with edge coverage alone; keep the
		// area right instead so tiny stars fade rather than sparkle.
		alpha *= (r / 0.7) * (r / 0.7)
		r = 0.7
	}
	R := r + feather/2
	x0, x1 := span(cx-R, cx+R, c.w)
	y0, y1 := span(cy-R, cy+R, c.h)
	for y := y0; y < y1; y++ {
		dy := float64(y) + 0.5 - cy
		i := y*c.stride + x0*4
		for x := x0; x < x1; x, i = x+1, i+4 {
			dx := float64(x) + 0.5 - cx
			a := (r-math.Sqrt(dx*dx+dy*dy))/feather + 0.5
			if a <= 0 {
				continue
			}
			c.over(i, col, min(a, 1)*alpha)
		}
	}
}

// rect fills an axis-aligned rectangle with exact fractional coverage at its edges, so windows and
// buildings at non-integer positions stay crisp but not jagged.
func (c *canvas) rect(x0, y0, x1, y1 float64, col rgb, alpha float64) {
	ix0, ix1 := span(x0, x1, c.w)
	iy0, iy1 := span(y0, y1, c.h)
	for y := iy0; y < iy1; y++ {
		cy := min(y1, float64(y+1)) - max(y0, float64(y))
		if cy <= 0 {
			continue
		}
		i := y*c.stride + ix0*4
		for x := ix0; x < ix1; x, i = x+1, i+4 {
			cx := min(x1, float64(x+1)) - max(x0, float64(x))
			if cx <= 0 {
				continue
			}
			c.over(i, col, alpha*min(cx*cy, 1))
		}
	}
}

// poly fills a polygon (even-odd rule). Each pixel row is sampled on four sub-rows and each sub-row's
// spans are added with exact horizontal coverage, which anti-aliases edges of any slope at a small cost.
func (c *canvas) poly(pts []vec, col rgb, alpha float64) {
	minY, maxY := math.Inf(1), math.Inf(-1)
	for _, p := range pts {
		minY, maxY = min(minY, p.y), max(maxY, p.y)
	}
	y0, y1 := span(minY, maxY, c.h)
	const sub = 4
	for y := y0; y < y1; y++ {
		lo, hi := c.w, 0
		for s := 0; s < sub; s++ {
			sy := float64(y) + (float64(s)+0.5)/sub
			xs := c.xs[:0]
			for i := range pts {
				a, b := pts[i], pts[(i+1)%len(pts)]
				if (a.y <= sy) != (b.y <= sy) {
					xs = append(xs, a.x+(sy-a.y)*(b.x-a.x)/(b.y-a.y))
				}
			}
			// Insertion sort: a sub-row crosses only a handful of edges.
			for i := 1; i < len(xs); i++ {
				for j := i; j > 0 && xs[j] < xs[j-1]; j-- {
					xs[j], xs[j-1] = xs[j-1], xs[j]
				}
			}
			for k := 0; k+1 < len(xs); k += 2 {
				a, b := max(xs[k], 0), min(xs[k+1], c.W)
				if b <= a {
					continue
				}
				ia, ib := int(a), int(b)
				lo, hi = min(lo, ia), max(hi, min(ib+1, c.w))
				if ia == ib {
					c.cov[ia] += (b - a) / sub
					continue
				}
				c.cov[ia] += (float64(ia+1) - a) / sub
				for i := ia + 1; i < ib; i++ {
					c.cov[i] += 1.0 / sub
				}
				c.cov[ib] += (b - float64(ib)) / sub
			}
			c.xs = xs
		}
		i := y*c.stride + lo*4
		for x := lo; x < hi; x, i = x+1, i+4 {
			if a := c.cov[x]; a > 0 {
				c.over(i, col, min(a, 1)*alpha)
				c.cov[x] = 0
			}
		}
		c.cov[c.w] = 0
	}
}

// line draws a straight stroke from a to b whose width tapers from wa to wb.
func (c *canvas) line(ax, ay, bx, by, wa, wb float64, col rgb) {
	dx, dy := bx-ax, by-ay
	l := math.Hypot(dx, dy)
	if l == 0 {
		return
	}
	nx, ny := -dy/l/2, dx/l/2
	c.poly([]vec{{ax + nx*wa, ay + ny*wa}, {bx + nx*wb, by + ny*wb},
		{bx - nx*wb, by - ny*wb}, {ax - nx*wa, ay - ny*wa}}, col, 1)
}

// land fills everything below a curve: top holds the curve's y at each of the w+1 pixel edges and
// shade gives the colour of a pixel. Where the curve crosses a pixel the coverage is sampled at four
// points across it, so even steep mountain ridges come out smooth.
func (c *canvas) land(top []float64, shade func(x, y int) rgb) {
	minTop := c.H
	for _, t := range top {
		minTop = min(minTop, t)
	}
	for y := max(0, int(math.Floor(minTop))); y < c.h; y++ {
		fy := float64(y)
		i := y * c.stride
		for x := 0; x < c.w; x, i = x+1, i+4 {
			a, b := top[x], top[x+1]
			if fy+1 <= min(a, b) {
				continue
			}
			col := shade(x, y)
			if fy >= max(a, b) {
				c.put(i, col)
				continue
			}
			cov := 0.0
			for s := 0.125; s < 1; s += 0.25 {
				cov += clamp01(fy + 1 - (a + (b-a)*s))
			}
			c.over(i, col, cov/4)
		}
	}
}

// landGradient fills below a curve with a vertical gradient from ca at row ya to cb at row yb
// (fractions of the height).
func (c *canvas) landGradient(top []float64, ca, cb rgb, ya, yb float64) {
	rows := make([]rgb, c.h)
	for y := range rows {
		rows[y] = mix(ca, cb, clamp01(((float64(y)+0.5)/c.H-ya)/(yb-ya)))
	}
	c.land(top, func(_, y int) rgb { return rows[y] })
}

// sineRidge makes a rolling-hill outline from three sine waves of rising frequency and falling
// amplitude; base and amp are fractions of the height.
func (c *canvas) sineRidge(r *rand.Rand, base, amp float64) []float64 {
	var f, p, a [3]float64
	for k := range 3 {
		f[k] = (0.5 + r.Float64()) * float64(k*k+1)
		p[k] = r.Float64() * 2 * math.Pi
		a[k] = amp / float64(2*k+1)
	}
	top := make([]float64, c.w+1)
	for x := range top {
		u := float64(x) / c.W
		v := 0.0
		for k := range 3 {
			v += a[k] * math.Sin(2*math.Pi*f[k]*u+p[k])
		}
		top[x] = c.H * (base - v)
	}
	return top
}

// fractalRidge makes a mountain outline: alternating peaks and saddles refined by midpoint
// displacement. The profile is built on a fixed grid and then stretched to the picture, so the
// mountains have the same shape at every picture size.
func (c *canvas) fractalRidge(r *rand.Rand, base, amp float64, peaks int, rough float64) []float64 {
	const seg = 64
	n := 2 * peaks * seg
	h := make([]float64, n+1)
	for i := 0; i <= n; i += seg {
		h[i] = 0.1 + 0.3*r.Float64()
		if (i/seg)%2 == 1 {
			h[i] += 0.55 + 0.15*r.Float64()
		}
	}
	scale := 0.22
	for step := seg; step > 1; step /= 2 {
		for i := step / 2; i < n; i += step {
			h[i] = (h[i-step/2]+h[i+step/2])/2 + (r.Float64()*2-1)*scale
		}
		scale *= rough
	}
	top := make([]float64, c.w+1)
	for x := range top {
		p := float64(x) / c.W * float64(n)
		i := min(int(p), n-1)
		f := p - float64(i)
		top[x] = c.H * (base - amp*(h[i]+(h[i+1]-h[i])*f))
	}
	return top
}

// haze lays a horizontal band of mist: transparent at row y0, reaching opacity a at y1 and staying
// there below. Used between hill layers, where valley fog collects.
func (c *canvas) haze(y0, y1 float64, col rgb, a float64) {
	iy0, _ := span(y0*c.H, y1*c.H, c.h)
	for y := iy0; y < c.h; y++ {
		t := a * smoothstep(y0, y1, (float64(y)+0.5)/c.H)
		if t <= 0 {
			continue
		}
		i := y * c.stride
		for x := 0; x < c.w; x, i = x+1, i+4 {
			c.over(i, col, t)
		}
	}
}

// vignette darkens the corners a little, which frames the picture and draws the eye inward.
// The falloff is q² with q the squared distance from the centre, so the middle is untouched.
func (c *canvas) vignette(strength float64) {
	nx2 := make([]float64, c.w)
	for x := range nx2 {
		v := (float64(x)+0.5)/c.W*2 - 1
		nx2[x] = v * v
	}
	for y := 0; y < c.h; y++ {
		v := (float64(y)+0.5)/c.H*2 - 1
		ny2 := v * v
		i := y * c.stride
		for x := 0; x < c.w; x, i = x+1, i+4 {
			q := (nx2[x] + ny2) / 2
			f := 1 - strength*q*q
			p := c.pix[i : i+3 : i+3]
			p[0] = uint8(float64(p[0])*f + 0.5)
			p[1] = uint8(float64(p[1])*f + 0.5)
			p[2] = uint8(float64(p[2])*f + 0.5)
		}
	}
}

// cloud draws a cumulus: a row of overlapping soft puffs with a flat base. Coverage is combined with
// max() in a private mask so overlapping puffs don't double up, then the mask is blended once with a
// colour that runs from the sunlit top to the shaded base.
func (c *canvas) cloud(r *rand.Rand, cx, cy, width float64, light, shadow rgb, alpha float64) {
	type puff struct{ x, y, r float64 }
	n := 6 + r.IntN(4)
	puffs := make([]puff, n)
	for i := range puffs {
		t := (float64(i)+0.5)/float64(n)*2 - 1
		rad := width * (0.12 + 0.1*(1-t*t)) * (0.8 + 0.4*r.Float64())
		puffs[i] = puff{cx + t*width*0.4 + (r.Float64()-0.5)*width*0.05, cy - rad*(0.2+0.5*r.Float64())*(1-t*t*0.6), rad}
	}
	feather := width*0.05 + 1
	base := cy + width*0.03
	x0, x1 := span(cx-width*0.75, cx+width*0.75, c.w)
	y0, y1 := span(cy-width*0.6, base+feather, c.h)
	for y := y0; y < y1; y++ {
		fy := float64(y) + 0.5
		col := mix(light, shadow, smoothstep(cy-width*0.3, base, fy))
		flat := clamp01((base-fy)/feather + 0.5)
		i := y*c.stride + x0*4
		for x := x0; x < x1; x, i = x+1, i+4 {
			fx := float64(x) + 0.5
			a := 0.0
			for _, p := range puffs {
				dy := fy - p.y
				if math.Abs(dy) > p.r+feather {
					continue
				}
				dx := fx - p.x
				a = max(a, clamp01((p.r-math.Sqrt(dx*dx+dy*dy))/feather+0.5))
			}
			if a > 0 {
				c.over(i, col, a*flat*alpha)
			}
		}
	}
}

// stars scatters n stars over the top maxY of the picture, fewer and fainter towards the horizon, with
// a few bright ones that get a small halo.
func (c *canvas) stars(r *rand.Rand, n int, maxY float64) {
	u := c.u()
	for range n {
		fx, fy, big, fa, tint := r.Float64(), r.Float64(), r.Float64(), r.Float64(), r.Float64()
		y := math.Pow(fy, 1.4) * maxY * c.H
		x := fx * c.W
		rad := u * (0.7 + 1.6*big*big*big)
		col := mix(hex(0xcfdcff), hex(0xfff0d0), tint)
		a := (0.45 + 0.55*fa) * (1 - 0.6*fy)
		c.disc(x, y, rad, col, a, 1)
		if big > 0.94 {
			c.glow(x, y, rad*8, col, 0.3)
		}
	}
}

// moon draws a full moon with a halo and a few soft grey maria.
func (c *canvas) moon(cx, cy, r float64, col rgb) {
	c.glow(cx, cy, r*7, col, 0.22)
	c.glow(cx, cy, r*2.2, col, 0.3)
	c.disc(cx, cy, r, col, 1, 1.5)
	maria := [...][3]float64{{-0.3, -0.2, 0.24}, {0.22, 0.12, 0.18}, {0.02, 0.45, 0.14}, {0.38, -0.36, 0.1}, {-0.38, 0.34, 0.11}}
	for _, m := range maria {
		c.disc(cx+m[0]*r, cy+m[1]*r, m[2]*r, col.scale(0.8), 0.55, r*0.1)
	}
}

// milkyWay lays a faint band of light along the line from (ax,ay) to (bx,by) (fractions of the size),
// brighter in slow waves along its length, and sprinkles it with extra tiny stars.
func (c *canvas) milkyWay(r *rand.Rand, ax, ay, bx, by, width float64, col rgb, strength float64) {
	ax, ay, bx, by = ax*c.W, ay*c.H, bx*c.W, by*c.H
	dx, dy := bx-ax, by-ay
	l := math.Hypot(dx, dy)
	nx, ny := -dy/l, dx/l
	w := width * c.H
	for y := 0; y < c.h; y++ {
		fy := float64(y) + 0.5
		i := y * c.stride
		for x := 0; x < c.w; x, i = x+1, i+4 {
			fx := float64(x) + 0.5
			d := ((fx-ax)*nx + (fy-ay)*ny) / w
			if d <= -1 || d >= 1 {
				continue
			}
			along := ((fx-ax)*dx + (fy-ay)*dy) / (l * l)
			t := 1 - d*d
			wave := 0.55 + 0.45*math.Sin(along*9+d*2)
			c.screen(i, col, strength*t*t*t*wave)
		}
	}
	u := c.u()
	for range 700 {
		t, off, big, fa := r.Float64(), r.NormFloat64()*0.35, r.Float64(), r.Float64()
		x := ax + dx*t + nx*off*w
		y := ay + dy*t + ny*off*w
		c.disc(x, y, u*(0.5+0.9*big*big), hex(0xf0eaff), 0.3+0.5*fa, 1)
	}
}

// pine returns the outline of a fir tree of height hgt standing at (x, base): four tiers of
// branches and a short trunk.
func pine(x, base, hgt float64) []vec {
	const tiers = 4
	half := hgt * 0.2
	right := make([]vec, 0, 2*tiers)
	for i := 1; i <= tiers; i++ {
		t := float64(i) / tiers
		y := base - hgt + hgt*0.88*t
		w := half * (0.35 + 0.65*t)
		right = append(right, vec{x + w, y})
		if i < tiers {
			right = append(right, vec{x + w*0.4, y - hgt*0.03})
		}
	}
	pts := []vec{{x, base - hgt}}
	pts = append(pts, right...)
	tw := hgt * 0.035
	pts = append(pts, vec{x + tw, base - hgt*0.12}, vec{x + tw, base}, vec{x - tw, base}, vec{x - tw, base - hgt*0.12})
	for i := len(right) - 1; i >= 0; i-- {
		pts = append(pts, vec{2*x - right[i].x, right[i].y})
	}
	return pts
}

// forest plants fir trees of roughly the given height along a ridge between x fractions from and to,
// sunk a little into the ground so they grow out of the hill rather than float on it.
func (c *canvas) forest(r *rand.Rand, top []float64, size, spacing, from, to float64, col rgb) {
	size *= c.H
	x := from*c.W + r.Float64()*size*0.3
	for x < to*c.W {
		hgt := size * (0.7 + 0.6*r.Float64())
		ix := min(max(int(x), 0), c.w)
		c.poly(pine(x, top[ix]+hgt*0.12, hgt), col, 1)
		x += size * spacing * (0.4 + r.Float64())
	}
}

// tree draws a bare, branching tree recursively; each branch splits in two at a slightly random angle.
func (c *canvas) tree(r *rand.Rand, x, y, length, angle, width float64, depth int, col rgb) {
	x2, y2 := x+length*math.Cos(angle), y-length*math.Sin(angle)
	c.line(x, y, x2, y2, width, width*0.72, col)
	c.disc(x2, y2, width*0.36, col, 1, 1)
	if depth == 0 {
		return
	}
	spread := 0.3 + 0.25*r.Float64()
	lean := (r.Float64() - 0.5) * 0.3
	c.tree(r, x2, y2, length*(0.7+0.12*r.Float64()), angle+spread+lean, width*0.7, depth-1, col)
	c.tree(r, x2, y2, length*(0.7+0.12*r.Float64()), angle-spread+lean, width*0.7, depth-1, col)
}

// sun draws a sun disc with a wide faint glow and a tighter bright one.
func (c *canvas) sun(cx, cy, r float64, disc, glow rgb, glowR, glowA float64) {
	c.glow(cx, cy, glowR, glow, glowA)
	c.glow(cx, cy, r*3, glow, 0.55)
	c.disc(cx, cy, r, disc, 1, 1.5)
}

// ---------------------------------------------------------------------------------------------
// Scenes. Each takes its palette as parameters so one scene kind can appear in several moods.

// hillsScene is a sky over layered rolling hills, far layers paler and bluer (aerial perspective).
type hillsScene struct {
	sky               []stop
	sunX, sunY, sunR  float64 // fractions: x of the width, y and radius of the height
	sunCol, glowCol   rgb
	layers            []rgb // far to near
	clouds            int
	cloudLit, cloudSh rgb
	mist              rgb
}

func hills(c *canvas, r *rand.Rand, s hillsScene) {
	c.sky(s.sky)
	c.sun(s.sunX*c.W, s.sunY*c.H, s.sunR*c.H, s.sunCol, s.glowCol, c.H*0.7, 0.5)
	for i := range s.clouds {
		cx := (0.15 + 0.7*float64(i)/float64(max(s.clouds-1, 1)) + (r.Float64()-0.5)*0.1) * c.W
		c.cloud(r, cx, (0.15+0.15*r.Float64())*c.H, (0.18+0.12*r.Float64())*c.W, s.cloudLit, s.cloudSh, 0.9)
	}
	n := len(s.layers)
	for i, col := range s.layers {
		t := float64(i) / float64(n-1)
		base := 0.6 + 0.27*t
		top := c.sineRidge(r, base, 0.025+0.035*t)
		c.landGradient(top, col, col.scale(0.78), base-0.06, 1)
		if i < n-1 {
			c.haze(base-0.02, base+0.12, s.mist, 0.25)
		}
	}
}

// nightHills is a starry sky with a moon over dark hills and a lone bare tree.
func nightHills(c *canvas, r *rand.Rand) {
	c.sky([]stop{{0, hex(0x090c26)}, {0.4, hex(0x1a1f4e)}, {0.65, hex(0x3a2d66)}, {0.8, hex(0x6b4a7e)}})
	c.stars(r, 420, 0.75)
	c.moon(0.73*c.W, 0.22*c.H, 0.065*c.H, hex(0xf6f1dc))
	layers := []rgb{hex(0x3a3468), hex(0x262452), hex(0x14143a)}
	var top []float64
	for i, col := range layers {
		t := float64(i) / 2
		base := 0.7 + 0.15*t
		top = c.sineRidge(r, base, 0.03+0.03*t)
		c.landGradient(top, col, col.scale(0.6), base-0.05, 1)
		if i < 2 {
			c.haze(base-0.02, base+0.1, hex(0x5a4a80), 0.2)
		}
	}
	tx := 0.28 * c.W
	c.tree(r, tx, top[int(tx)]+c.H*0.01, c.H*0.13, math.Pi/2, c.H*0.028, 8, layers[2])
}

// seaScene is a view over open water to the horizon, with the sun or moon and its glittering
// reflection, optionally stars, clouds and a sandy beach in front.
type seaScene struct {
	sky               []stop
	horizon           float64
	sunX, sunY, sunR  float64
	sunCol, glowCol   rgb
	glowR, glowA      float64
	moon              bool
	stars             int
	clouds            int
	cloudLit, cloudSh rgb
	seaFar, seaNear   rgb
	crest, trough     rgb
	reflect           float64
	beach             bool
}

func seascape(c *canvas, r *rand.Rand, s seaScene) {
	c.sky(s.sky)
	hz := s.horizon * c.H
	if s.stars > 0 {
		c.stars(r, s.stars, s.horizon*0.95)
	}
	sx, sy, sr := s.sunX*c.W, s.sunY*c.H, s.sunR*c.H
	if s.moon {
		c.moon(sx, sy, sr, s.sunCol)
	} else {
		c.sun(sx, sy, sr, s.sunCol, s.glowCol, s.glowR*c.H, s.glowA)
	}
	for i := range s.clouds {
		cx := (0.1 + 0.8*float64(i)/float64(max(s.clouds-1, 1)) + (r.Float64()-0.5)*0.1) * c.W
		cy := (0.12 + 0.25*r.Float64()) * s.horizon * c.H
		c.cloud(r, cx, cy, (0.15+0.12*r.Float64())*c.W, s.cloudLit, s.cloudSh, 0.95)
	}
	c.sea(r, hz, s, sx, sr)
	if s.beach {
		c.beach(r)
	}
}

// sea paints the water below the horizon row hz as a sum of sine waves on a ground plane seen in
// perspective: row y lies at distance z = 1/d, where d runs from 0 at the horizon to 1 at the bottom.
// Along a row each wave's phase is linear in x, so its sine is advanced by a rotation instead of a
// math.Sin call per pixel. A wave is faded out where it gets finer than the pixel grid, which keeps
// the distance free of moiré; what remains there is smooth, hazy water. The sun's reflection is a
// column that widens towards the viewer and lights the wave faces tilted towards it, which breaks it
// into glittering dashes.
func (c *canvas) sea(r *rand.Rand, hz float64, s seaScene, sx, sr float64) {
	// Ten waves, log-spaced in size from long swells to ripples, each heading within 25° of the
	// viewer so the crests run mostly across the picture. Irregular sizes and angles avoid the plaid
	// look a few regular waves give.
	type wave struct{ kx, kz, w, ph float64 }
	var waves [10]wave
	wsum := 0.0
	for i := range waves {
		k := 14 * math.Pow(1.35, float64(i)) * (0.9 + 0.2*r.Float64())
		a := (r.Float64()*2 - 1) * 25 * math.Pi / 180
		waves[i] = wave{k * math.Sin(a), k * math.Cos(a), math.Pow(k/14, -0.5), r.Float64() * 2 * math.Pi}
		wsum += waves[i].w
	}
	depth := c.H - hz
	var amp, sn, cs, rs, rc [len(waves)]float64
	// Start at the first row whose centre lies below the horizon, so that d > 0.
	for y := max(int(math.Floor(hz-0.5))+1, 0); y < c.h; y++ {
		d := (float64(y) + 0.5 - hz) / depth
		z := 1 / d
		base := mix(s.seaFar, s.seaNear, math.Sqrt(d))
		n, total := 0, 0.0
		for _, wv := range waves {
			along := wv.kx * z / depth    // phase step per pixel along the row
			down := wv.kz * z * z / depth // phase step per pixel down the column
			a := wv.w * (1 - smoothstep(0.45, 1.4, math.Hypot(along, down)))
			if a <= 0 {
				continue
			}
			amp[n] = a
			sn[n], cs[n] = math.Sincos(wv.kx*(0.5-c.W/2)/depth*z + wv.kz*z + wv.ph)
			rs[n], rc[n] = math.Sincos(along)
			n++
			total += a
		}
		rough := total / wsum // how much of the wave detail survives on this row
		hw := sr*(0.8+2.2*d) + c.W*0.03*d
		fade := 1 - 0.35*d
		i := y * c.stride
		for x := 0; x < c.w; x, i = x+1, i+4 {
			g := 0.0 // how much the surface here faces the light, roughly -1..1
			for k := 0; k < n; k++ {
				g += amp[k] * cs[k]
				sn[k], cs[k] = sn[k]*rc[k]+cs[k]*rs[k], cs[k]*rc[k]-sn[k]*rs[k]
			}
			g /= 2
			col := base
			if g > 0 {
				col = mix(base, s.crest, min(g, 1)*0.45)
			} else {
				col = mix(base, s.trough, min(-g, 1)*0.45)
			}
			c.put(i, col)
			if s.reflect > 0 {
				dx := (float64(x) - sx) / hw
				if dx > -1 && dx < 1 {
					k := 1 - dx*dx
					glint := clamp01(0.05 + 1.3*g)
					glint = (1-rough)*0.75 + rough*glint*glint
					c.screen(i, s.sunCol, s.reflect*k*k*fade*glint)
				}
			}
		}
	}
}

// beach adds a sandy shore in the foreground with a line of foam and darker wet sand along the water.
func (c *canvas) beach(r *rand.Rand) {
	shore := c.sineRidge(r, 0.82, 0.02)
	foam := c.H * 0.018
	for x := 0; x < c.w; x++ {
		s := shore[x]
		y0, y1 := span(s-foam, s, c.h)
		for y := y0; y < y1; y++ {
			t := 1 - (s-float64(y))/foam
			c.over(y*c.stride+x*4, hex(0xf4fbfb), 0.85*t*t)
		}
	}
	wet, dry, near := hex(0xc9a878), hex(0xf0dcb0), hex(0xe3c594)
	c.land(shore, func(x, y int) rgb {
		d := (float64(y) - shore[x]) / (c.H * 0.04)
		if d < 1 {
			return mix(wet, dry, smoothstep(0, 1, d))
		}
		return mix(dry, near, (float64(y)/c.H-0.84)/0.16)
	})
}

// mountainScene is a range of fractal peaks with snow caps, shaded by the slope of the ridge as if lit
// from the left, in front of a paler distant range; optionally with a lake that mirrors it all.
type mountainScene struct {
	sky                  []stop
	sunX, sunY, sunR     float64
	sunCol, glowCol      rgb
	far                  rgb
	rockLit, rockShade   rgb
	snowLit, snowShade   rgb
	clouds               int
	cloudLit, cloudSh    rgb
	lake                 bool
	water                rgb
	foreground, treeLine rgb
}

func mountains(c *canvas, r *rand.Rand, s mountainScene) {
	c.sky(s.sky)
	if s.sunR > 0 {
		c.sun(s.sunX*c.W, s.sunY*c.H, s.sunR*c.H, s.sunCol, s.glowCol, c.H*0.6, 0.45)
	}
	for i := range s.clouds {
		cx := (0.45 + 0.4*float64(i)/float64(max(s.clouds-1, 1))) * c.W
		c.cloud(r, cx, (0.12+0.1*r.Float64())*c.H, (0.15+0.1*r.Float64())*c.W, s.cloudLit, s.cloudSh, 0.9)
	}
	horizon := 0.72
	if s.lake {
		horizon = 0.62
	}
	far := c.fractalRidge(r, horizon-0.05, 0.3, 3, 0.55)
	c.landGradient(far, s.far, mix(s.far, s.rockShade, 0.3), horizon-0.3, horizon)
	c.haze(horizon-0.25, horizon, s.far, 0.35)
	c.mountainRange(r, horizon, 0.42, 2, rangeStyle{s.rockLit, s.rockShade, s.snowLit, s.snowShade, horizon - 0.2})
	if s.lake {
		tl := make([]float64, c.w+1)
		for x := range tl {
			tl[x] = horizon * c.H
		}
		c.forest(r, tl, 0.035, 0.35, 0, 1, s.treeLine)
		c.mirror(horizon*c.H, s.water)
		fg := c.sineRidge(r, 0.97, 0.025)
		c.forest(r, fg, 0.22, 0.3, -0.02, 0.18, s.foreground)
		c.forest(r, fg, 0.17, 0.35, 0.86, 1.02, s.foreground)
		c.landGradient(fg, s.foreground, s.foreground.scale(0.7), 0.9, 1)
		return
	}
	fg := c.sineRidge(r, 0.9, 0.04)
	c.forest(r, fg, 0.1, 0.3, -0.02, 0.4, s.foreground.scale(0.75))
	c.forest(r, fg, 0.12, 0.3, 0.75, 1.02, s.foreground.scale(0.75))
	c.landGradient(fg, s.foreground, s.foreground.scale(0.6), 0.83, 1)
}

// rangeStyle colours a mountain range.
type rangeStyle struct {
	rockLit, rockShade rgb
	snowLit, snowShade rgb
	snowLine           float64 // altitude of the snow line, as a fraction of the height from the top
}

// mountainRange draws fractal peaks in the flat-shaded style of a travel poster: each peak has a
// sunlit face on the left and a shaded face on the right, split by a wandering crease that runs down
// from the summit. (Shading each column by the local slope was tried first; it gives vertical streaks
// that look like rain.) Snow covers everything above a ragged snow line at a fixed altitude, so only
// the high summits get caps.
func (c *canvas) mountainRange(r *rand.Rand, base, amp float64, peaks int, st rangeStyle) {
	top := c.fractalRidge(r, base, amp, peaks, 0.55)
	wob := c.fractalRidge(r, 0, 0.045, 9, 0.75)
	// Summits: the highest column in each peak's stretch of the profile.
	type summit struct{ x, y float64 }
	segs := 2 * peaks
	var ss []summit
	for j := 1; j < segs; j += 2 {
		best := (j - 1) * c.w / segs
		for x := best; x <= (j+1)*c.w/segs; x++ {
			if top[x] < top[best] {
				best = x
			}
		}
		ss = append(ss, summit{float64(best), top[best]})
	}
	// wander makes a line that starts at (x0, y0) and runs down the picture, leaning to one side and
	// wandering with two slow sine waves; rows above y0 keep x0.
	wander := func(x0, y0, lean float64) []float64 {
		f1, f2 := (3+4*r.Float64())/c.H, (9+8*r.Float64())/c.H
		p1, p2 := r.Float64()*6.3, r.Float64()*6.3
		line := make([]float64, c.h)
		for y := range line {
			dy := max(float64(y)-y0, 0)
			line[y] = x0 + lean*dy + c.H*0.012*(math.Sin(dy*f1+p1)+0.5*math.Sin(dy*f2+p2))*clamp01(dy/(c.H*0.05))
		}
		return line
	}
	// crease[k]: the edge between the lit and the shaded face of summit k.
	// valley[k]: the gully between summit k and k+1, running down from the saddle (the lowest point
	// between them); it separates their faces.
	// lean picks a slope of at least lo to either side; a line straight down looks ruled.
	lean := func(lo, spread float64) float64 {
		l := lo + spread*r.Float64()
		if r.IntN(2) == 0 {
			return -l
		}
		return l
	}
	crease := make([][]float64, len(ss))
	valley := make([][]float64, len(ss)-1)
	for k, sm := range ss {
		crease[k] = wander(sm.x, sm.y, lean(0.1, 0.3))
		if k+1 < len(ss) {
			saddle := int(sm.x)
			for x := saddle; x <= int(ss[k+1].x); x++ {
				if top[x] > top[saddle] {
					saddle = x
				}
			}
			valley[k] = wander(float64(saddle), top[saddle], lean(0.15, 0.3))
		}
	}
	// lit tells how much pixel (x, y) is on a sunlit face, with a one-pixel blend across both kinds
	// of edge.
	lit := func(x, y int) float64 {
		fx := float64(x) + 0.5
		face := func(k int) float64 { return clamp01(crease[k][y] - fx + 0.5) }
		k := 0
		for k < len(valley) && valley[k][y] <= fx {
			k++
		}
		if k > 0 {
			if d := fx - valley[k-1][y]; d < 0.5 {
				return face(k-1) + (face(k)-face(k-1))*(d+0.5)
			}
		}
		if k < len(valley) {
			if d := valley[k][y] - fx; d < 0.5 {
				return face(k+1) + (face(k)-face(k+1))*(d+0.5)
			}
		}
		return face(k)
	}
	snowY := st.snowLine * c.H
	depth := c.H * amp
	c.land(top, func(x, y int) rgb {
		fy := float64(y)
		lit := lit(x, y)
		// Lower slopes are darker: less sky light reaches them.
		fade := 1 - 0.3*clamp01((fy-(base*c.H-depth))/depth)
		rock := mix(st.rockShade, st.rockLit, lit).scale(fade)
		snow := clamp01((snowY+wob[x]-fy)/(c.u()*1.5) + 0.5)
		if snow == 0 {
			return rock
		}
		return mix(rock, mix(st.snowShade, st.snowLit, lit), snow)
	})
}

// mirror reflects everything above row yw into the water below it, darkened and tinted towards the
// water colour with depth, and shifted sideways a little per row as if by gentle ripples.
func (c *canvas) mirror(yw float64, water rgb) {
	w0 := int(yw)
	for y := w0; y < c.h; y++ {
		d := float64(y-w0) / float64(c.h-w0)
		sy := max(2*w0-y-1, 0)
		shift := int(math.Round(c.u() * 3 * (0.3 + d) * math.Sin(float64(y-w0)/(c.u()*(1.5+6*d)))))
		amount := 0.25 + 0.45*d
		i := y * c.stride
		src := sy * c.stride
		for x := 0; x < c.w; x, i = x+1, i+4 {
			sx := min(max(x+shift, 0), c.w-1)
			p := c.pix[src+sx*4 : src+sx*4+3 : src+sx*4+3]
			col := mix(rgb{float64(p[0]), float64(p[1]), float64(p[2])}, water, amount)
			c.put(i, col.scale(0.92))
		}
	}
	// A faint light line where the water meets the far shore.
	c.rect(0, yw, c.W, yw+c.u()*1.5, hex(0xffffff), 0.15)
}

// pineForest is misty layers of fir-covered hills fading into a pale sky.
func pineForest(c *canvas, r *rand.Rand) {
	c.sky([]stop{{0, hex(0xa9c6cf)}, {0.45, hex(0xdde8df)}, {0.6, hex(0xf1ede0)}})
	c.sun(0.66*c.W, 0.3*c.H, 0.05*c.H, hex(0xfffbee), hex(0xfff3d8), c.H*0.6, 0.5)
	layers := []rgb{hex(0xa6bdb9), hex(0x85a39c), hex(0x5f857b), hex(0x3b6357), hex(0x1f4038)}
	for i, col := range layers {
		t := float64(i) / float64(len(layers)-1)
		base := 0.5 + 0.4*t
		top := c.sineRidge(r, base, 0.03+0.03*t)
		// Trees first, then the hill over their sunken feet, so the trunks blend into the slope.
		c.forest(r, top, 0.05+0.13*t*t, 0.32, -0.05, 1.05, col)
		c.landGradient(top, col, col.scale(0.85), base-0.05, base+0.2)
		if i < len(layers)-1 {
			c.haze(base-0.04, base+0.14, hex(0xe8eee6), 0.45)
		}
	}
}

// campsite is a night under the Milky Way: dark mountains, fir trees and a tent glowing from inside,
// with a little campfire.
func campsite(c *canvas, r *rand.Rand) {
	c.sky([]stop{{0, hex(0x03121a)}, {0.45, hex(0x0a2a38)}, {0.7, hex(0x17495a)}, {0.8, hex(0x2d6a72)}})
	c.stars(r, 380, 0.75)
	c.milkyWay(r, 0.15, -0.05, 0.9, 0.8, 0.14, hex(0xd2ecf0), 0.34)
	m := c.fractalRidge(r, 0.74, 0.3, 3, 0.55)
	c.landGradient(m, hex(0x15343f), hex(0x0c2029), 0.45, 0.8)
	c.haze(0.6, 0.82, hex(0x22525c), 0.3)
	g := c.sineRidge(r, 0.86, 0.03)
	ground := hex(0x061318)
	c.forest(r, g, 0.2, 0.3, -0.03, 0.25, ground)
	c.forest(r, g, 0.16, 0.35, 0.83, 1.03, ground)
	c.landGradient(g, hex(0x0d242b), ground, 0.8, 1)
	// The tent: a lit orange triangle with a darker door, throwing a warm glow on the grass.
	tx, ty, th := 0.52*c.W, 0.88*c.H, 0.14*c.H
	c.glow(tx, ty, th*2.2, hex(0xff9a4a), 0.35)
	c.poly([]vec{{tx, ty - th}, {tx + th*0.9, ty}, {tx - th*0.9, ty}}, hex(0xf0a050), 1)
	c.poly([]vec{{tx, ty - th}, {tx + th*0.9, ty}, {tx + th*0.25, ty}}, hex(0xd07a38), 1)
	c.poly([]vec{{tx, ty - th*0.55}, {tx + th*0.22, ty}, {tx - th*0.22, ty}}, hex(0x7a3a20), 1)
	// Campfire: a glow and a few flame tongues.
	fx, fy := 0.68*c.W, 0.93*c.H
	c.glow(fx, fy, c.H*0.16, hex(0xff8030), 0.55)
	for i, f := range [...][3]float64{{-0.012, 0.05, 0xff7a28}, {0.01, 0.04, 0xff9a30}, {0, 0.065, 0xffc850}} {
		w := c.H * 0.012
		x := fx + f[0]*c.H
		c.poly([]vec{{x, fy - f[1]*c.H}, {x + w, fy}, {x - w, fy}}, hex(uint32(f[2])), 0.9-0.1*float64(i))
	}
	c.line(fx-c.H*0.03, fy+c.H*0.008, fx+c.H*0.03, fy-c.H*0.002, c.H*0.008, c.H*0.008, hex(0x3a2418))
}

// fieldScene is a meadow full of flowers under a summer sky, with hills or snowy mountains behind.
type fieldScene struct {
	sky               []stop
	horizon           float64
	farGrass, grass   rgb
	hillA, hillB      rgb
	mountains         bool
	petals            []rgb
	centre            rgb
	clouds            int
	cloudLit, cloudSh rgb
}

func flowerField(c *canvas, r *rand.Rand, s fieldScene) {
	c.sky(s.sky)
	for i := range s.clouds {
		cx := (0.12 + 0.76*float64(i)/float64(max(s.clouds-1, 1)) + (r.Float64()-0.5)*0.1) * c.W
		c.cloud(r, cx, (0.12+0.18*r.Float64())*c.H, (0.16+0.1*r.Float64())*c.W, s.cloudLit, s.cloudSh, 0.95)
	}
	hz := s.horizon
	if s.mountains {
		c.mountainRange(r, hz, 0.25, 3, rangeStyle{s.hillA, s.hillB, hex(0xf6f8fc), hex(0xc4cde6), hz - 0.15})
	} else {
		h1 := c.sineRidge(r, hz-0.02, 0.03)
		c.landGradient(h1, s.hillA, s.hillA.scale(0.9), hz-0.08, hz)
		h2 := c.sineRidge(r, hz+0.01, 0.025)
		c.landGradient(h2, s.hillB, s.hillB.scale(0.9), hz-0.05, hz+0.02)
	}
	c.haze(hz-0.08, hz+0.02, gradient(s.sky, hz), 0.35)
	field := c.sineRidge(r, hz+0.03, 0.01)
	c.landGradient(field, s.farGrass, s.grass, hz, 1)
	// Grass blades, denser and larger towards the front.
	for range 1500 {
		fy, fx, fl := r.Float64(), r.Float64(), r.Float64()
		d := fy * fy
		y := (hz + 0.04 + (1-hz-0.04)*d) * c.H
		x := fx * c.W
		l := c.H * (0.008 + 0.05*d) * (0.6 + 0.8*fl)
		w := l * 0.12
		c.poly([]vec{{x - w, y}, {x + w, y}, {x + (fl-0.5)*l*0.5, y - l}}, mix(s.grass, s.farGrass, 0.3+0.4*fl).scale(0.85), 0.7)
	}
	// Flowers, placed back to front so nearer ones overlap farther ones; perspective makes them
	// both larger and sparser towards the viewer.
	const n = 900
	for i := range n {
		t := (float64(i) + r.Float64()) / n
		d := t * t
		y := (hz + 0.045 + (0.99-hz-0.045)*d) * c.H
		x := r.Float64() * c.W
		rad := c.H * (0.003 + 0.028*d)
		petal := s.petals[r.IntN(len(s.petals))]
		rot := r.Float64() * 2 * math.Pi
		if rad < 2.5*c.u() {
			c.disc(x, y, rad, petal, 1, 1)
			continue
		}
		for k := range 5 {
			a := rot + float64(k)*2*math.Pi/5
			c.disc(x+math.Cos(a)*rad*0.55, y+math.Sin(a)*rad*0.38, rad*0.45, mix(petal, hex(0xffffff), 0.15*math.Sin(a)), 1, 1)
		}
		c.disc(x, y, rad*0.28, s.centre, 1, 1)
	}
}

// crane draws a tower crane: a lattice mast standing on the ground at mx, a lattice jib at row top
// reaching left to tip, a counter-jib with counterweights reaching right to tail, a tower head with
// tie bars, the operator's cab, and a steel beam hanging from the hook. It returns the top of the
// tower head, where a night scene puts the red warning light.
func (c *canvas) crane(mx, ground, top, tip, tail float64, col rgb) vec {
	mw := (ground - top) * 0.05
	lw := max(mw*0.13, 0.6)
	thin := lw * 0.6
	l, rt := mx-mw/2, mx+mw/2
	c.line(l, ground, l, top, lw, lw, col)
	c.line(rt, ground, rt, top, lw, lw, col)
	for y, i := ground, 0; y > top+mw*0.5; y, i = y-mw, i+1 {
		c.line(l, y, rt, y, thin, thin, col)
		if i%2 == 0 {
			c.line(l, y, rt, y-mw, thin, thin, col)
		} else {
			c.line(rt, y, l, y-mw, thin, thin, col)
		}
	}
	jh := mw * 0.9
	jibTop := func(x float64) float64 { return top - jh*(0.25+0.75*(x-tip)/(l-tip)) }
	c.line(tip, top, tail, top, lw, lw, col)
	c.line(l, jibTop(l), tip, jibTop(tip), lw, lw, col)
	n := max(int((l-tip)/jh), 1)
	for k := 0; k < n; k++ {
		x0 := l - float64(k)*(l-tip)/float64(n)
		x1 := l - float64(k+1)*(l-tip)/float64(n)
		c.line(x0, top, x1, jibTop(x1), thin, thin, col)
		c.line(x1, jibTop(x1), x1, top, thin, thin, col)
	}
	// Counter-jib: a walkway with a rail, and concrete counterweights hanging at its end.
	c.line(rt, top-jh*0.6, tail, top-jh*0.6, lw, lw, col)
	c.rect(tail-mw*2.4, top-jh*0.6, tail-mw*0.2, top+mw*1.4, col, 1)
	c.rect(tail-mw*2.4, top+mw*1.4, tail-mw*0.2, top+mw*1.5, col.scale(1.4), 1)
	// Tower head and tie bars.
	apex := top - mw*4
	c.line(l, top-jh, mx, apex, lw, lw, col)
	c.line(rt, top-jh, mx, apex, lw, lw, col)
	c.line(mx, apex, tip+(l-tip)*0.3, jibTop(tip+(l-tip)*0.3), thin, thin, col)
	c.line(mx, apex, tail-mw*0.5, top-jh*0.6, thin, thin, col)
	// Cab, with a pale window catching the light.
	c.rect(rt, top+jh*0.1, rt+mw*1.2, top+mw*1.1, col, 1)
	c.rect(rt+mw*0.15, top+jh*0.25, rt+mw*1.05, top+mw*0.55, col.scale(2.2), 0.9)
	// Trolley, cables, hook block and the load.
	tx := tip + (l-tip)*0.35
	c.rect(tx-mw*0.4, top, tx+mw*0.4, top+mw*0.3, col, 1)
	hook := top + (ground-top)*0.42
	c.line(tx-mw*0.12, top, tx-mw*0.12, hook, thin*0.6, thin*0.6, col)
	c.line(tx+mw*0.12, top, tx+mw*0.12, hook, thin*0.6, thin*0.6, col)
	c.rect(tx-mw*0.25, hook, tx+mw*0.25, hook+mw*0.4, col, 1)
	by := hook + mw*1.8
	c.line(tx, hook+mw*0.4, tx-mw*2.2, by, thin*0.5, thin*0.5, col)
	c.line(tx, hook+mw*0.4, tx+mw*2.2, by, thin*0.5, thin*0.5, col)
	c.rect(tx-mw*3.2, by, tx+mw*3.2, by+mw*0.45, col, 1)
	return vec{mx, apex}
}

// frame draws a building under construction: the lower floors are clad with glass that catches the
// sky colour, the top floors are still a bare concrete frame of slabs and columns.
func (c *canvas) frame(x0, x1, ground, top float64, floors int, col, glass rgb) {
	fh := (ground - top) / float64(floors)
	slab := fh * 0.14
	colW := fh * 0.16
	bays := max(int((x1-x0)/(fh*1.4)), 1)
	clad := floors - 3
	c.rect(x0, ground-float64(clad)*fh, x1, ground, col, 1)
	for f := 0; f < clad; f++ {
		y := ground - float64(f+1)*fh
		for b := 0; b < bays; b++ {
			bx := x0 + (x1-x0)*float64(b)/float64(bays)
			bw := (x1 - x0) / float64(bays)
			c.rect(bx+colW, y+slab*1.2, bx+bw-colW*0.3, y+fh-slab*0.2, glass, 0.55+0.1*hash2(f, b))
		}
	}
	for f := clad; f <= floors; f++ {
		y := ground - float64(f)*fh
		c.rect(x0-colW*0.3, y-slab, x1+colW*0.3, y, col, 1)
	}
	for b := 0; b <= bays; b++ {
		x := x0 + (x1-x0)*float64(b)/float64(bays)
		c.rect(x-colW/2, top-slab, x+colW/2, ground-float64(clad)*fh, col, 1)
		// Reinforcing bars poking out of the top columns, waiting for the next floor.
		c.rect(x-colW*0.25, top-slab-fh*0.25, x-colW*0.15, top-slab, col, 1)
		c.rect(x+colW*0.15, top-slab-fh*0.25, x+colW*0.25, top-slab, col, 1)
	}
}

// buildings draws a row of blocks standing on row ground, heights and widths as fractions of the height.
// windows > 0 gives them a grid of windows of which that fraction is lit.
func (c *canvas) buildings(r *rand.Rand, ground, minH, maxH, minW, maxW float64, col rgb, windows float64, lit rgb) {
	x := -r.Float64() * maxW * c.H * 0.5
	u := c.u()
	for x < c.W {
		bw := (minW + r.Float64()*(maxW-minW)) * c.H
		bh := (minH + r.Float64()*(maxH-minH)) * c.H
		top := ground - bh
		shade := col.scale(0.9 + 0.2*r.Float64())
		c.rect(x, top, x+bw, ground+1, shade, 1)
		switch roof := r.Float64(); {
		case roof < 0.3:
			c.rect(x+bw*0.2, top-bh*0.07, x+bw*0.8, top, shade, 1)
		case roof < 0.5:
			c.rect(x+bw*0.5-u*2, top-bh*0.22, x+bw*0.5+u*2, top, shade, 1)
		}
		if windows > 0 {
			ww, wh, gx, gy := 14*u, 18*u, 11*u, 14*u
			margin := 14 * u
			cols := int((bw - 2*margin + gx) / (ww + gx))
			x0 := x + (bw-float64(cols)*(ww+gx)+gx)/2
			for wy := top + margin*1.5; wy+wh < ground-margin*2; wy += wh + gy {
				for k := range cols {
					wx := x0 + float64(k)*(ww+gx)
					if f := r.Float64(); f < windows {
						c.rect(wx, wy, wx+ww, wy+wh, mix(lit, hex(0xfff4d6), f/windows*0.6), 0.95)
					} else {
						c.rect(wx, wy, wx+ww, wy+wh, shade.scale(1.35), 0.8)
					}
				}
			}
		}
		x += bw * (0.75 + 0.35*r.Float64())
	}
}

// city is a skyline at dusk or at night, with a crane working on one more tower.
func city(c *canvas, r *rand.Rand, night bool) {
	ground := 0.93 * c.H
	if night {
		c.sky([]stop{{0, hex(0x0b0720)}, {0.45, hex(0x24184a)}, {0.7, hex(0x4a2c6a)}, {0.92, hex(0xb0687a)}})
		c.stars(r, 250, 0.6)
		c.moon(0.2*c.W, 0.16*c.H, 0.045*c.H, hex(0xfdf6e0))
		c.glow(0.5*c.W, ground, c.H*0.9, hex(0xff9a6a), 0.22)
		c.buildings(r, ground, 0.2, 0.48, 0.06, 0.13, hex(0x35295e), 0, rgb{})
		// The crane is floodlit from the site below, so it shows warm against the night sky.
		c.glow(0.72*c.W, 0.3*c.H, c.H*0.35, hex(0xffc070), 0.12)
		apex := c.crane(0.78*c.W, ground, 0.22*c.H, 0.5*c.W, 0.9*c.W, hex(0xb08850))
		c.glow(apex.x, apex.y, c.H*0.025, hex(0xff2020), 0.9)
		c.disc(apex.x, apex.y, c.H*0.004, hex(0xff6060), 1, 1)
		c.buildings(r, ground, 0.12, 0.45, 0.08, 0.16, hex(0x150f2e), 0.55, hex(0xffc86a))
	} else {
		c.sky([]stop{{0, hex(0x2a3a78)}, {0.35, hex(0x6d5c9e)}, {0.62, hex(0xe3828a)}, {0.8, hex(0xffb27a)}, {0.9, hex(0xffd29a)}})
		c.sun(0.3*c.W, 0.84*c.H, 0.06*c.H, hex(0xfff1c8), hex(0xffb070), c.H*0.8, 0.55)
		c.cloud(r, 0.2*c.W, 0.2*c.H, 0.3*c.W, hex(0xffc0a0), hex(0x9a6a9a), 0.8)
		// The crane stands behind the far row of towers, which hides the foot of its mast.
		c.crane(0.64*c.W, ground, 0.24*c.H, 0.42*c.W, 0.74*c.W, hex(0x5a4273))
		c.buildings(r, ground, 0.18, 0.42, 0.06, 0.13, hex(0x7a5a8e), 0, rgb{})
		c.buildings(r, ground, 0.1, 0.4, 0.08, 0.16, hex(0x2c2344), 0.3, hex(0xffc878))
	}
	c.rect(0, ground, c.W, c.H, hex(0x0c0c18), 1)
}

// craneSite is a tower crane and a half-built block against a clear sunrise.
func craneSite(c *canvas, r *rand.Rand) {
	c.sky([]stop{{0, hex(0x6fa8d6)}, {0.45, hex(0xbfd9e6)}, {0.72, hex(0xfbe3b8)}, {0.88, hex(0xffc58f)}})
	c.sun(0.63*c.W, 0.58*c.H, 0.055*c.H, hex(0xfffbe8), hex(0xffd090), c.H*0.7, 0.6)
	c.buildings(r, 0.92*c.H, 0.06, 0.2, 0.05, 0.12, hex(0xc7b4b0), 0, rgb{})
	c.haze(0.7, 0.92, hex(0xffe0c0), 0.3)
	site := hex(0x2a2638)
	c.frame(0.06*c.W, 0.4*c.W, 0.92*c.H, 0.42*c.H, 10, hex(0x3c3650), hex(0xf0c8a0))
	c.crane(0.52*c.W, 0.92*c.H, 0.16*c.H, 0.05*c.W, 0.72*c.W, site)
	c.crane(0.86*c.W, 0.92*c.H, 0.5*c.H, 0.7*c.W, 0.93*c.W, hex(0x9a8a9a))
	c.rect(0, 0.92*c.H, c.W, c.H, hex(0x3a3040), 1)
	c.rect(0, 0.92*c.H, c.W, 0.925*c.H, hex(0x6a5660), 1)
}

// ---------------------------------------------------------------------------------------------
// Patterns. These loop over pixels directly; any anti-aliasing is a blend over one pixel at edges.

// checkerboard is the Queen of Hearts' floor: red and cream tiles with a soft bevel, lit from the
// top left.
func checkerboard(c *canvas, a, b rgb) {
	tile := c.H / 6
	bevel := 0.09
	for y := 0; y < c.h; y++ {
		fy := (float64(y) + 0.5) / tile
		ty := math.Floor(fy)
		ly := fy - ty
		// Bevel: lighter along the top and left edges, darker along the bottom and right.
		by := clamp01(1-ly/bevel) - clamp01(1-(1-ly)/bevel)
		i := y * c.stride
		for x := 0; x < c.w; x, i = x+1, i+4 {
			fx := (float64(x) + 0.5) / tile
			tx := math.Floor(fx)
			lx := fx - tx
			col := a
			if (int(tx)+int(ty))%2 == 0 {
				col = b
			}
			shade := 1 + 0.16*(by+clamp01(1-lx/bevel)-clamp01(1-(1-lx)/bevel))
			light := 1.08 - 0.2*(float64(x)/c.W*0.6+float64(y)/c.H*0.4)
			c.put(i, col.scale(shade*light))
		}
	}
}

// candyStripes is wavy vertical stripes in pastel colours with thin white piping.
func candyStripes(c *canvas, cols []rgb) {
	period := c.H / 7
	white := hex(0xfffaf2)
	pipe := period * 0.06
	n := len(cols)
	for y := 0; y < c.h; y++ {
		off := c.H * 0.04 * math.Sin(float64(y)/c.H*2*math.Pi*1.5)
		i := y * c.stride
		for x := 0; x < c.w; x, i = x+1, i+4 {
			u := (float64(x) + 0.5 + off) / period
			k := int(math.Floor(u))
			f := (u - float64(k)) * period // position inside the stripe, in pixels
			col := cols[((k%n)+n)%n]
			// soft rounded shading across each stripe, like a ribbon
			s := (f/period - 0.5) * 2
			col = col.scale(1.04 - 0.1*s*s)
			// White piping at the start of each stripe, blended over one pixel at both of its edges.
			if w := clamp01(pipe+0.5-f) + clamp01(f-(period-0.5)); w > 0 {
				col = mix(col, white, min(w, 1))
			}
			c.put(i, col)
		}
	}
}

// rings is concentric circles in a warm-to-cool palette that runs out and back again.
func rings(c *canvas, cols []rgb) {
	cx, cy := 0.42*c.W, 0.55*c.H
	width := c.H / 16
	n := len(cols)
	// pp walks the palette out and back (0 1 2 3 4 3 2 1 0 ...), so neighbouring rings are always
	// related colours and there is no hard jump from the last colour to the first.
	pp := func(k int) rgb {
		m := k % (2*n - 2)
		if m >= n {
			m = 2*n - 2 - m
		}
		return cols[m]
	}
	for y := 0; y < c.h; y++ {
		dy := float64(y) + 0.5 - cy
		i := y * c.stride
		for x := 0; x < c.w; x, i = x+1, i+4 {
			dx := float64(x) + 0.5 - cx
			u := math.Sqrt(dx*dx+dy*dy) / width
			k := int(u)
			f := u - float64(k)
			col := pp(k).scale(1.06 - 0.12*f)
			// Blend the first pixel of each ring with the ring inside it, for a smooth edge.
			if e := f * width; e < 1 && k > 0 {
				col = mix(pp(k-1).scale(0.94), col, e)
			}
			c.put(i, col)
		}
	}
}

// polkaDots is staggered rows of dots in a few colours on a dark ground, each with a soft shadow.
func polkaDots(c *canvas, bg rgb, cols []rgb) {
	c.sky([]stop{{0, bg.scale(1.1)}, {1, bg.scale(0.85)}})
	cell := c.H / 6.5
	rad := cell * 0.3
	for row := -1; float64(row)*cell < c.H+cell; row++ {
		for col := -1; float64(col)*cell < c.W+cell; col++ {
			x := (float64(col) + 0.5 + 0.5*float64(row&1)) * cell
			y := (float64(row) + 0.5) * cell
			c.disc(x+rad*0.15, y+rad*0.2, rad*1.02, hex(0x000000), 0.35, rad*0.3)
			k := int(hash2(row, col) * float64(len(cols)))
			k = min(k, len(cols)-1)
			c.disc(x, y, rad, cols[k], 1, 1)
			c.glow(x-rad*0.3, y-rad*0.35, rad*0.7, hex(0xffffff), 0.35)
		}
	}
}

// bricks is a sunlit wall in running bond with recessed mortar and slightly varied bricks.
func bricks(c *canvas) {
	bh := c.H / 15
	bw := bh * 2.7
	mortar := bh * 0.13
	pal := []rgb{hex(0xa84a32), hex(0xb9583c), hex(0x92402c), hex(0xc26a4a), hex(0x9c4a36)}
	mcol := hex(0xd8cfc0)
	for y := 0; y < c.h; y++ {
		fy := float64(y) + 0.5
		row := int(fy / bh)
		ly := fy - float64(row)*bh
		off := float64(row%2) * bw / 2
		i := y * c.stride
		for x := 0; x < c.w; x, i = x+1, i+4 {
			fx := float64(x) + 0.5 + off
			cl := int(fx / bw)
			lx := fx - float64(cl)*bw
			h := hash2(row, cl)
			brick := pal[int(h*float64(len(pal)-1)+0.5)].scale(0.92 + 0.16*hash2(cl, row+7))
			// Each brick is a touch lighter at its top edge and darker at the bottom.
			brick = brick.scale(1.06 - 0.12*(ly-mortar)/(bh-mortar))
			// The mortar is recessed, so the brick above shades its top part.
			m := mcol.scale(0.7 + 0.3*clamp01(ly/mortar))
			t := clamp01(min(ly, lx) - mortar + 0.5)
			col := mix(m, brick, t)
			light := 1.12 - 0.3*(float64(x)/c.W*0.6+float64(y)/c.H*0.4)
			c.put(i, col.scale(light))
		}
	}
}
