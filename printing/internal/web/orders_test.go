package web

// Tests of print orders: photos, a size (4x6, 5x7, 8x10) and copies, posted with a CSRF token;
// a proof rendered from the full images; status moving with time; orders kept per user and
// kept, with their proofs, after a disconnect.

import (
	"fmt"
	"image/jpeg"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/valet/printing/internal/proof"
)

// ordersForm is a valid order form for alice, with the gallery's CSRF token.
func ordersForm(t *testing.T, b *browser, photos []string, size, copies string) url.Values {
	t.Helper()
	return url.Values{"csrf_token": {csrf(t, b.get("/photos"))}, "photo": photos, "size": {size}, "copies": {copies}}
}

var ordersPathPattern = regexp.MustCompile(`^/orders/([0-9]+)$`)

// ordersPlace posts an order and returns the order page and its id.
func ordersPlace(t *testing.T, b *browser, photos []string, size, copies string) (page, int64) {
	t.Helper()
	p := b.post("/orders", ordersForm(t, b, photos, size, copies))
	m := ordersPathPattern.FindStringSubmatch(p.Request.URL.Path)
	if p.StatusCode != http.StatusOK || m == nil {
		t.Fatalf("POST /orders: got %d at %s, want the order page:\n%s", p.StatusCode, p.Request.URL.Path, p.Body)
	}
	id, _ := strconv.ParseInt(m[1], 10, 64)
	return p, id
}

var ordersStatusPattern = regexp.MustCompile(`class="status (\w+)"`)

// ordersStatus is the status shown on a page (the first one, for the list).
func ordersStatus(p page) string {
	m := ordersStatusPattern.FindStringSubmatch(p.Body)
	if m == nil {
		return ""
	}
	return m[1]
}

// The issue: an order of photos, a size and copies is stored; its page shows it; its proof is
// rendered from the full images, fetched from Photos, not from the thumbnails.
func TestOrdersPlacedWithProofFromFullImages(t *testing.T) {
	shop, b := tokensConnected(t)
	// Thumbnails are cached first, so a proof made from them would need no Photos request.
	for i := range 3 {
		b.get(fmt.Sprintf("/photos/p-alice-%d/thumbnail", i))
	}
	form := ordersForm(t, b, []string{"p-alice-0", "p-alice-2"}, "5x7", "2")
	before := tokensPhotosRequests(shop)

	p := b.post("/orders", form)

	m := ordersPathPattern.FindStringSubmatch(p.Request.URL.Path)
	if p.StatusCode != http.StatusOK || m == nil {
		t.Fatalf("got %d at %s, want the order page:\n%s", p.StatusCode, p.Request.URL.Path, p.Body)
	}
	if got, want := tokensPhotosRequests(shop), before+1+2; got != want {
		t.Errorf("Photos requests: got %d, want %d (the list and each full image)", got, want)
	}
	for _, want := range []string{"alice: Sunrise over the hills", "alice: Crane at dawn", "5x7", "2 copies of each"} {
		if !strings.Contains(p.Body, want) {
			t.Errorf("the order page lacks %q", want)
		}
	}
	if got := ordersStatus(p); got != "received" {
		t.Errorf("status %q, want %q", got, "received")
	}

	orders, err := shop.Store.Orders(t.Context(), "alice")
	if err != nil || len(orders) != 1 {
		t.Fatalf("stored orders: got %d (err %v), want 1", len(orders), err)
	}
	o := orders[0]
	if o.Size != "5x7" || o.Copies != 2 || strings.Join(o.Titles, "|") != "alice: Sunrise over the hills|alice: Crane at dawn" {
		t.Errorf("stored order %+v, want 5x7, 2 copies, the two titles", o)
	}

	img := b.get(p.Request.URL.Path + "/proof.jpg")
	if img.StatusCode != http.StatusOK || img.Header.Get("Content-Type") != "image/jpeg" {
		t.Fatalf("proof: got status %d, Content-Type %q", img.StatusCode, img.Header.Get("Content-Type"))
	}
	sheet, err := jpeg.Decode(strings.NewReader(img.Body))
	if err != nil {
		t.Fatalf("the proof is not a JPEG: %v", err)
	}
	// A 5x7 print is 7 inches on its long side at the proof's resolution: far more than a
	// thumbnail holds.
	if got, want := sheet.Bounds().Dx(), 7*proof.DPI; got < want {
		t.Errorf("proof width %d, want at least %d", got, want)
	}

	list := b.get("/orders")
	if !strings.Contains(list.Body, fmt.Sprintf(`href="/orders/%s"`, m[1])) || ordersStatus(list) != "received" {
		t.Errorf("the order list does not show order %s as received:\n%s", m[1], list.Body)
	}
}

