package web

import (
	"bytes"
	"encoding/binary"
	"hash/crc32"
	"image"
	"image/color"
	"image/gif"
	"image/jpeg"
	"image/png"
	"math/rand/v2"
	"mime/multipart"
	"net/http"
	"net/textproto"
	"strings"
	"testing"
	"time"
)

// uploadTestPart is one part of a multipart/form-data body (RFC 7578): a file when filename
// is set, a text field otherwise.
type uploadTestPart struct {
	name, filename, contentType string
	content                     []byte
}

// uploadTestMultipart builds a multipart/form-data body and its Content-Type.
func uploadTestMultipart(t testing.TB, parts []uploadTestPart) ([]byte, string) {
	t.Helper()
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	for _, p := range parts {
		h := textproto.MIMEHeader{}
		if p.filename != "" {
			h.Set("Content-Disposition", `form-data; name="`+p.name+`"; filename="`+p.filename+`"`)
			ct := p.contentType
			if ct == "" {
				ct = "application/octet-stream"
			}
			h.Set("Content-Type", ct)
		} else {
			h.Set("Content-Disposition", `form-data; name="`+p.name+`"`)
		}
		pw, err := w.CreatePart(h)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := pw.Write(p.content); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes(), w.FormDataContentType()
}

// uploadTestImage is a w×h picture with some structure, so encoders have work to do.
func uploadTestImage(w, h int) *image.RGBA {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			img.Set(x, y, color.RGBA{uint8(x * 3), uint8(y * 7), uint8(x + y), 255})
		}
	}
	return img
}

func uploadTestPNG(t testing.TB, w, h int) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := png.Encode(&buf, uploadTestImage(w, h)); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func uploadTestGIF(t testing.TB, w, h int) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := gif.Encode(&buf, uploadTestImage(w, h), nil); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// uploadTestPNGHeader is a PNG that says it is w×h: the signature, an IHDR chunk with a good
// CRC, one empty IDAT and IEND. A decoder that trusts the header would allocate w×h×4 bytes.
func uploadTestPNGHeader(w, h uint32) []byte {
	var buf bytes.Buffer
	buf.WriteString("\x89PNG\r\n\x1a\n")
	chunk := func(typ string, data []byte) {
		binary.Write(&buf, binary.BigEndian, uint32(len(data)))
		crc := crc32.NewIEEE()
		crc.Write([]byte(typ))
		crc.Write(data)
		buf.WriteString(typ)
		buf.Write(data)
		binary.Write(&buf, binary.BigEndian, crc.Sum32())
	}
	ihdr := make([]byte, 13)
	binary.BigEndian.PutUint32(ihdr[0:], w)
	binary.BigEndian.PutUint32(ihdr[4:], h)
	ihdr[8], ihdr[9] = 8, 6 // 8-bit RGBA
	chunk("IHDR", ihdr)
	chunk("IDAT", nil)
	chunk("IEND", nil)
	return buf.Bytes()
}

// uploadTestWithEXIF inserts an APP1 "Exif" segment carrying marker right after the JPEG's SOI.
func uploadTestWithEXIF(jpg []byte, marker string) []byte {
	payload := append([]byte("Exif\x00\x00"), marker...)
	seg := []byte{0xFF, 0xE1, 0, 0}
	binary.BigEndian.PutUint16(seg[2:], uint16(len(payload)+2))
	seg = append(seg, payload...)
	out := append([]byte{}, jpg[:2]...)
	out = append(out, seg...)
	return append(out, jpg[2:]...)
}

// uploadTestPost uploads body with a token for alice that may write and read.
func uploadTestPost(t *testing.T, srv *photosServer, token string, body []byte, contentType string) response {
	t.Helper()
	return srv.call(t, http.MethodPost, "/api/photos", "Bearer "+token, bytes.NewReader(body), contentType)
}

