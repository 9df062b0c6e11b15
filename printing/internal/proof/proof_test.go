package proof

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"strings"
	"testing"

	"golang.org/x/image/math/fixed"
)

// Test images are generated, never loaded from files, so every expected colour is known.

// solid is a w x h photo of one colour.
func solid(w, h int, c color.RGBA) *image.RGBA {
	m := image.NewRGBA(image.Rect(0, 0, w, h))
	for i := 0; i < len(m.Pix); i += 4 {
		m.Pix[i], m.Pix[i+1], m.Pix[i+2], m.Pix[i+3] = c.R, c.G, c.B, c.A
	}
	return m
}

// gradient is a w x h photo whose colour changes in both directions, like a real photo's
// detail, so scaling and JPEG encoding have work to do.
func gradient(w, h int) *image.RGBA {
	m := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			m.SetRGBA(x, y, color.RGBA{uint8(x * 255 / w), uint8(y * 255 / h), uint8((x + y) % 256), 0xff})
		}
	}
	return m
}

// asDownloaded round-trips m through JPEG, because photos arrive as JPEGs and decode to
// *image.YCbCr, which takes a different scaling path than *image.RGBA.
func asDownloaded(tb testing.TB, m image.Image) image.Image {
	tb.Helper()
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, m, &jpeg.Options{Quality: 90}); err != nil {
		tb.Fatal(err)
	}
	img, err := jpeg.Decode(&buf)
	if err != nil {
		tb.Fatal(err)
	}
	return img
}

var (
	red  = color.RGBA{0xd0, 0x20, 0x20, 0xff}
	blue = color.RGBA{0x20, 0x50, 0xb0, 0xff}
)

func mustSize(tb testing.TB, name string) Size {
	tb.Helper()
	s, ok := SizeByName(name)
	if !ok {
		tb.Fatalf("SizeByName(%q) not found", name)
	}
	return s
}

// render renders prints and decodes the sheet, returning it with the layout Render used.
func render(t *testing.T, prints []Print) (image.Image, layout) {
	t.Helper()
	out, err := Render(prints)
	if err != nil {
		t.Fatalf("Render: %v", err)
	}
	sheet, err := jpeg.Decode(bytes.NewReader(out))
	if err != nil {
		t.Fatalf("Render's output does not decode as JPEG: %v", err)
	}
	return sheet, layoutSheet(prints)
}

// luma is the brightness of the pixel at x, y, 0 (black) to 255 (white).
func luma(img image.Image, x, y int) int {
	r, g, b, _ := img.At(x, y).RGBA()
	return int((299*r + 587*g + 114*b) / 1000 >> 8)
}

// near reports whether the pixel at x, y is within tol of c in every channel; JPEG moves
// colours a little, never far.
func near(img image.Image, x, y int, c color.RGBA, tol int) bool {
	r, g, b, _ := img.At(x, y).RGBA()
	d := func(a uint32, b uint8) int { return max(int(a>>8)-int(b), int(b)-int(a>>8)) }
	return d(r, c.R) <= tol && d(g, c.G) <= tol && d(b, c.B) <= tol
}

const (
	darkBelow  = 100 // luma of a pixel that counts as ink
	whiteAbove = 225 // luma of a pixel that counts as bare paper
)

func TestSizeByNameFindsOnlySoldSizes(t *testing.T) {
	tests := []struct {
		name   string
		want   Size
		wantOK bool
	}{
		{"4x6", Size{"4x6", 4, 6}, true},
		{"5x7", Size{"5x7", 5, 7}, true},
		{"8x10", Size{"8x10", 8, 10}, true},
		{"6x4", Size{}, false},
		{"8X10", Size{}, false},
		{"", Size{}, false},
	}
	for _, tt := range tests {
		got, ok := SizeByName(tt.name)
		if got != tt.want || ok != tt.wantOK {
			t.Errorf("SizeByName(%q) = %v, %v; want %v, %v", tt.name, got, ok, tt.want, tt.wantOK)
		}
	}
}