// The issue: the sizes sold are 4x6, 5x7 and 8x10.
func TestOrdersEverySizeSold(t *testing.T) {
	_, b := tokensConnected(t)
	for _, size := range []string{"4x6", "5x7", "8x10"} {
		t.Run(size, func(t *testing.T) {
			p, _ := ordersPlace(t, b, []string{"p-alice-1"}, size, "1")
			if !strings.Contains(p.Body, size+" in") {
				t.Errorf("the order page does not show the size %s", size)
			}
			if !strings.Contains(p.Body, "1 photo, printed "+size+" in") || !strings.Contains(p.Body, "1 copy of each") {
				t.Errorf("the order page does not speak of one photo and one copy in the singular:\n%s", p.Body)
			}
		})
	}
}

// A bad order form is refused with a 400 page, before anything is fetched or stored.
func TestOrdersRefuseBadForms(t *testing.T) {
	thirteen := make([]string, maxPhotosPerOrder+1)
	for i := range thirteen {
		thirteen[i] = "p-alice-0"
	}
	cases := []struct {
		name   string
		photos []string
		size   string
		copies string
	}{
		{"no photo", nil, "4x6", "1"},
		{"more photos than an order holds", thirteen, "4x6", "1"},
		{"a size not sold", []string{"p-alice-0"}, "6x9", "1"},
		{"no size", []string{"p-alice-0"}, "", "1"},
		{"zero copies", []string{"p-alice-0"}, "4x6", "0"},
		{"negative copies", []string{"p-alice-0"}, "4x6", "-1"},
		{"a hundred copies", []string{"p-alice-0"}, "4x6", "100"},
		{"copies not a number", []string{"p-alice-0"}, "4x6", "two"},
		{"another user's photo", []string{"p-bob-0"}, "4x6", "1"},
		{"a photo that does not exist", []string{"p-alice-9"}, "4x6", "1"},
	}
	shop, b := tokensConnected(t)
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p := b.post("/orders", ordersForm(t, b, tc.photos, tc.size, tc.copies))
			if p.StatusCode != http.StatusBadRequest {
				t.Errorf("got status %d, want %d:\n%s", p.StatusCode, http.StatusBadRequest, p.Body)
			}
			if orders, err := shop.Store.Orders(t.Context(), "alice"); err != nil || len(orders) != 0 {
				t.Errorf("stored orders: got %d (err %v), want 0", len(orders), err)
			}
		})
	}
}

// The issue: status moves from received to printing after a minute, and to shipped after three.
func TestOrdersStatusMovesWithTime(t *testing.T) {
	shop, b := tokensConnected(t)
	_, id := ordersPlace(t, b, []string{"p-alice-0"}, "4x6", "1")
	steps := []struct {
		after time.Duration // since the order was placed
		want  string
	}{
		{0, "received"},
		{59 * time.Second, "received"},
		{time.Minute, "printing"},
		{3*time.Minute - time.Second, "printing"},
		{3 * time.Minute, "shipped"},
		{time.Hour, "shipped"}, // within the 12-hour session
	}
	placed := shop.Clock.Now()
	for _, step := range steps {
		t.Run(fmt.Sprintf("after %s", step.after), func(t *testing.T) {
			shop.Clock.Advance(placed.Add(step.after).Sub(shop.Clock.Now()))
			if got := ordersStatus(b.get(fmt.Sprintf("/orders/%d", id))); got != step.want {
				t.Errorf("order page: status %q, want %q", got, step.want)
			}
			if got := ordersStatus(b.get("/orders")); got != step.want {
				t.Errorf("order list: status %q, want %q", got, step.want)
			}
		})
	}
}

