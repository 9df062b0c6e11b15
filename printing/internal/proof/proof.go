// Package proof renders the print-ready proof of a print order: every print at its paper size,
// the photo cropped to the paper's aspect, with crop marks, on one JPEG sheet.
package proof

import (
	"bytes"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"runtime"
	"sync"

	"golang.org/x/image/draw"
)

// Size is a print size in inches, portrait: 4x6, 5x7 or 8x10.
type Size struct {
	Name              string
	WidthIn, HeightIn int
}

// Sizes are the print sizes PrintShop sells.
var Sizes = []Size{{"4x6", 4, 6}, {"5x7", 5, 7}, {"8x10", 8, 10}}

// SizeByName returns the size called name ("4x6", "5x7" or "8x10").
func SizeByName(name string) (Size, bool) {
	for _, s := range Sizes {
		if s.Name == name {
			return s, true
		}
	}
	return Size{}, false
}

// Print is one photo to print.
type Print struct {
	Title  string
	Image  image.Image // the full photo as downloaded
	Size   Size
	Copies int
}

// DPI is the resolution of the proof sheet: enough to judge the crop on screen, small enough to
// keep a proof of several 8x10s around a few megabytes.
const DPI = 100

// Sheet geometry, in pixels at DPI.
const (
	// bleed is the white margin around each paper, 0.25 in as at a print shop; the crop marks
	// live in it.
	bleed = DPI / 4
	// markGap keeps the crop marks off the trim, so a cut that is slightly off never shows
	// a sliver of mark on the print.
	markGap = 6
	// markLen keeps the marks short enough to stay inside the bleed.
	markLen = bleed - markGap - 4
	// sheetMargin is the white border around everything on the sheet.
	sheetMargin = 40
	// cellGap and rowGap separate neighbouring bleed boxes so prints do not read as one picture.
	cellGap = 24
	rowGap  = 16
	// labelGap separates the label from the bleed box above it.
	labelGap = 4
	// labelHeight is one line of basicfont.Face7x13.
	labelHeight = 13
	// headerScale draws the header at twice the label size so it reads as a heading.
	headerScale = 2
	// headerGap is the space under the header: the rule sits in its middle.
	headerGap = 24
	// maxSheetWidth keeps a proof viewable without horizontal scrolling and bounds the
	// sheet's memory; rows wrap before it.
	maxSheetWidth = 2400
	// maxPrints bounds the sheet (about 1.1 MB of pixels per 8x10) so a hostile or buggy order
	// cannot make Render allocate gigabytes.
	maxPrints = 60
	// jpegQuality is high enough that crop marks and label text stay crisp.
	jpegQuality = 85
)

// Colours of the sheet.
var (
	paperWhite = color.RGBA{0xff, 0xff, 0xff, 0xff}
	markInk    = color.RGBA{0x00, 0x00, 0x00, 0xff}
	textInk    = color.RGBA{0x22, 0x22, 0x22, 0xff}
	ruleInk    = color.RGBA{0xaa, 0xaa, 0xaa, 0xff}
)

// Render lays out every print on one sheet and encodes it as a JPEG.
func Render(prints []Print) ([]byte, error) {
	if err := validate(prints); err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, drawSheet(prints, layoutSheet(prints)), &jpeg.Options{Quality: jpegQuality}); err != nil {
		return nil, fmt.Errorf("proof: encode sheet: %w", err)
	}
	return buf.Bytes(), nil
}