func TestCropKeepsCentreAndExactAspect(t *testing.T) {
	tests := []struct {
		name string
		src  image.Rectangle
		w, h int
		want image.Rectangle
	}{
		{"landscape source to portrait paper trims the sides", image.Rect(0, 0, 1600, 1200), 4, 6, image.Rect(400, 0, 1200, 1200)},
		{"landscape source to landscape paper trims top and bottom", image.Rect(0, 0, 1600, 1200), 600, 400, image.Rect(0, 66, 1600, 1133)},
		{"portrait source wider than paper trims the sides", image.Rect(0, 0, 1200, 1600), 4, 6, image.Rect(66, 0, 1133, 1600)},
		{"tall portrait source trims top and bottom", image.Rect(0, 0, 400, 1000), 400, 600, image.Rect(0, 200, 400, 800)},
		{"square source to 8x10 trims the sides", image.Rect(0, 0, 1000, 1000), 8, 10, image.Rect(100, 0, 900, 1000)},
		{"square source to square keeps everything", image.Rect(0, 0, 300, 300), 5, 5, image.Rect(0, 0, 300, 300)},
		{"exact-fit source is kept whole", image.Rect(0, 0, 400, 600), 4, 6, image.Rect(0, 0, 400, 600)},
		{"exact-fit source at a multiple is kept whole", image.Rect(0, 0, 1000, 1400), 500, 700, image.Rect(0, 0, 1000, 1400)},
		{"offset source stays in its own coordinates", image.Rect(100, 50, 1700, 1250), 4, 6, image.Rect(500, 50, 1300, 1250)},
		{"negative origin is handled", image.Rect(-800, -600, 800, 600), 8, 10, image.Rect(-480, -600, 480, 600)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Crop(tt.src, tt.w, tt.h)
			if got != tt.want {
				t.Errorf("Crop(%v, %d, %d) = %v, want %v", tt.src, tt.w, tt.h, got, tt.want)
			}
			// The rules behind the table, checked on their own so a wrong "want" cannot hide a bug.
			if !got.In(tt.src) {
				t.Errorf("crop %v is not inside the source %v", got, tt.src)
			}
			if dx := (got.Min.X + got.Max.X) - (tt.src.Min.X + tt.src.Max.X); dx < -1 || dx > 1 {
				t.Errorf("crop %v is off centre horizontally in %v", got, tt.src)
			}
			if dy := (got.Min.Y + got.Max.Y) - (tt.src.Min.Y + tt.src.Max.Y); dy < -1 || dy > 1 {
				t.Errorf("crop %v is off centre vertically in %v", got, tt.src)
			}
			// Exact up to rounding one side to a whole pixel.
			if e := got.Dx()*tt.h - got.Dy()*tt.w; e < -max(tt.w, tt.h) || e > max(tt.w, tt.h) {
				t.Errorf("crop %v has aspect %d:%d, want %d:%d", got, got.Dx(), got.Dy(), tt.w, tt.h)
			}
			if got.Dx() != tt.src.Dx() && got.Dy() != tt.src.Dy() {
				t.Errorf("crop %v of %v trims all four sides; the largest crop keeps one dimension", got, tt.src)
			}
		})
	}
}

func TestCropWithoutAspectReturnsSource(t *testing.T) {
	tests := []struct {
		name string
		src  image.Rectangle
		w, h int
	}{
		{"zero width", image.Rect(0, 0, 100, 100), 0, 6},
		{"negative height", image.Rect(0, 0, 100, 100), 4, -6},
		{"empty source", image.Rectangle{}, 4, 6},
	}
	for _, tt := range tests {
		if got := Crop(tt.src, tt.w, tt.h); got != tt.src {
			t.Errorf("%s: Crop(%v, %d, %d) = %v, want the source back", tt.name, tt.src, tt.w, tt.h, got)
		}
	}
}