// Orders belong to the user who placed them: another user gets 404 for the page and the proof,
// and does not see them listed.
func TestOrdersArePerUser(t *testing.T) {
	shop, alice := tokensConnected(t)
	_, id := ordersPlace(t, alice, []string{"p-alice-0"}, "4x6", "1")
	bob := newBrowser(t, shop)
	bob.signIn("bob", "builder")
	for _, path := range []string{fmt.Sprintf("/orders/%d", id), fmt.Sprintf("/orders/%d/proof.jpg", id)} {
		if p := bob.get(path); p.StatusCode != http.StatusNotFound {
			t.Errorf("bob GET %s: got status %d, want %d", path, p.StatusCode, http.StatusNotFound)
		}
	}
	list := bob.get("/orders")
	if strings.Contains(list.Body, fmt.Sprintf(`href="/orders/%d"`, id)) || strings.Contains(list.Body, "alice:") {
		t.Errorf("bob's order list shows alice's order:\n%s", list.Body)
	}
	if p := alice.get(fmt.Sprintf("/orders/%d", id+1)); p.StatusCode != http.StatusNotFound {
		t.Errorf("alice GET an order that does not exist: got status %d, want %d", p.StatusCode, http.StatusNotFound)
	}
}

// The issue: an order keeps its proof after a disconnect: the proof is PrintShop's own copy.
func TestOrdersKeepTheirProofAfterDisconnect(t *testing.T) {
	shop, b := tokensConnected(t)
	_, id := ordersPlace(t, b, []string{"p-alice-0", "p-alice-1"}, "8x10", "1")
	proofPath := fmt.Sprintf("/orders/%d/proof.jpg", id)
	before := b.get(proofPath)
	if before.StatusCode != http.StatusOK {
		t.Fatalf("proof: got status %d", before.StatusCode)
	}

	if p := tokensDisconnect(t, b); p.StatusCode != http.StatusOK {
		t.Fatalf("disconnect: got status %d", p.StatusCode)
	}
	if _, ok := callbackConnection(t, shop, "alice"); ok {
		t.Fatal("the disconnect did not forget the tokens")
	}

	photosBefore := tokensPhotosRequests(shop)
	after := b.get(proofPath)
	if after.StatusCode != http.StatusOK || after.Body != before.Body {
		t.Errorf("proof after disconnect: got status %d, same bytes %v; want %d and the same bytes",
			after.StatusCode, after.Body == before.Body, http.StatusOK)
	}
	if p := b.get(fmt.Sprintf("/orders/%d", id)); p.StatusCode != http.StatusOK {
		t.Errorf("order page after disconnect: got status %d, want %d", p.StatusCode, http.StatusOK)
	}
	if got := tokensPhotosRequests(shop); got != photosBefore {
		t.Errorf("Photos requests for a kept proof: got %d, want %d", got, photosBefore)
	}
}

// Photos down while placing an order: a page naming Photos with a retry link, no order stored.
func TestOrdersPhotosDown(t *testing.T) {
	shop, b := tokensConnected(t)
	form := ordersForm(t, b, []string{"p-alice-0"}, "4x6", "1")
	shop.Photos.mu.Lock()
	shop.Photos.down = true
	shop.Photos.mu.Unlock()

	p := b.post("/orders", form)

	if p.StatusCode != http.StatusServiceUnavailable {
		t.Errorf("got status %d, want %d", p.StatusCode, http.StatusServiceUnavailable)
	}
	if !strings.Contains(p.Body, "Photos is not answering") {
		t.Errorf("the page does not say Photos is down:\n%s", p.Body)
	}
	if m := tokensRetryLink.FindStringSubmatch(p.Body); m == nil || m[1] != "/photos" {
		t.Errorf("retry link %v, want /photos", m)
	}
	if orders, err := shop.Store.Orders(t.Context(), "alice"); err != nil || len(orders) != 0 {
		t.Errorf("stored orders: got %d (err %v), want 0", len(orders), err)
	}
}

// Placing an order needs a signed-in user, even with a valid CSRF token of an anonymous session.
func TestOrdersNeedSignIn(t *testing.T) {
	shop := newPrintShop(t)
	b := newBrowser(t, shop)
	p := b.post("/orders", url.Values{"csrf_token": {csrf(t, b.get("/"))}, "photo": {"p-alice-0"}, "size": {"4x6"}, "copies": {"1"}})
	if p.Request.URL.Path != "/" || !strings.Contains(p.Body, `name="password"`) {
		t.Errorf("got %d at %s, want the sign-in form", p.StatusCode, p.Request.URL.Path)
	}
}