// CONTRACT "Photos": POST /api/photos (multipart field file, optional title, album) → 201 with
// the new photo's metadata; RFC 9110 §15.3.2: a 201 names the new resource in Location.
func TestUploadPhoto(t *testing.T) {
	srv, token := apiTestSetup(t)
	alice := token("alice", "photos.read photos.write")

	tests := []struct {
		name                    string
		parts                   []uploadTestPart
		title, album            string
		width, height           int
		checkContentIsJPEGOfPNG bool
	}{
		{"a JPEG with title and album", []uploadTestPart{
			{name: "title", content: []byte("Beach")},
			{name: "album", content: []byte("Summer")},
			{name: "file", filename: "IMG_0001.jpg", contentType: "image/jpeg", content: testJPEG(t, 40, 30)},
		}, "Beach", "Summer", 40, 30, false},
		{"a PNG is accepted and stored as JPEG", []uploadTestPart{
			{name: "file", filename: "drawing.png", contentType: "image/png", content: uploadTestPNG(t, 50, 20)},
			{name: "title", content: []byte("Drawing")},
			{name: "album", content: []byte("Art")},
		}, "Drawing", "Art", 50, 20, true},
		{"without a title the filename without its extension is the title", []uploadTestPart{
			{name: "file", filename: "beach.day.jpg", contentType: "image/jpeg", content: testJPEG(t, 16, 16)},
			{name: "album", content: []byte("Summer")},
		}, "beach.day", "Summer", 16, 16, false},
		{`without an album the album is "Uploads"`, []uploadTestPart{
			{name: "file", filename: "x.jpg", contentType: "image/jpeg", content: testJPEG(t, 16, 16)},
			{name: "title", content: []byte("Lonely")},
		}, "Lonely", "Uploads", 16, 16, false},
		{"a title of exactly 200 bytes passes", []uploadTestPart{
			{name: "file", filename: "x.jpg", contentType: "image/jpeg", content: testJPEG(t, 16, 16)},
			{name: "title", content: []byte(strings.Repeat("é", 100))},
		}, strings.Repeat("é", 100), "Uploads", 16, 16, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			body, contentType := uploadTestMultipart(t, tc.parts)
			r := uploadTestPost(t, srv, alice, body, contentType)
			if r.StatusCode != http.StatusCreated {
				t.Fatalf("got status %d, want %d: %s", r.StatusCode, http.StatusCreated, r.Body)
			}
			got := r.jsonBody(t)
			id, _ := got["id"].(string)
			if id == "" {
				t.Fatalf("no id in %s", r.Body)
			}
			if loc := r.Header.Get("Location"); loc != "/api/photos/"+id {
				t.Errorf("got Location %q, want %q", loc, "/api/photos/"+id)
			}
			if got["title"] != tc.title || got["album"] != tc.album || got["width"] != float64(tc.width) || got["height"] != float64(tc.height) {
				t.Errorf("got %v, want title %q album %q %dx%d", got, tc.title, tc.album, tc.width, tc.height)
			}
			if s, _ := got["taken_at"].(string); s == "" {
				t.Errorf("no taken_at in %v", got)
			} else if _, err := time.Parse(time.RFC3339, s); err != nil {
				t.Errorf("taken_at %q is not RFC 3339: %v", s, err)
			}

			// The Location answers with the same metadata, and the list has the photo.
			meta := srv.get(t, r.Header.Get("Location"), alice)
			if meta.StatusCode != http.StatusOK {
				t.Fatalf("GET Location: got status %d, want 200", meta.StatusCode)
			}
			for k, v := range got {
				if meta.jsonBody(t)[k] != v {
					t.Errorf("GET Location %s: got %v, want %v", k, meta.jsonBody(t)[k], v)
				}
			}
			found := false
			for _, p := range apiTestListPhotos(t, srv, alice).Photos {
				if p["id"] == id {
					found = true
					if p["title"] != tc.title || p["album"] != tc.album {
						t.Errorf("listed as %v, want title %q album %q", p, tc.title, tc.album)
					}
				}
			}
			if !found {
				t.Errorf("the new photo %s is not in the list", id)
			}

			content := srv.get(t, "/api/photos/"+id+"/content", alice)
			if ct := content.Header.Get("Content-Type"); ct != "image/jpeg" {
				t.Errorf("content: got Content-Type %q, want image/jpeg", ct)
			}
			img, err := jpeg.Decode(bytes.NewReader(content.Body))
			if err != nil {
				t.Fatalf("content does not decode as JPEG: %v", err)
			}
			if b := img.Bounds(); b.Dx() != tc.width || b.Dy() != tc.height {
				t.Errorf("content is %dx%d, want %dx%d", b.Dx(), b.Dy(), tc.width, tc.height)
			}
		})
	}

	t.Run("bob does not see alice's upload", func(t *testing.T) {
		if got := len(apiTestListPhotos(t, srv, token("bob", "photos.read")).Photos); got != 1 {
			t.Errorf("got %d photos for bob, want 1", got)
		}
	})
}

