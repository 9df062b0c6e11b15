package e2e

// The README's screenshots, taken from a real flow in headless Chromium: the consent page, the
// walkthrough on /flow (its diagram, an opened step, the decoded token, the experiments), /learn,
// the gallery and an order's proof. `make screenshots` runs it:
//
//	cd e2e && E2E_SCREENSHOTS=$PWD/../docs/images go test -count=1 -run '^TestScreenshots$' ./...
//
// The window is 1280x720, a projector's screen, and each picture is the page at that width, 1:1:
// its first 720 pixels are what the window shows, and a long part of a page (the diagram, an
// opened step, the decoded token) goes on below. The PNGs are committed, so each must stay
// small (maxScreenshotBytes).

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"

	cdppage "github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
)

// The screenshots' window, and the most bytes one PNG may take in git.
const (
	screenshotWidth    = 1280
	screenshotHeight   = 720
	maxScreenshotBytes = 400 << 10
)

// screenshotter saves named PNGs into the E2E_SCREENSHOTS folder.
type screenshotter struct {
	c   *chrome
	dir string
}

// TestScreenshots renders docs/images/*.png from a real flow. It runs only when E2E_SCREENSHOTS
// names the folder to write them to.
func TestScreenshots(t *testing.T) {
	dir := os.Getenv("E2E_SCREENSHOTS")
	if dir == "" {
		t.Skip("E2E_SCREENSHOTS is not set: set it to a folder (docs/images) to render the README's screenshots")
	}
	bt := startBrowserTest(t)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	s := startStack(t, stackOptions{})
	alice, _ := libraryOf(t, s, "alice", "wonderland") // before the reset: see libraryOf
	resetUser(t, s, "alice", "wonderland")
	c := bt.newChrome("alice")
	c.do("set a 1280x720 viewport", chromedp.EmulateViewport(screenshotWidth, screenshotHeight))
	shots := &screenshotter{c: c, dir: dir}

	// Accounts' consent page, with the panel that explains the request beside it.
	c.signInAtPrintShop(s, "alice", "wonderland")
	if path := c.pressConnect(s); path != "/login" {
		c.fatalf("Connect your Photos led to Accounts' %s, want its login page", path)
	}
	c.signInAtAccounts(s, "alice", "wonderland")
	c.readConsent(s, "alice")
	if c.count("aside.panel") != 1 {
		c.fatalf("the consent page has no side panel (aside.panel)")
	}
	shots.region("consent.png", 0, max(c.rect("main section.card").bottom(), c.rect("aside.panel").bottom())+24)

	// The gallery, every thumbnail loaded.
	c.decide(s, "allow")
	c.checkGallery(s, alice)
	shots.region("gallery.png", 0, c.rect("ul.gallery").bottom()+20) // down to the end of the first album

	// An order of two photos, and its proof.
	for _, p := range alice[:2] {
		c.do("tick "+p.Title, chromedp.Click(chromedp.CSS(fmt.Sprintf(`input[name=photo][value=%q]`, p.ID)), chromedp.NodeVisible))
	}
	c.do("choose 5x7 and 2 copies",
		chromedp.SetValue(chromedp.CSS("select[name=size]"), "5x7"),
		chromedp.SetValue(chromedp.CSS("input[name=copies]"), "2"))
	c.press("fieldset.order button[type=submit]")
	if n, broken := c.imagesLoaded("img.proof"); n != 1 || len(broken) > 0 {
		c.fatalf("the order page has %d proofs, broken: %q; want one that loads", n, broken)
	}
	shots.region("proof.png", 0, c.rect("img.proof").bottom()+24)

	// /flow: the top of the page, and the whole diagram below it.
	c.open(s.PrintURL + "/flow")
	checkFlowRows(c, readFlowRows(c))
	shots.region("flow.png", 0, c.rect(".diagram").bottom()+16)

	// /flow with the token request opened: the code and the PKCE verifier go out, the tokens
	// come back (the refresh token masked). The lanes' heads stick to the top of the window.
	const tokenRow = `details.step[data-kind="token"]`
	if n := c.count(tokenRow); n != 1 {
		c.fatalf("/flow has %d token request rows, want 1", n)
	}
	c.do("open the token request", chromedp.Click(chromedp.CSS(tokenRow+" > summary"), chromedp.NodeVisible))
	if !evaluate[bool](c, fmt.Sprintf(`document.querySelector(%q).open`, tokenRow)) {
		c.fatalf("clicking the token request's summary did not open it")
	}
	response := tokenRow + ` .message:nth-child(2)`
	if body := c.text(response); !strings.Contains(body, "refresh_token") || !strings.Contains(body, "…(masked)") {
		c.fatalf("the token response on /flow does not show the refresh token masked:\n%s", body)
	}
	shots.region("flow-step.png", c.rect(tokenRow).Y-c.rect(".diagram-head").H,
		c.lastRect(response+` table.params`).bottom()+12)

	// The decoded token, down to the key that verified it.
	c.open(s.PrintURL + "/flow")
	if verdict := c.text("#token .verdict"); !strings.Contains(verdict, "verified by key") {
		c.fatalf("the decoded token's verdict says %q, want the key that verified it", verdict)
	}
	shots.region("flow-token.png", c.rect("#token").Y-16, c.rect("#token").bottom()+16)

	// Two experiments, then their rows (with the lanes' heads) above the experiments section.
	for _, button := range []string{"tamper", "trunk"} {
		c.press(fmt.Sprintf(`form[action="/flow/experiments/%s"] button[type=submit]`, button))
		c.expectAt(s.PrintURL, "/flow", "after the "+button+" experiment")
	}
	outcomes := c.texts("details.step.experiment .outcome")
	if len(outcomes) != 2 || !strings.Contains(outcomes[0], "got 401 invalid_token") || !strings.Contains(outcomes[1], "got 403 insufficient_scope") {
		c.fatalf("the experiments' outcomes are %q; want 401 invalid_token, then 403 insufficient_scope", outcomes)
	}
	// The tamper experiment's two rows: the refused call, in red, and its outcome.
	rows := shots.capture("flow-experiments.png", c.rect("details.step.experiment").Y-c.rect(".diagram-head").H,
		c.boxOf("details.step.experiment", "1").bottom())
	section := shots.capture("flow-experiments.png", c.rect("#experiments").Y-16, c.rect("#experiments").bottom()+16)
	shots.save("flow-experiments.png", stackPNGs(t, rows, section))

	// /learn.
	c.open(s.PrintURL + "/learn")
	// The four roles of RFC 6749 §1.1 and the user agent, down to the authorization server.
	shots.region("learn.png", 0, c.boxOf("table.terms tbody tr", "5").bottom())
}