// drawSheet draws the valid prints on a sheet laid out as l. It is separate from Render so the
// tests can check exact pixels before JPEG blurs them.
func drawSheet(prints []Print, l layout) *image.RGBA {
	sheet := image.NewRGBA(image.Rectangle{Max: l.size})
	draw.Draw(sheet, sheet.Bounds(), image.NewUniform(paperWhite), image.Point{}, draw.Src)

	// Scaling is nearly all of Render's time and every print writes only inside its own trim
	// box, so the prints scale in parallel without locks; the output stays byte-for-byte
	// deterministic because no two goroutines touch the same pixel. At most one scale runs
	// per CPU because each holds a float buffer of paper width x photo height (about 40 MB
	// for an 8x10 from a 1600x1200 photo): more at once would only add memory, not speed.
	var wg sync.WaitGroup
	slots := make(chan struct{}, runtime.GOMAXPROCS(0))
	for i, p := range prints {
		wg.Go(func() {
			slots <- struct{}{}
			defer func() { <-slots }()
			src := p.Image.Bounds()
			trim := l.cells[i].trim
			// Over, not Src: transparent parts of a PNG print as the paper's white instead of
			// black (x/image/draw switches to the faster Src itself for opaque photos).
			draw.CatmullRom.Scale(sheet, trim, p.Image, Crop(src, trim.Dx(), trim.Dy()), draw.Over, nil)
		})
	}
	wg.Wait()

	for i, p := range prints {
		c := l.cells[i]
		drawCropMarks(sheet, c.trim)
		drawText(sheet, c.label.Min, labelText(p, c.label.Dx()), textInk, 1)
	}
	drawText(sheet, l.header, headerText(len(prints)), textInk, headerScale)
	draw.Draw(sheet, image.Rect(sheetMargin, l.rule, l.size.X-sheetMargin, l.rule+1), image.NewUniform(ruleInk), image.Point{}, draw.Src)

	return sheet
}

// Crop returns the centred crop of src with the aspect ratio w:h (the part that will be printed).
// The crop is as large as possible, so only one pair of opposite edges is trimmed; its aspect is
// exact up to rounding to whole pixels. If w or h is not positive, or src is empty, src is
// returned unchanged because there is no aspect to crop to.
func Crop(src image.Rectangle, w, h int) image.Rectangle {
	sw, sh := src.Dx(), src.Dy()
	if w <= 0 || h <= 0 || sw <= 0 || sh <= 0 {
		return src
	}
	// Compare sw/sh with w/h by cross-multiplying in int64: exact, and no overflow for any
	// image that fits in memory.
	cw, ch := sw, sh
	if int64(sw)*int64(h) > int64(sh)*int64(w) {
		// Source is wider than the paper: keep the full height, trim the sides.
		cw = int((int64(sh)*int64(w) + int64(h)/2) / int64(h))
	} else {
		// Source is taller (or exactly right): keep the full width, trim top and bottom.
		ch = int((int64(sw)*int64(h) + int64(w)/2) / int64(w))
	}
	cw, ch = max(1, min(cw, sw)), max(1, min(ch, sh))
	x0 := src.Min.X + (sw-cw)/2
	y0 := src.Min.Y + (sh-ch)/2
	return image.Rect(x0, y0, x0+cw, y0+ch)
}

// validate rejects an order that cannot be printed, naming the first bad print by index and
// title so the customer can find it.
func validate(prints []Print) error {
	if len(prints) == 0 {
		return errors.New("proof: no prints to render")
	}
	if len(prints) > maxPrints {
		return fmt.Errorf("proof: %d prints in one order, at most %d fit on a proof", len(prints), maxPrints)
	}
	for i, p := range prints {
		var problem string
		switch {
		case p.Image == nil:
			problem = "has no image"
		case p.Image.Bounds().Empty():
			problem = fmt.Sprintf("has an empty image (%v)", p.Image.Bounds())
		case p.Copies < 1 || p.Copies > 99:
			problem = fmt.Sprintf("has %d copies, want 1 to 99", p.Copies)
		case !sold(p.Size):
			problem = fmt.Sprintf("has size %q (%dx%d in), which PrintShop does not sell", p.Size.Name, p.Size.WidthIn, p.Size.HeightIn)
		default:
			continue
		}
		return fmt.Errorf("proof: print %d %q %s", i, p.Title, problem)
	}
	return nil
}

// sold reports whether s is exactly one of Sizes: a right name with wrong inches is a bug
// upstream, and printing it at either would be a guess.
func sold(s Size) bool {
	for _, t := range Sizes {
		if s == t {
			return true
		}
	}
	return false
}

// layout is where everything goes on the sheet.
type layout struct {
	size   image.Point // the whole sheet
	header image.Point // top-left of the header text
	rule   int         // y of the hairline under the header
	cells  []cell      // one per print, in order
}

// cell is where one print goes.
type cell struct {
	trim  image.Rectangle // the paper: the photo fills exactly this
	label image.Rectangle // the label line under the bleed, as wide as the paper
}

// paperSize is the size of p's paper in pixels, turned to the photo's orientation so that a
// landscape photo is printed landscape instead of being cropped to a sliver.
func paperSize(p Print) image.Point {
	w, h := p.Size.WidthIn*DPI, p.Size.HeightIn*DPI
	if b := p.Image.Bounds(); b.Dx() > b.Dy() {
		w, h = h, w
	}
	return image.Pt(w, h)
}

