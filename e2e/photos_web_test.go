package e2e

// Photos' own web app in a real browser: Alice signs in to Photos with OpenID Connect, uploads a
// photo, sees it at PrintShop through the valet key, deletes it at Photos, sees it gone at
// PrintShop, and signs out of Photos and Accounts at once (RP-Initiated Logout 1.0).

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// uploadTitle is the title of the photo Alice uploads.
const uploadTitle = "Down the rabbit hole"

// TestBrowserPhotosWeb is issue 9's "Done when", in Chromium against the real binaries. With
// E2E_SCREENSHOTS set it also saves the Photos pages there (photos-*.png), for the README.
func TestBrowserPhotosWeb(t *testing.T) {
	bt := startBrowserTest(t)
	s := startStack(t, stackOptions{})
	resetUser(t, s, "alice", "wonderland")
	c := bt.newChrome("alice")
	shots := photosShots(t, c)

	// 1. Alice signs in to Photos web (OpenID Connect: no consent for the first-party app).
	c.open(s.PhotosURL + "/")
	if got := c.text(`main a[href="/login"]`); got != "Sign in with Accounts" {
		c.fatalf("Photos' signed-out home has %q, want a Sign in with Accounts link", got)
	}
	shots.take("photos-home.png", "main section.card.signin")
	c.press(`main a[href="/login"]`)
	if u := c.signInAtAccounts(s, "alice", "wonderland"); !sameOrigin(u, s.PhotosURL) || u.Path != "/" {
		c.fatalf("signing in at Accounts for Photos led to %s, want Photos' library", u)
	}
	if banner := c.text("header.banner"); !strings.Contains(banner, "Signed in as Alice Liddell") {
		c.fatalf("Photos' banner says %q, want it signed in as Alice Liddell (the ID token's name)", banner)
	}
	before := c.count("ul.grid li")
	if n, broken := c.imagesLoaded("ul.grid img"); n == 0 || len(broken) > 0 {
		c.fatalf("the library has %d thumbnails, broken: %q; want Alice's demo library, all loaded", n, broken)
	}
	c.shot("signed in at Photos")

	// ... and uploads a photo with the file picker; the page's script posts it with a progress
	// bar and reloads the library.
	file := filepath.Join(t.TempDir(), "rabbit-hole.jpg")
	if err := os.WriteFile(file, rabbitHoleJPEG(t), 0o600); err != nil {
		t.Fatal(err)
	}
	c.do("choose the file and a title",
		chromedp.SetUploadFiles(chromedp.CSS(`#upload input[type=file]`), []string{file}),
		chromedp.SendKeys(chromedp.CSS(`#upload input[name=title]`), uploadTitle),
		chromedp.SendKeys(chromedp.CSS(`#upload input[name=album]`), "Wonderland"))
	c.do("upload", chromedp.Click(chromedp.CSS(`#upload button[type=submit]`)),
		chromedp.WaitVisible(chromedp.Search(fmt.Sprintf(`//ul[@class="grid"]//span[text()=%q]`, uploadTitle))))
	c.expectAt(s.PhotosURL, "/", "after the upload")
	if after := c.count("ul.grid li"); after != before+1 {
		c.errorf("the library has %d photos after the upload, want %d", after, before+1)
	}
	if n, broken := c.imagesLoaded("ul.grid img"); n != before+1 || len(broken) > 0 {
		c.errorf("after the upload %d thumbnails, broken: %q", n, broken)
	}
	shots.take("photos-library.png", "")
	c.shot("uploaded a photo")

	// /me: the ID token, claim by claim.
	c.open(s.PhotosURL + "/me")
	if lead := c.text("main p.lead"); !strings.Contains(lead, "It proves who you are, to Photos only") {
		c.errorf("/me says %q, want that the ID token proves who you are, to Photos only", lead)
	}
	shots.take("photos-me.png", "")

	// 2. She connects PrintShop and sees the photo there. Accounts knows her already: it goes
	// straight to the consent page, which asks for PrintShop's valet key.
	c.signInAtPrintShop(s, "alice", "wonderland")
	if path := c.pressConnect(s); path != "/consent" {
		c.fatalf("Connect your Photos led to Accounts' %s, want its consent page: Alice is signed in there", path)
	}
	c.readConsent(s, "alice")
	c.decide(s, "allow")
	c.expectAt(s.PrintURL, "/photos", "the gallery")
	if titles := c.texts(".gallery li"); !slices.ContainsFunc(titles, func(s string) bool { return strings.Contains(s, uploadTitle) }) {
		c.fatalf("PrintShop's gallery shows %q, without the photo uploaded at Photos", titles)
	}
	c.shot("the upload at PrintShop")

	// 3. She deletes it at Photos, with the confirmation, and it is gone at PrintShop.
	c.open(s.PhotosURL + "/")
	c.press(fmt.Sprintf(`ul.grid a img[alt=%q]`, uploadTitle))
	if h1 := c.text("main h1"); h1 != uploadTitle {
		c.fatalf("the photo page's heading is %q, want %q", h1, uploadTitle)
	}
	c.do("open the delete confirmation", chromedp.Click(chromedp.CSS(`details.danger > summary`), chromedp.NodeVisible))
	shots.take("photos-photo.png", "")
	c.press(`details.danger button.danger`)
	c.expectAt(s.PhotosURL, "/", "after deleting")
	if titles := c.texts("ul.grid li"); slices.Contains(titles, uploadTitle) {
		c.errorf("the library still shows %q after deleting it", uploadTitle)
	}
	c.open(s.PrintURL + "/photos")
	if titles := c.texts(".gallery li"); slices.ContainsFunc(titles, func(s string) bool { return strings.Contains(s, uploadTitle) }) {
		c.errorf("PrintShop's gallery still shows %q after Alice deleted it at Photos", uploadTitle)
	}
	c.shot("the deleted photo is gone at PrintShop")

	// 4. She signs out at Photos, and Accounts' session is gone too.
	c.open(s.PhotosURL + "/")
	c.press(`header form[action="/logout"] button[type=submit]`)
	c.expectAt(s.PhotosURL, "/", "after signing out")
	if got := c.text(`main a[href="/login"]`); got != "Sign in with Accounts" {
		c.errorf("after signing out Photos shows %q, want the signed-out home", got)
	}
	for _, ck := range c.cookies(s.AuthURL) {
		if ck.Name == "accounts_session" {
			c.errorf("the accounts_session cookie is still set after signing out at Photos: %+v", ck)
		}
	}
	c.open(s.AuthURL + "/account")
	c.expectAt(s.AuthURL, "/login", "Accounts' /account after signing out at Photos")
	c.shot("signed out of Photos and Accounts")
}