func TestRenderOutputDecodesAsJPEGOfTheLayoutSize(t *testing.T) {
	tests := []struct {
		name   string
		prints []Print
	}{
		{"one print", []Print{{Title: "One", Image: gradient(120, 180), Size: mustSize(t, "4x6"), Copies: 1}}},
		{"every size", []Print{
			{Title: "A", Image: gradient(160, 120), Size: mustSize(t, "4x6"), Copies: 1},
			{Title: "B", Image: gradient(120, 160), Size: mustSize(t, "5x7"), Copies: 2},
			{Title: "C", Image: asDownloaded(t, gradient(200, 200)), Size: mustSize(t, "8x10"), Copies: 3},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sheet, l := render(t, tt.prints)
			if got := sheet.Bounds().Size(); got != l.size {
				t.Errorf("sheet is %v, layout says %v", got, l.size)
			}
		})
	}
}

func TestRenderSheetFitsTheLayout(t *testing.T) {
	s46, s810 := mustSize(t, "4x6"), mustSize(t, "8x10")
	many := func(n int, s Size, img image.Image) []Print {
		ps := make([]Print, n)
		for i := range ps {
			ps[i] = Print{Title: fmt.Sprint("P", i), Image: img, Size: s, Copies: 1}
		}
		return ps
	}
	var mixed []Print // every size in both orientations, so rows end at many different widths
	for i := range 24 {
		img := image.Image(solid(40, 30, blue))
		if i%2 == 1 {
			img = solid(30, 40, blue)
		}
		mixed = append(mixed, Print{Title: fmt.Sprint("M", i), Image: img, Size: Sizes[i/2%len(Sizes)], Copies: 1})
	}
	tests := []struct {
		name         string
		prints       []Print
		minW, minH   int // the papers with their bleed must fit
		wantRows     int
		wantCellSize []image.Point
	}{
		{
			name:         "single 4x6 portrait print from a portrait photo",
			prints:       many(1, s46, solid(30, 40, blue)),
			minW:         400 + 2*bleed,
			minH:         600 + 2*bleed + labelHeight,
			wantRows:     1,
			wantCellSize: []image.Point{{400, 600}},
		},
		{
			name:         "two landscape 8x10s side by side",
			prints:       many(2, s810, solid(40, 30, blue)),
			minW:         2*(1000+2*bleed) + cellGap,
			minH:         800 + 2*bleed + labelHeight,
			wantRows:     1,
			wantCellSize: []image.Point{{1000, 800}, {1000, 800}},
		},
		{
			name:     "five landscape 8x10s wrap into three rows",
			prints:   many(5, s810, solid(40, 30, blue)),
			minW:     2*(1000+2*bleed) + cellGap,
			minH:     3*(800+2*bleed+labelHeight) + 2*rowGap,
			wantRows: 3,
		},
		{
			name:     "a dozen 4x6s wrap and stay under the width limit",
			prints:   many(12, s46, solid(30, 40, blue)),
			minW:     4 * (400 + 2*bleed),
			minH:     3 * (600 + 2*bleed + labelHeight),
			wantRows: 3,
		},
		{
			name:     "mixed sizes and orientations stay under the width limit",
			prints:   mixed,
			minW:     (1000 + 2*bleed) + cellGap + (800 + 2*bleed), // a landscape and a portrait 8x10
			minH:     10 * (400 + 2*bleed + labelHeight),
			wantRows: 10, // counted by hand: greedy rows of 3,2,3,2,2 twice over

		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sheet, l := render(t, tt.prints)
			b := sheet.Bounds()
			if b.Dx() < tt.minW || b.Dy() < tt.minH {
				t.Errorf("sheet is %dx%d, want at least %dx%d", b.Dx(), b.Dy(), tt.minW, tt.minH)
			}
			if b.Dx() > maxSheetWidth {
				t.Errorf("sheet is %d px wide, want at most %d", b.Dx(), maxSheetWidth)
			}
			rows := map[int]bool{}
			for i, c := range l.cells {
				rows[c.trim.Min.Y] = true
				if i < len(tt.wantCellSize) && c.trim.Size() != tt.wantCellSize[i] {
					t.Errorf("print %d paper is %v, want %v", i, c.trim.Size(), tt.wantCellSize[i])
				}
				// The whole cell, marks and label included, is on the sheet and clear of the
				// header rule.
				box := c.trim.Inset(-bleed).Union(c.label)
				if !box.In(b) || box.Min.Y <= l.rule {
					t.Errorf("print %d box %v is not inside the sheet %v below the header", i, box, b)
				}
				for j, d := range l.cells[:i] {
					if box.Overlaps(d.trim.Inset(-bleed).Union(d.label)) {
						t.Errorf("print %d overlaps print %d", i, j)
					}
				}
			}
			if len(rows) != tt.wantRows {
				t.Errorf("prints are in %d rows, want %d", len(rows), tt.wantRows)
			}
		})
	}
}

