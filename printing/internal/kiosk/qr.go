package kiosk

import (
	"io"
	"strings"

	qrcode "github.com/yeqown/go-qrcode/v2"
)

// quietZone is the light border a scanner needs around a QR code, in modules (ISO/IEC 18004
// asks for 4; 2 is enough on a screen and keeps the code small in a terminal).
const quietZone = 2

// writeQR draws text as a QR code with half-block characters, two modules per character
// cell. The encoding is yeqown/go-qrcode's; this only draws its modules. Light modules are
// drawn as blocks, so the code reads on the usual dark terminal background.
func writeQR(w io.Writer, text string) error {
	code, err := qrcode.NewWith(text, qrcode.WithErrorCorrectionLevel(qrcode.ErrorCorrectionLow))
	if err != nil {
		return err
	}
	return code.Save(&halfBlockWriter{w: w})
}

// halfBlockWriter is a qrcode.Writer that renders to text.
type halfBlockWriter struct{ w io.Writer }

func (h *halfBlockWriter) Write(m qrcode.Matrix) error {
	dark := m.Bitmap() // [row][column], true for a dark module
	size := len(dark)
	isDark := func(row, col int) bool {
		row, col = row-quietZone, col-quietZone
		return row >= 0 && row < size && col >= 0 && col < size && dark[row][col]
	}
	var b strings.Builder
	for row := 0; row < size+2*quietZone; row += 2 {
		for col := 0; col < size+2*quietZone; col++ {
			top, bottom := !isDark(row, col), !isDark(row+1, col) && row+1 < size+2*quietZone
			switch {
			case top && bottom:
				b.WriteString("█")
			case top:
				b.WriteString("▀")
			case bottom:
				b.WriteString("▄")
			default:
				b.WriteString(" ")
			}
		}
		b.WriteString("\n")
	}
	_, err := io.WriteString(h.w, b.String())
	return err
}

func (h *halfBlockWriter) Close() error { return nil }