// rabbitHoleJPEG draws a small picture to upload: a dark hole in a green lawn.
func rabbitHoleJPEG(t *testing.T) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 640, 480))
	for y := 0; y < 480; y++ {
		for x := 0; x < 640; x++ {
			dx, dy := float64(x-320)/200, float64(y-260)/120
			if dx*dx+dy*dy < 1 {
				img.Set(x, y, color.RGBA{40, 25, 15, 255})
			} else {
				img.Set(x, y, color.RGBA{uint8(60 + y/8), uint8(140 + x/10), 70, 255})
			}
		}
	}
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, img, &jpeg.Options{Quality: 85}); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// photoShooter saves the Photos pages for the README when E2E_SCREENSHOTS names a folder.
type photoShooter struct {
	sh *screenshotter // nil: screenshots are off
}

func photosShots(t *testing.T, c *chrome) photoShooter {
	dir := os.Getenv("E2E_SCREENSHOTS")
	if dir == "" {
		return photoShooter{}
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	c.do("set a 1280x720 viewport", chromedp.EmulateViewport(screenshotWidth, screenshotHeight))
	return photoShooter{sh: &screenshotter{c: c, dir: dir}}
}

// take saves the page from its top down to the bottom of the element sel (the last card of
// main when sel is empty), at most two windows high.
func (p photoShooter) take(name, sel string) {
	if p.sh == nil {
		return
	}
	c := p.sh.c
	c.t.Helper()
	bottom := c.lastRect("main section.card").bottom()
	if sel != "" {
		bottom = c.rect(sel).bottom()
	}
	p.sh.region(name, 0, min(bottom+24, 2*screenshotHeight))
}