func TestRenderTurnsPaperToThePhotosOrientation(t *testing.T) {
	tests := []struct {
		name      string
		photo     image.Image
		size      string
		wantPaper image.Point
	}{
		{"landscape photo gets landscape 4x6", solid(300, 200, red), "4x6", image.Pt(600, 400)},
		{"landscape JPEG photo gets landscape 5x7", asDownloaded(t, solid(1600, 1200, red)), "5x7", image.Pt(700, 500)},
		{"portrait photo keeps portrait 4x6", solid(200, 300, red), "4x6", image.Pt(400, 600)},
		{"square photo prints portrait", solid(250, 250, red), "8x10", image.Pt(800, 1000)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sheet, l := render(t, []Print{{Title: "Orientation", Image: tt.photo, Size: mustSize(t, tt.size), Copies: 1}})
			trim := l.cells[0].trim
			// Measure the printed area on the pixels themselves: the run of the photo's colour
			// through the paper's centre, across and down.
			cx, cy := (trim.Min.X+trim.Max.X)/2, (trim.Min.Y+trim.Max.Y)/2
			across, down := 0, 0
			for x := sheet.Bounds().Min.X; x < sheet.Bounds().Max.X; x++ {
				if near(sheet, x, cy, red, 40) {
					across++
				}
			}
			for y := sheet.Bounds().Min.Y; y < sheet.Bounds().Max.Y; y++ {
				if near(sheet, cx, y, red, 40) {
					down++
				}
			}
			if got := image.Pt(across, down); got != tt.wantPaper {
				t.Errorf("printed area is %v px, want %v", got, tt.wantPaper)
			}
		})
	}
}

func TestRenderPhotoFillsThePaper(t *testing.T) {
	tests := []struct {
		name  string
		photo image.Image
		size  string
	}{
		{"wide panorama on 4x6", solid(900, 200, blue), "4x6"},
		{"tall strip on 5x7", solid(100, 500, blue), "5x7"},
		{"square on 8x10", solid(300, 300, blue), "8x10"},
		{"tiny photo is scaled up", solid(3, 2, blue), "4x6"},
		{"JPEG photo on 8x10", asDownloaded(t, solid(1600, 1200, blue)), "8x10"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sheet, l := render(t, []Print{{Title: "Fill", Image: tt.photo, Size: mustSize(t, tt.size), Copies: 1}})
			trim := l.cells[0].trim
			for y := trim.Min.Y; y < trim.Max.Y; y++ {
				for x := trim.Min.X; x < trim.Max.X; x++ {
					// Every pixel up to the very edge is photo, not paper.
					if !near(sheet, x, y, blue, 48) {
						t.Fatalf("pixel (%d,%d) inside the paper %v is %v, want the photo's %v", x, y, trim, sheet.At(x, y), blue)
					}
				}
			}
		})
	}
}

func TestRenderPrintsTheCentreOfThePhoto(t *testing.T) {
	// A tall photo, red at the top and bottom fifth and blue between: cropped to 4x6 it loses
	// exactly the red bands, so any red on the paper means an off-centre crop.
	photo := solid(400, 1000, red)
	for y := 200; y < 800; y++ {
		for x := range 400 {
			photo.SetRGBA(x, y, blue)
		}
	}
	sheet, l := render(t, []Print{{Title: "Centre", Image: photo, Size: mustSize(t, "4x6"), Copies: 1}})
	trim := l.cells[0].trim
	for y := trim.Min.Y; y < trim.Max.Y; y++ {
		for x := trim.Min.X; x < trim.Max.X; x++ {
			if !near(sheet, x, y, blue, 48) {
				t.Fatalf("pixel (%d,%d) is %v, want the photo's centre colour %v", x, y, sheet.At(x, y), blue)
			}
		}
	}
}