// scrollY scrolls the page to y (CSS pixels from its top) and waits until that is painted.
func (c *chrome) scrollY(y float64) {
	c.t.Helper()
	c.do("scroll", chromedp.Evaluate[chromedp.Void](fmt.Sprintf(`window.scrollTo(0, %f)`, y)))
	c.do("wait for two frames", chromedp.Evaluate[chromedp.Void](
		`new Promise(done => requestAnimationFrame(() => requestAnimationFrame(() => done(true))))`, chromedp.EvalAwaitPromise))
}

// pageBox is an element's place on the page, in CSS pixels from the page's top-left corner.
type pageBox struct{ X, Y, W, H float64 }

func (b pageBox) bottom() float64 { return b.Y + b.H }

// rect is the place of the first element sel matches; lastRect of the last.
func (c *chrome) rect(sel string) pageBox     { c.t.Helper(); return c.boxOf(sel, "0") }
func (c *chrome) lastRect(sel string) pageBox { c.t.Helper(); return c.boxOf(sel, "all.length - 1") }

func (c *chrome) boxOf(sel, index string) pageBox {
	c.t.Helper()
	return evaluate[pageBox](c, fmt.Sprintf(`(() => {
		const all = document.querySelectorAll(%q);
		if (all.length === 0) throw new Error("nothing matches " + %q);
		const r = all[%s].getBoundingClientRect();
		return {X: r.left + window.scrollX, Y: r.top + window.scrollY, W: r.width, H: r.height};
	})()`, sel, sel, index))
}

