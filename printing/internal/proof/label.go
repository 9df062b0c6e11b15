package proof

import (
	"image"
	"image/color"
	"strings"
	"unicode"

	"golang.org/x/image/draw"
	"golang.org/x/image/font"
	"golang.org/x/image/font/basicfont"
	"golang.org/x/image/math/fixed"
)

// labelFace is basicfont.Face7x13 plus the two non-ASCII glyphs our labels use, "·" and "…".
// The basic face holds ASCII only and would draw its replacement box for them, and pulling in
// a TrueType font just for two punctuation marks is not worth a dependency.
type labelFace struct{ *basicfont.Face }

// face is the single face every text on the sheet is drawn with.
var face = labelFace{basicfont.Face7x13}

// extraGlyphs are the masks of the glyphs labelFace adds, in the same 6x13 cell as the basic
// face (baseline at row 11), so they line up with the ASCII around them.
var extraGlyphs = map[rune]*image.Alpha{
	// A 2x2 dot at the middle of the x-height: the basic face's "." (a small plus) lifted up
	// reads as a bullet at this size.
	'·': glyphMask(
		"......",
		"......",
		"......",
		"......",
		"......",
		"......",
		"..##..",
		"..##..",
		"......",
		"......",
		"......",
		"......",
		"......",
	),
	// Three single-pixel dots on the baseline: the ellipsis has to fit one 7 px advance.
	'…': glyphMask(
		"......",
		"......",
		"......",
		"......",
		"......",
		"......",
		"......",
		"......",
		"......",
		"#.#.#.",
		"#.#.#.",
		"......",
		"......",
	),
}

// glyphMask turns a picture drawn with '#' (ink) and '.' (paper) into a glyph mask.
func glyphMask(rows ...string) *image.Alpha {
	m := image.NewAlpha(image.Rect(0, 0, len(rows[0]), len(rows)))
	for y, row := range rows {
		for x, c := range row {
			if c == '#' {
				m.SetAlpha(x, y, color.Alpha{A: 0xff})
			}
		}
	}
	return m
}

// Glyph implements font.Face, drawing the extra glyphs exactly where the basic face would put
// an ASCII one.
func (f labelFace) Glyph(dot fixed.Point26_6, r rune) (dr image.Rectangle, mask image.Image, maskp image.Point, advance fixed.Int26_6, ok bool) {
	m, found := extraGlyphs[r]
	if !found {
		return f.Face.Glyph(dot, r)
	}
	x := int(dot.X+32)>>6 + f.Left
	y := int(dot.Y+32) >> 6
	dr = image.Rect(x, y-f.Ascent, x+f.Width, y+f.Descent)
	return dr, m, image.Point{}, fixed.I(f.Advance), true
}

// GlyphBounds implements font.Face; the extra glyphs share the basic face's fixed cell.
func (f labelFace) GlyphBounds(r rune) (bounds fixed.Rectangle26_6, advance fixed.Int26_6, ok bool) {
	if _, found := extraGlyphs[r]; found {
		return fixed.R(0, -f.Ascent, f.Width, f.Descent), fixed.I(f.Advance), true
	}
	return f.Face.GlyphBounds(r)
}

// GlyphAdvance implements font.Face; the extra glyphs are as wide as every other glyph.
func (f labelFace) GlyphAdvance(r rune) (advance fixed.Int26_6, ok bool) {
	if _, found := extraGlyphs[r]; found {
		return fixed.I(f.Advance), true
	}
	return f.Face.GlyphAdvance(r)
}

// textWidth is the width in pixels of s drawn with face.
func textWidth(s string) int {
	return font.MeasureString(face, s).Ceil()
}

// truncate returns the longest prefix of s that, followed by "…" and suffix, is at most maxW
// pixels wide; ok is false if not even "…"+suffix fits. Trailing spaces of the prefix are
// dropped so the ellipsis hugs the last word.
func truncate(s, suffix string, maxW int) (_ string, ok bool) {
	// Walk the runes once, summing advances, rather than re-measuring ever shorter strings: a
	// pasted title can be long.
	budget := fixed.I(maxW) - font.MeasureString(face, "…"+suffix)
	if budget < 0 {
		return "", false
	}
	end, w := 0, fixed.Int26_6(0)
	for i, r := range s {
		a, _ := face.GlyphAdvance(r)
		if w+a > budget {
			break
		}
		w += a
		end = i + len(string(r))
	}
	return strings.TrimRightFunc(s[:end], unicode.IsSpace) + "…" + suffix, true
}

// drawText draws s in ink with its top-left corner at pt, scaled up by the whole number scale
// (the header is drawn twice as large as the labels to read as a heading).
func drawText(dst draw.Image, pt image.Point, s string, ink color.Color, scale int) {
	m := face.Metrics()
	h := (m.Ascent + m.Descent).Ceil()
	if scale <= 1 {
		d := font.Drawer{Dst: dst, Src: image.NewUniform(ink), Face: face, Dot: fixed.P(pt.X, pt.Y+m.Ascent.Ceil())}
		d.DrawString(s)
		return
	}
	// Render at 1x and blow the pixels up: the bitmap font has no larger size, and nearest
	// neighbour keeps its hard edges crisp instead of blurring them.
	txt := image.NewRGBA(image.Rect(0, 0, textWidth(s), h))
	drawText(txt, image.Point{}, s, ink, 1)
	dr := image.Rectangle{Min: pt, Max: pt.Add(txt.Bounds().Size().Mul(scale))}
	draw.NearestNeighbor.Scale(dst, dr, txt, txt.Bounds(), draw.Over, nil)
}