func TestRenderDrawsCropMarksOutsideTheTrimCorners(t *testing.T) {
	tests := []struct {
		name   string
		prints []Print
	}{
		{"portrait 4x6", []Print{{Title: "P", Image: solid(40, 60, red), Size: mustSize(t, "4x6"), Copies: 1}}},
		{"landscape 8x10 next to a 5x7", []Print{
			{Title: "L", Image: solid(60, 40, red), Size: mustSize(t, "8x10"), Copies: 1},
			{Title: "P", Image: solid(40, 60, blue), Size: mustSize(t, "5x7"), Copies: 1},
		}},
	}
	mid := markGap + markLen/2 // distance of a mark's middle from the trim
	gap := markGap / 2         // a point between the mark and the trim
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sheet, l := render(t, tt.prints)
			for i, c := range l.cells {
				// Each corner: the paper's corner pixel and the outward directions.
				corners := []struct {
					name   string
					x, y   int
					dx, dy int
				}{
					{"top left", c.trim.Min.X, c.trim.Min.Y, -1, -1},
					{"top right", c.trim.Max.X - 1, c.trim.Min.Y, 1, -1},
					{"bottom left", c.trim.Min.X, c.trim.Max.Y - 1, -1, 1},
					{"bottom right", c.trim.Max.X - 1, c.trim.Max.Y - 1, 1, 1},
				}
				for _, k := range corners {
					checks := []struct {
						what string
						x, y int
						dark bool
					}{
						{"horizontal mark, on the trim line", k.x + k.dx*mid, k.y, true},
						{"vertical mark, on the trim line", k.x, k.y + k.dy*mid, true},
						{"gap between horizontal mark and trim", k.x + k.dx*gap, k.y, false},
						{"gap between vertical mark and trim", k.x, k.y + k.dy*gap, false},
						{"diagonal outside the corner", k.x + k.dx*mid, k.y + k.dy*mid, false},
						{"beyond the mark's end", k.x + k.dx*(markGap+markLen+2), k.y, false},
					}
					for _, ch := range checks {
						v := luma(sheet, ch.x, ch.y)
						if ch.dark && v >= darkBelow {
							t.Errorf("print %d %s, %s at (%d,%d): luma %d, want a dark mark", i, k.name, ch.what, ch.x, ch.y, v)
						}
						if !ch.dark && v <= whiteAbove {
							t.Errorf("print %d %s, %s at (%d,%d): luma %d, want white", i, k.name, ch.what, ch.x, ch.y, v)
						}
					}
				}
			}
		})
	}
}

func TestRenderDrawsHeaderAndLabels(t *testing.T) {
	long := strings.Repeat("A very long title that goes on ", 10)
	prints := []Print{
		{Title: "Beach", Image: solid(60, 40, blue), Size: mustSize(t, "4x6"), Copies: 1},
		{Title: long, Image: solid(40, 60, blue), Size: mustSize(t, "4x6"), Copies: 12},
	}
	sheet, l := render(t, prints)
	inkIn := func(r image.Rectangle) (n int) {
		for y := r.Min.Y; y < r.Max.Y; y++ {
			for x := r.Min.X; x < r.Max.X; x++ {
				if luma(sheet, x, y) < darkBelow {
					n++
				}
			}
		}
		return n
	}
	header := image.Rect(sheetMargin, sheetMargin, l.size.X, sheetMargin+labelHeight*headerScale)
	if inkIn(header) == 0 {
		t.Errorf("no header text in %v", header)
	}
	for i, c := range l.cells {
		if inkIn(c.label) == 0 {
			t.Errorf("print %d: no label text in %v", i, c.label)
		}
		// The long title is cut, so nothing is written past the paper's right edge.
		beyond := image.Rect(c.label.Max.X, c.label.Min.Y, c.label.Max.X+cellGap, c.label.Max.Y)
		if n := inkIn(beyond); n > 0 {
			t.Errorf("print %d: label runs %d dark pixels past the paper into %v", i, n, beyond)
		}
	}
}