// layoutSheet places the header and then the prints left to right, wrapping to a new row when
// the next one would pass maxSheetWidth. The sheet is only as wide as its widest row (or the
// header), so a single print does not float in a 2400 px expanse of white.
func layoutSheet(prints []Print) layout {
	l := layout{header: image.Pt(sheetMargin, sheetMargin)}
	headerH := labelHeight * headerScale
	l.rule = sheetMargin + headerH + headerGap/2
	top := sheetMargin + headerH + headerGap

	right := sheetMargin + textWidth(headerText(len(prints)))*headerScale
	x, y, rowH := sheetMargin, top, 0
	for _, p := range prints {
		paper := paperSize(p)
		w := paper.X + 2*bleed
		h := paper.Y + 2*bleed + labelGap + labelHeight
		// Wrap on the cell's right edge after it is aligned, so alignment can never push a row
		// past the limit.
		if x > sheetMargin && alignUp(x+bleed)-bleed+w > maxSheetWidth-sheetMargin {
			x, y, rowH = sheetMargin, y+rowH+rowGap, 0
		}
		trim := image.Rectangle{Min: image.Pt(alignUp(x+bleed), alignUp(y+bleed))}
		trim.Max = trim.Min.Add(paper)
		w += trim.Min.X - (x + bleed)
		h += trim.Min.Y - (y + bleed)
		labelTop := trim.Max.Y + bleed + labelGap
		l.cells = append(l.cells, cell{
			trim:  trim,
			label: image.Rect(trim.Min.X, labelTop, trim.Max.X, labelTop+labelHeight),
		})
		right = max(right, x+w)
		rowH = max(rowH, h)
		x += w + cellGap
	}
	l.size = image.Pt(right+sheetMargin, y+rowH+sheetMargin)
	return l
}

// jpegBlock is the JPEG encoder's block (MCU) size with 4:2:0 chroma subsampling.
const jpegBlock = 16

// alignUp rounds v up to the JPEG block grid. Trim boxes start on it so no block straddles
// the left or top trim edge, and since every paper is an even number of pixels no 2x2 chroma
// sample straddles the right or bottom edge: the photo keeps its true colours right up to the
// trim line instead of bleeding into the white, and the trim line is what a proof is for.
func alignUp(v int) int {
	return (v + jpegBlock - 1) / jpegBlock * jpegBlock
}

// drawCropMarks draws the two marks at each corner of trim: thin lines on the extension of
// the trim edges, outside the paper, which is where the guillotine cuts.
func drawCropMarks(dst *image.RGBA, trim image.Rectangle) {
	ink := image.NewUniform(markInk)
	line := func(r image.Rectangle) { draw.Draw(dst, r, ink, image.Point{}, draw.Src) }
	left, right := trim.Min.X, trim.Max.X-1 // the paper's outermost columns
	top, bottom := trim.Min.Y, trim.Max.Y-1 // and rows
	for _, y := range []int{top, bottom} {
		line(image.Rect(left-markGap-markLen, y, left-markGap, y+1))
		line(image.Rect(right+1+markGap, y, right+1+markGap+markLen, y+1))
	}
	for _, x := range []int{left, right} {
		line(image.Rect(x, top-markGap-markLen, x+1, top-markGap))
		line(image.Rect(x, bottom+1+markGap, x+1, bottom+1+markGap+markLen))
	}
}

// headerText is the line at the top of the sheet.
func headerText(n int) string {
	return "PrintShop proof · " + plural(n, "print", "prints")
}

// labelText is the line under a print, at most maxW pixels wide. When it is too wide the title
// is shortened rather than the end, because the size and copy count are what the customer
// checks on a proof.
func labelText(p Print, maxW int) string {
	title := p.Title
	if title == "" {
		title = "Untitled"
	}
	tail := " · " + p.Size.Name + " in · " + plural(p.Copies, "copy", "copies")
	if textWidth(title+tail) <= maxW {
		return title + tail
	}
	if s, ok := truncate(title, tail, maxW); ok {
		return s
	}
	// Not even the tail fits (no paper PrintShop sells is that narrow): cut the whole line.
	s, _ := truncate(title+tail, "", maxW)
	return s
}

// plural formats n with the right form of the noun.
func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}