// Uploads that are not a JPEG or PNG, too large, or malformed are refused with the status that
// names the problem (RFC 9110 §15.5.14 413, §15.5.16 415, §15.5.1 400), and store nothing.
func TestUploadRefused(t *testing.T) {
	srv, token := apiTestSetup(t)
	alice := token("alice", "photos.read photos.write")
	jpg := testJPEG(t, 64, 48)

	// 10 MiB + 1 byte that starts like a JPEG: the size limit bites before any decoding.
	overLimit := make([]byte, 10<<20+1)
	copy(overLimit, jpg)
	file := func(name string, content []byte) uploadTestPart {
		return uploadTestPart{name: "file", filename: name, contentType: "application/octet-stream", content: content}
	}

	tests := []struct {
		name        string
		parts       []uploadTestPart
		raw         []byte // instead of parts
		contentType string // for raw
		want        int
	}{
		{"a file of 10 MiB + 1 byte is too large (413)", []uploadTestPart{file("big.jpg", overLimit)}, nil, "", 413},
		{"a text file is not an image (415)", []uploadTestPart{file("notes.txt", []byte("just some text, not a picture\n"))}, nil, "", 415},
		{"a GIF is not a JPEG or PNG (415)", []uploadTestPart{file("anim.gif", uploadTestGIF(t, 16, 16))}, nil, "", 415},
		{"a truncated JPEG does not decode (415)", []uploadTestPart{file("cut.jpg", jpg[:len(jpg)/2])}, nil, "", 415},
		{"an empty file (415)", []uploadTestPart{file("empty.jpg", []byte{})}, nil, "", 415},
		{"a PNG header claiming 20000x20000 pixels is refused before decoding (413)",
			[]uploadTestPart{file("bomb.png", uploadTestPNGHeader(20000, 20000))}, nil, "", 413},
		{"a JSON body is not multipart (415)", nil, []byte(`{"title":"x","file":"/9j/4AAQ"}`), "application/json", 415},
		{"no Content-Type at all (415)", nil, jpg, "", 415},
		{"a raw JPEG body is not multipart (415)", nil, jpg, "image/jpeg", 415},
		{"multipart without a file field (400)", []uploadTestPart{{name: "title", content: []byte("No file")}}, nil, "", 400},
		{"multipart with the image under another name (400)", []uploadTestPart{{name: "photo", filename: "a.jpg", content: jpg}}, nil, "", 400},
		{"two file fields (400)", []uploadTestPart{file("a.jpg", jpg), file("b.jpg", jpg)}, nil, "", 400},
		{"a title over 200 bytes (400)", []uploadTestPart{file("a.jpg", jpg), {name: "title", content: []byte(strings.Repeat("t", 201))}}, nil, "", 400},
		{"an album over 200 bytes (400)", []uploadTestPart{file("a.jpg", jpg), {name: "album", content: []byte(strings.Repeat("é", 101))}}, nil, "", 400},
		{"a title that is not UTF-8 (400)", []uploadTestPart{file("a.jpg", jpg), {name: "title", content: []byte{0xff, 0xfe}}}, nil, "", 400},
		{"a multipart body without its closing boundary (400)", nil, []byte("--XYZ\r\nContent-Disposition: form-data; name=\"title\"\r\n\r\nhi\r\n"), "multipart/form-data; boundary=XYZ", 400},
	}
	before := len(apiTestListPhotos(t, srv, alice).Photos)
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			body, contentType := tc.raw, tc.contentType
			if tc.parts != nil {
				body, contentType = uploadTestMultipart(t, tc.parts)
			}
			r := uploadTestPost(t, srv, alice, body, contentType)
			if r.StatusCode != tc.want {
				t.Fatalf("got status %d, want %d: %s", r.StatusCode, tc.want, r.Body)
			}
			m := r.jsonBody(t)
			if d, _ := m["error_description"].(string); d == "" {
				t.Errorf("got body %s, want an error_description", r.Body)
			}
			if got := r.Header.Get("Cache-Control"); got != "no-store" {
				t.Errorf("got Cache-Control %q, want no-store", got)
			}
		})
	}
	t.Run("a refused upload stores nothing", func(t *testing.T) {
		if got := len(apiTestListPhotos(t, srv, alice).Photos); got != before {
			t.Errorf("got %d photos, want %d", got, before)
		}
	})
	t.Run("no refusal is an internal error", func(t *testing.T) {
		if logs := srv.Logs.String(); strings.Contains(logs, "level=ERROR") {
			t.Errorf("errors logged:\n%s", logs)
		}
	})
}