func TestLabelTextNamesSizeAndCopiesAndFitsThePaper(t *testing.T) {
	s46 := mustSize(t, "4x6")
	tests := []struct {
		name  string
		title string
		size  Size
		n     int
		maxW  int
		want  string
	}{
		{"one copy is singular", "Beach", s46, 1, 400, "Beach · 4x6 in · 1 copy"},
		{"more copies are plural", "Beach", mustSize(t, "8x10"), 99, 800, "Beach · 8x10 in · 99 copies"},
		{"missing title is Untitled", "", s46, 2, 400, "Untitled · 4x6 in · 2 copies"},
		{"long title is cut, size and copies kept", "Grandma's ninetieth birthday", s46, 2, 7 * 35, "Grandma's nine… · 4x6 in · 2 copies"},
		{"cut drops trailing spaces", "Grandma's nine  xx", s46, 2, 7 * 37, "Grandma's nine… · 4x6 in · 2 copies"},
		{"narrower than the tail cuts everything", "Beach", s46, 1, 7 * 10, "Beach · 4…"},
		{"non-ASCII counts per character", "Été à Nice, très chaud", s46, 1, 7 * 29, "Été à Nice… · 4x6 in · 1 copy"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := labelText(Print{Title: tt.title, Size: tt.size, Copies: tt.n}, tt.maxW)
			if got != tt.want {
				t.Errorf("labelText = %q, want %q", got, tt.want)
			}
			if w := textWidth(got); w > tt.maxW {
				t.Errorf("label %q is %d px wide, want at most %d", got, w, tt.maxW)
			}
		})
	}
}

func TestHeaderTextCountsPrints(t *testing.T) {
	for n, want := range map[int]string{1: "PrintShop proof · 1 print", 3: "PrintShop proof · 3 prints"} {
		if got := headerText(n); got != want {
			t.Errorf("headerText(%d) = %q, want %q", n, got, want)
		}
	}
}

func TestLabelFaceDrawsTheLabelPunctuation(t *testing.T) {
	// basicfont has only ASCII; without labelFace these would come out as replacement boxes.
	dot := fixed.P(10, 20)
	wantDr, box, boxp, _, _ := face.Face.Glyph(dot, '\ufffd')
	for _, r := range []rune{'·', '…'} {
		dr, mask, maskp, adv, ok := face.Glyph(dot, r)
		if !ok || (mask == box && maskp == boxp) {
			t.Errorf("glyph %q: ok=%v, replacement box=%v; want a real glyph", r, ok, mask == box && maskp == boxp)
		}
		if dr != wantDr || adv != fixed.I(face.Advance) {
			t.Errorf("glyph %q at %v, advance %v; want the basic face's cell %v, advance %v", r, dr, adv, wantDr, fixed.I(face.Advance))
		}
		if a, ok := face.GlyphAdvance(r); !ok || a != fixed.I(face.Advance) {
			t.Errorf("GlyphAdvance(%q) = %v, %v; want %v, true", r, a, ok, fixed.I(face.Advance))
		}
		if _, a, ok := face.GlyphBounds(r); !ok || a != fixed.I(face.Advance) {
			t.Errorf("GlyphBounds(%q) advance = %v, %v; want %v, true", r, a, ok, fixed.I(face.Advance))
		}
	}
}