// region saves the page's full width from top to bottom (CSS pixels from the page's top).
func (sh *screenshotter) region(name string, top, bottom float64) {
	sh.c.t.Helper()
	sh.save(name, sh.capture(name, top, bottom))
}

// capture renders the page's full width from top to bottom. It first scrolls the window to top,
// so that a sticky element (the diagram's lane heads) sits where it would on screen: at the top
// of the picture, or in its own place.
func (sh *screenshotter) capture(name string, top, bottom float64) []byte {
	c := sh.c
	c.t.Helper()
	top = max(0, top)
	c.scrollY(top)
	ctx, cancel := context.WithTimeout(c.ctx, queryTimeout)
	defer cancel()
	res, err := chromedp.Call(ctx, cdppage.CaptureScreenshot, cdppage.CaptureScreenshotParams{
		Format: cdppage.CaptureScreenshotFormatPng, CaptureBeyondViewport: ptrTo(true), FromSurface: ptrTo(true),
		Clip: &cdppage.Viewport{X: 0, Y: top, Width: screenshotWidth, Height: bottom - top, Scale: 1},
	})
	if err != nil {
		c.fatalf("screenshot for %s: %v", name, err)
	}
	return res.Data
}

func ptrTo[T any](v T) *T { return &v }

// stackPNGs puts two PNGs one above the other, on the page's background (the colour of the top
// one's corner), with a dashed rule between them for the part of the page left out.
func stackPNGs(t *testing.T, top, bottom []byte) []byte {
	t.Helper()
	a, err := png.Decode(bytes.NewReader(top))
	if err != nil {
		t.Fatal(err)
	}
	b, err := png.Decode(bytes.NewReader(bottom))
	if err != nil {
		t.Fatal(err)
	}
	const gap = 24
	w := max(a.Bounds().Dx(), b.Bounds().Dx())
	out := image.NewRGBA(image.Rect(0, 0, w, a.Bounds().Dy()+gap+b.Bounds().Dy()))
	draw.Draw(out, out.Bounds(), image.NewUniform(a.At(a.Bounds().Min.X, a.Bounds().Min.Y)), image.Point{}, draw.Src)
	draw.Draw(out, image.Rect(0, 0, a.Bounds().Dx(), a.Bounds().Dy()), a, a.Bounds().Min, draw.Src)
	y := a.Bounds().Dy() + gap/2
	for x := 0; x < w; x++ {
		if x%12 < 6 {
			out.Set(x, y, color.Gray{Y: 0x99})
		}
	}
	draw.Draw(out, image.Rect(0, a.Bounds().Dy()+gap, b.Bounds().Dx(), a.Bounds().Dy()+gap+b.Bounds().Dy()), b, b.Bounds().Min, draw.Src)
	var buf bytes.Buffer
	if err := (&png.Encoder{CompressionLevel: png.BestCompression}).Encode(&buf, out); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// save writes a PNG, failing the test if it is too large to commit.
func (sh *screenshotter) save(name string, data []byte) {
	t := sh.c.t
	t.Helper()
	if _, err := png.DecodeConfig(bytes.NewReader(data)); err != nil {
		t.Fatalf("%s: not a PNG: %v", name, err)
	}
	data = recompress(t, data)
	path := filepath.Join(sh.dir, name)
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("saved %s (%d KB)", path, len(data)>>10)
	if len(data) > maxScreenshotBytes {
		t.Errorf("%s is %d KB; keep each screenshot under %d KB, since they are committed", name, len(data)>>10, maxScreenshotBytes>>10)
	}
}

// recompress encodes a PNG again with Go's best compression, if that is smaller: Chromium
// favours speed.
func recompress(t *testing.T, data []byte) []byte {
	t.Helper()
	img, err := png.Decode(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := (&png.Encoder{CompressionLevel: png.BestCompression}).Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	if buf.Len() < len(data) {
		return buf.Bytes()
	}
	return data
}