// A real PNG over 10 MiB is refused with 413 like any other large file, even though it would
// decode. The picture is noise, so PNG's compression cannot bring it under the limit.
func TestUploadRealLargePNG(t *testing.T) {
	if testing.Short() {
		t.Skip("encodes an 11 MB PNG")
	}
	srv, token := apiTestSetup(t)
	img := image.NewNRGBA(image.Rect(0, 0, 1700, 1700))
	rng := rand.New(rand.NewPCG(1, 2))
	for i := range img.Pix {
		img.Pix[i] = byte(rng.Uint32())
	}
	var buf bytes.Buffer
	if err := (&png.Encoder{CompressionLevel: png.NoCompression}).Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	if buf.Len() <= 10<<20 {
		t.Fatalf("the test PNG is %d bytes, want over 10 MiB", buf.Len())
	}
	body, contentType := uploadTestMultipart(t, []uploadTestPart{{name: "file", filename: "noise.png", contentType: "image/png", content: buf.Bytes()}})
	r := uploadTestPost(t, srv, token("alice", "photos.write"), body, contentType)
	if r.StatusCode != http.StatusRequestEntityTooLarge {
		t.Fatalf("got status %d, want %d: %s", r.StatusCode, http.StatusRequestEntityTooLarge, r.Body)
	}
}

// Uploads are decoded and re-encoded, which drops metadata such as EXIF (where phones keep the
// GPS position). The file sent carries the marker; the stored photo must not.
func TestUploadDropsEXIF(t *testing.T) {
	srv, token := apiTestSetup(t)
	alice := token("alice", "photos.read photos.write")
	const marker = "GPS-SECRET-48.8584N-2.2945E"
	withEXIF := uploadTestWithEXIF(testJPEG(t, 32, 32), marker)
	if !bytes.Contains(withEXIF, []byte(marker)) {
		t.Fatal("the test file does not carry the marker")
	}
	if _, err := jpeg.Decode(bytes.NewReader(withEXIF)); err != nil {
		t.Fatalf("the test file is not a valid JPEG: %v", err)
	}
	body, contentType := uploadTestMultipart(t, []uploadTestPart{{name: "file", filename: "phone.jpg", contentType: "image/jpeg", content: withEXIF}})
	r := uploadTestPost(t, srv, alice, body, contentType)
	if r.StatusCode != http.StatusCreated {
		t.Fatalf("got status %d, want 201: %s", r.StatusCode, r.Body)
	}
	id, _ := r.jsonBody(t)["id"].(string)
	content := srv.get(t, "/api/photos/"+id+"/content", alice)
	if content.StatusCode != http.StatusOK {
		t.Fatalf("content: got status %d, want 200", content.StatusCode)
	}
	tests := []struct {
		name   string
		needle []byte
	}{
		{"the EXIF marker string is gone", []byte(marker)},
		{"no APP1 Exif segment is left", []byte("Exif\x00\x00")},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if bytes.Contains(content.Body, tc.needle) {
				t.Errorf("the stored photo still contains %q", tc.needle)
			}
		})
	}
}