func TestRenderRejectsBadOrders(t *testing.T) {
	good := Print{Title: "Good", Image: solid(40, 60, blue), Size: mustSize(t, "4x6"), Copies: 1}
	// bad puts the broken print second, so the error must name index 1 and its title.
	bad := func(edit func(p *Print)) []Print {
		p := good
		p.Title = "Beach"
		edit(&p)
		return []Print{good, p}
	}
	tooMany := make([]Print, maxPrints+1)
	for i := range tooMany {
		tooMany[i] = good
	}
	tests := []struct {
		name     string
		prints   []Print
		wantText []string
	}{
		{"no prints", nil, []string{"no prints"}},
		{"empty order", []Print{}, []string{"no prints"}},
		{"too many prints", tooMany, []string{"61 prints"}},
		{"nil image", bad(func(p *Print) { p.Image = nil }), []string{"print 1", `"Beach"`, "no image"}},
		{"zero-size image", bad(func(p *Print) { p.Image = image.NewRGBA(image.Rect(0, 0, 0, 0)) }), []string{"print 1", `"Beach"`, "empty image"}},
		{"zero-height image", bad(func(p *Print) { p.Image = image.NewRGBA(image.Rect(0, 0, 10, 0)) }), []string{"print 1", `"Beach"`, "empty image"}},
		{"zero copies", bad(func(p *Print) { p.Copies = 0 }), []string{"print 1", `"Beach"`, "0 copies"}},
		{"negative copies", bad(func(p *Print) { p.Copies = -2 }), []string{"print 1", `"Beach"`, "-2 copies"}},
		{"100 copies", bad(func(p *Print) { p.Copies = 100 }), []string{"print 1", `"Beach"`, "100 copies"}},
		{"size not sold", bad(func(p *Print) { p.Size = Size{"3x5", 3, 5} }), []string{"print 1", `"Beach"`, "3x5"}},
		{"sold name with wrong inches", bad(func(p *Print) { p.Size = Size{"4x6", 6, 4} }), []string{"print 1", `"Beach"`, "4x6"}},
		{"zero size", bad(func(p *Print) { p.Size = Size{} }), []string{"print 1", `"Beach"`, "size"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, err := Render(tt.prints)
			if err == nil {
				t.Fatalf("Render succeeded with %d bytes, want an error", len(out))
			}
			for _, s := range tt.wantText {
				if !strings.Contains(err.Error(), s) {
					t.Errorf("error %q does not mention %q", err, s)
				}
			}
		})
	}
	// The edges of the copies range are fine.
	for _, n := range []int{1, 99} {
		p := good
		p.Copies = n
		if _, err := Render([]Print{p}); err != nil {
			t.Errorf("Render with %d copies: %v", n, err)
		}
	}
}

func TestRenderIsDeterministic(t *testing.T) {
	prints := []Print{
		{Title: "Land", Image: asDownloaded(t, gradient(640, 480)), Size: mustSize(t, "4x6"), Copies: 1},
		{Title: "Port", Image: gradient(480, 640), Size: mustSize(t, "5x7"), Copies: 2},
		{Title: "Big", Image: gradient(500, 600), Size: mustSize(t, "8x10"), Copies: 3},
		{Title: "Again", Image: gradient(640, 480), Size: mustSize(t, "8x10"), Copies: 4},
	}
	first, err := Render(prints)
	if err != nil {
		t.Fatal(err)
	}
	// Several runs, because the prints are scaled concurrently and a race would show as an
	// occasional difference.
	for i := range 5 {
		again, err := Render(prints)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(first, again) {
			t.Fatalf("run %d produced a different JPEG (%d vs %d bytes)", i+2, len(again), len(first))
		}
	}
}

// BenchmarkRender renders the order the brief sets the speed goal for: three 8x10s from
// 1600x1200 photos, both as they arrive (JPEG-decoded YCbCr) and as plain RGBA.
func BenchmarkRender(b *testing.B) {
	s810 := mustSize(b, "8x10")
	for _, bc := range []struct {
		name  string
		photo image.Image
	}{
		{"three_8x10_from_1600x1200_jpeg", asDownloaded(b, gradient(1600, 1200))},
		{"three_8x10_from_1600x1200_rgba", gradient(1600, 1200)},
	} {
		b.Run(bc.name, func(b *testing.B) {
			prints := []Print{
				{Title: "One", Image: bc.photo, Size: s810, Copies: 1},
				{Title: "Two", Image: bc.photo, Size: s810, Copies: 2},
				{Title: "Three", Image: bc.photo, Size: s810, Copies: 3},
			}
			var n int
			for b.Loop() {
				out, err := Render(prints)
				if err != nil {
					b.Fatal(err)
				}
				n = len(out)
			}
			b.ReportMetric(float64(n)/1e6, "MB/sheet")
		})
	}
}
