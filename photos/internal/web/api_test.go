package web

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"image/jpeg"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/lestrrat-go/jwx/v2/jwa"
	"github.com/lestrrat-go/jwx/v2/jwk"

	"github.com/valet/photos/internal/store"
)

// apiTestSetup starts Photos with one published key, and returns a token maker for it.
func apiTestSetup(t *testing.T) (*photosServer, func(sub, scope string) string) {
	t.Helper()
	accounts := newFakeAccounts(t)
	key := newKey(t, jwa.RS256, "key-1")
	accounts.publish(key)
	srv := newPhotosServer(t, accounts)
	return srv, func(sub, scope string) string { return apiTestToken(t, key, srv, sub, scope) }
}

// apiTestToken forges a good access token for sub with scope.
func apiTestToken(t *testing.T, key jwk.Key, srv *photosServer, sub, scope string) string {
	t.Helper()
	c := goodClaims(srv.Clock.Now())
	c["sub"], c["scope"] = sub, scope
	c["jti"] = "jti-" + sub + "-" + strconv.FormatInt(time.Now().UnixNano(), 10)
	return forge(t, key, c, nil)
}

// apiTestList is GET /api/photos decoded.
type apiTestList struct {
	Photos []map[string]any `json:"photos"`
}

func apiTestListPhotos(t *testing.T, srv *photosServer, token string) apiTestList {
	t.Helper()
	r := srv.get(t, "/api/photos", token)
	if r.StatusCode != http.StatusOK {
		t.Fatalf("GET /api/photos: got status %d, want 200: %s", r.StatusCode, r.Body)
	}
	var list apiTestList
	if err := json.Unmarshal(r.Body, &list); err != nil {
		t.Fatalf("GET /api/photos: %v: %s", err, r.Body)
	}
	return list
}

func apiTestIDs(list apiTestList) []string {
	var ids []string
	for _, p := range list.Photos {
		id, _ := p["id"].(string)
		ids = append(ids, id)
	}
	sort.Strings(ids)
	return ids
}

// CONTRACT "Photos": GET /api/photos → {"photos": [{"id", "title", "album", "width",
// "height", "taken_at"}]}, the token subject's photos and no one else's.
func TestAPIListPhotos(t *testing.T) {
	srv, token := apiTestSetup(t)
	alice2 := srv.addPhoto(t, "alice", "Sunset", "Holiday")
	bob2 := srv.addPhoto(t, "bob", "Scaffold", "Building site")

	tests := []struct {
		name string
		sub  string
		want []string
	}{
		{"alice sees exactly her photos", "alice", []string{srv.AlicePhoto, alice2}},
		{"bob sees exactly his photos, never alice's", "bob", []string{srv.BobPhoto, bob2}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			list := apiTestListPhotos(t, srv, token(tc.sub, "photos.read"))
			want := slices.Clone(tc.want)
			sort.Strings(want)
			if got := apiTestIDs(list); !slices.Equal(got, want) {
				t.Fatalf("got ids %v, want %v", got, want)
			}
		})
	}

	t.Run("each photo has exactly id, title, album, width, height, taken_at", func(t *testing.T) {
		list := apiTestListPhotos(t, srv, token("alice", "photos.read"))
		for _, p := range list.Photos {
			var keys []string
			for k := range p {
				keys = append(keys, k)
			}
			sort.Strings(keys)
			if want := []string{"album", "height", "id", "taken_at", "title", "width"}; !slices.Equal(keys, want) {
				t.Errorf("got keys %v, want %v", keys, want)
			}
			if p["id"] == srv.AlicePhoto {
				if p["title"] != "Sunrise" || p["album"] != "Holiday" || p["width"] != 64.0 || p["height"] != 48.0 {
					t.Errorf("got %v, want Sunrise, Holiday, 64x48", p)
				}
			}
		}
	})
	t.Run("taken_at is RFC 3339", func(t *testing.T) {
		list := apiTestListPhotos(t, srv, token("alice", "photos.read"))
		for _, p := range list.Photos {
			s, _ := p["taken_at"].(string)
			got, err := time.Parse(time.RFC3339, s)
			if err != nil {
				t.Fatalf("taken_at %q: %v", s, err)
			}
			if !got.Equal(srv.Clock.Now()) {
				t.Errorf("got taken_at %s, want %s", got, srv.Clock.Now())
			}
		}
	})
	t.Run("one photo's metadata is the same object as in the list", func(t *testing.T) {
		r := srv.get(t, "/api/photos/"+srv.AlicePhoto, token("alice", "photos.read"))
		if r.StatusCode != http.StatusOK {
			t.Fatalf("got status %d, want 200: %s", r.StatusCode, r.Body)
		}
		got := r.jsonBody(t)
		for _, p := range apiTestListPhotos(t, srv, token("alice", "photos.read")).Photos {
			if p["id"] == srv.AlicePhoto {
				for k, v := range p {
					if got[k] != v {
						t.Errorf("%s: got %v, want %v", k, got[k], v)
					}
				}
			}
		}
	})
}

// CONTRACT "Photos": a subject with no photos yet (a new user, or a client_credentials token
// whose sub is the client_id and which has no auth_time) gets an empty list, [] and not null.
func TestAPIEmptyLibrary(t *testing.T) {
	accounts := newFakeAccounts(t)
	key := newKey(t, jwa.RS256, "key-1")
	accounts.publish(key)
	srv := newPhotosServer(t, accounts)
	carol := goodClaims(srv.Clock.Now())
	carol["sub"] = "carol"
	machine := goodClaims(srv.Clock.Now())
	machine["sub"], machine["client_id"] = "printing", "printing"
	delete(machine, "auth_time")

	tests := []struct {
		name  string
		token string
	}{
		{"a user who never had photos", forge(t, key, carol, nil)},
		{"a client_credentials token: sub is the client_id, no auth_time", forge(t, key, machine, nil)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := srv.get(t, "/api/photos", tc.token)
			if r.StatusCode != http.StatusOK {
				t.Fatalf("got status %d, want 200: %s", r.StatusCode, r.Body)
			}
			var body map[string]json.RawMessage
			if err := json.Unmarshal(r.Body, &body); err != nil {
				t.Fatal(err)
			}
			if got := strings.TrimSpace(string(body["photos"])); got != "[]" {
				t.Errorf(`got "photos": %s, want []`, got)
			}
		})
	}
}

// CONTRACT "Photos": "A user sees only their own photos: another user's id is 404", for every
// request that takes an id, and a refused DELETE leaves the photo in place.
func TestAPIOtherUsersPhotoIs404(t *testing.T) {
	srv, token := apiTestSetup(t)
	bob := token("bob", "photos.read photos.delete")
	alice := token("alice", "photos.read")
	tests := []struct {
		name, method, path string
	}{
		{"GET /api/photos/{id} of alice's photo with bob's token", http.MethodGet, "/api/photos/" + srv.AlicePhoto},
		{"GET /api/photos/{id}/content of alice's photo with bob's token", http.MethodGet, "/api/photos/" + srv.AlicePhoto + "/content"},
		{"DELETE /api/photos/{id} of alice's photo with bob's token", http.MethodDelete, "/api/photos/" + srv.AlicePhoto},
	}
	notFound := srv.call(t, http.MethodGet, "/api/photos/pnosuchphoto", "Bearer "+bob, nil, "")
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := srv.call(t, tc.method, tc.path, "Bearer "+bob, nil, "")
			if r.StatusCode != http.StatusNotFound {
				t.Fatalf("got status %d, want %d: %s", r.StatusCode, http.StatusNotFound, r.Body)
			}
			if !bytes.Equal(r.Body, notFound.Body) {
				t.Errorf("got body %s, want the same answer as a photo that does not exist: %s", r.Body, notFound.Body)
			}
		})
	}
	t.Run("the photo still exists for alice afterwards", func(t *testing.T) {
		if r := srv.get(t, "/api/photos/"+srv.AlicePhoto, alice); r.StatusCode != http.StatusOK {
			t.Errorf("got status %d, want 200", r.StatusCode)
		}
		if r := srv.get(t, "/api/photos/"+srv.AlicePhoto+"/content", alice); r.StatusCode != http.StatusOK {
			t.Errorf("content: got status %d, want 200", r.StatusCode)
		}
		if _, err := srv.Store.Photo(context.Background(), "alice", srv.AlicePhoto); err != nil {
			t.Errorf("store: %v", err)
		}
	})
}

// CONTRACT "Photos": GET /api/photos/{id}/content → image/jpeg, bytes that decode as a JPEG of
// the photo's size.
func TestAPIContentIsJPEG(t *testing.T) {
	srv, token := apiTestSetup(t)
	r := srv.get(t, "/api/photos/"+srv.AlicePhoto+"/content", token("alice", "photos.read"))
	if r.StatusCode != http.StatusOK {
		t.Fatalf("got status %d, want 200: %s", r.StatusCode, r.Body)
	}
	if got := r.Header.Get("Content-Type"); got != "image/jpeg" {
		t.Errorf("got Content-Type %q, want image/jpeg", got)
	}
	img, err := jpeg.Decode(bytes.NewReader(r.Body))
	if err != nil {
		t.Fatalf("the content does not decode as JPEG: %v", err)
	}
	if b := img.Bounds(); b.Dx() != 64 || b.Dy() != 48 {
		t.Errorf("got %dx%d, want 64x48", b.Dx(), b.Dy())
	}
}

// CONTRACT "Photos": DELETE /api/photos/{id} → 204, and the photo is gone for good: from the
// metadata, the content, the list and the database.
func TestAPIDeleteRemovesForGood(t *testing.T) {
	srv, token := apiTestSetup(t)
	alice := token("alice", "photos.read photos.delete")
	r := srv.call(t, http.MethodDelete, "/api/photos/"+srv.AlicePhoto, "Bearer "+alice, nil, "")
	if r.StatusCode != http.StatusNoContent {
		t.Fatalf("DELETE: got status %d, want %d: %s", r.StatusCode, http.StatusNoContent, r.Body)
	}
	if len(r.Body) != 0 {
		t.Errorf("a 204 has a body: %q", r.Body)
	}
	tests := []struct {
		name  string
		check func(t *testing.T)
	}{
		{"GET /api/photos/{id} is 404 afterwards", func(t *testing.T) {
			if r := srv.get(t, "/api/photos/"+srv.AlicePhoto, alice); r.StatusCode != http.StatusNotFound {
				t.Errorf("got status %d, want 404", r.StatusCode)
			}
		}},
		{"GET /api/photos/{id}/content is 404 afterwards", func(t *testing.T) {
			if r := srv.get(t, "/api/photos/"+srv.AlicePhoto+"/content", alice); r.StatusCode != http.StatusNotFound {
				t.Errorf("got status %d, want 404", r.StatusCode)
			}
		}},
		{"the photo is gone from the list", func(t *testing.T) {
			if ids := apiTestIDs(apiTestListPhotos(t, srv, alice)); slices.Contains(ids, srv.AlicePhoto) {
				t.Errorf("got ids %v, still listing %s", ids, srv.AlicePhoto)
			}
		}},
		{"the photo is gone from the database", func(t *testing.T) {
			if _, err := srv.Store.Photo(context.Background(), "alice", srv.AlicePhoto); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("got %v, want store.ErrNotFound", err)
			}
		}},
		{"a second DELETE is 404", func(t *testing.T) {
			if r := srv.call(t, http.MethodDelete, "/api/photos/"+srv.AlicePhoto, "Bearer "+alice, nil, ""); r.StatusCode != http.StatusNotFound {
				t.Errorf("got status %d, want 404", r.StatusCode)
			}
		}},
		{"bob's photo is untouched", func(t *testing.T) {
			if _, err := srv.Store.Photo(context.Background(), "bob", srv.BobPhoto); err != nil {
				t.Errorf("got %v, want bob's photo", err)
			}
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, tc.check)
	}
}

// CONTRACT "Photos": "Photo ids are unique across users." They are also not sequential, so an
// id tells nothing about other users' photos and cannot be guessed from one's own.
func TestAPIPhotoIDsUniqueAndNotSequential(t *testing.T) {
	srv, token := apiTestSetup(t)
	const perUser = 20
	var created []string // in upload order, both users interleaved
	for i := range perUser {
		for _, user := range []string{"alice", "bob"} {
			body, contentType := uploadTestMultipart(t, []uploadTestPart{
				{name: "file", filename: "p.jpg", content: testJPEG(t, 8, 8)},
				{name: "title", content: []byte(user + " " + strconv.Itoa(i))},
			})
			r := srv.call(t, http.MethodPost, "/api/photos", "Bearer "+token(user, "photos.write"), bytes.NewReader(body), contentType)
			if r.StatusCode != http.StatusCreated {
				t.Fatalf("upload: got status %d, want 201: %s", r.StatusCode, r.Body)
			}
			id, _ := r.jsonBody(t)["id"].(string)
			created = append(created, id)
		}
	}
	all := append(apiTestIDs(apiTestListPhotos(t, srv, token("alice", "photos.read"))),
		apiTestIDs(apiTestListPhotos(t, srv, token("bob", "photos.read")))...)

	t.Run("no id repeats across alice and bob", func(t *testing.T) {
		if len(all) != 2*perUser+2 {
			t.Fatalf("got %d photos listed, want %d", len(all), 2*perUser+2)
		}
		seen := map[string]bool{}
		for _, id := range all {
			if id == "" || seen[id] {
				t.Errorf("id %q repeats (or is empty)", id)
			}
			seen[id] = true
		}
	})
	t.Run("ids are not sequential numbers", func(t *testing.T) {
		for _, id := range created {
			if _, err := strconv.ParseInt(strings.TrimLeft(id, "p"), 10, 64); err == nil {
				t.Errorf("id %q is a number", id)
			}
		}
		if slices.IsSorted(created) {
			t.Errorf("ids in upload order are sorted, so they are sequential: %v", created)
		}
		// Neighbours of a counter share all but their last characters.
		shared := 0
		for i := 1; i < len(created); i++ {
			a, b := created[i-1], created[i]
			n := 0
			for n < len(a) && n < len(b) && a[n] == b[n] {
				n++
			}
			shared += n
		}
		if avg := float64(shared) / float64(len(created)-1); avg > 3 {
			t.Errorf("consecutive ids share %.1f leading characters on average, want random ids: %v", avg, created)
		}
	})
}

// STYLE.md "Handlers and errors" and RFC 6749 §5.1's reasoning: API answers are one user's data,
// so every one carries Cache-Control: no-store, errors included.
func TestAPICacheControlNoStore(t *testing.T) {
	srv, token := apiTestSetup(t)
	read := token("alice", "photos.read")
	tests := []struct {
		name, method, path, header string
		want                       int
	}{
		{"200 list", http.MethodGet, "/api/photos", "Bearer " + read, 200},
		{"200 metadata", http.MethodGet, "/api/photos/" + srv.AlicePhoto, "Bearer " + read, 200},
		{"200 content", http.MethodGet, "/api/photos/" + srv.AlicePhoto + "/content", "Bearer " + read, 200},
		{"401 without a token", http.MethodGet, "/api/photos", "", 401},
		{"401 with a bad token", http.MethodGet, "/api/photos", "Bearer not-a-token", 401},
		{"403 insufficient_scope", http.MethodDelete, "/api/photos/" + srv.AlicePhoto, "Bearer " + read, 403},
		{"404 another user's photo", http.MethodGet, "/api/photos/" + srv.BobPhoto, "Bearer " + read, 404},
		{"404 unknown API path", http.MethodGet, "/api/albums", "Bearer " + read, 404},
		{"204 delete", http.MethodDelete, "/api/photos/" + srv.AlicePhoto, "Bearer " + token("alice", "photos.delete"), 204},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := srv.call(t, tc.method, tc.path, tc.header, nil, "")
			if r.StatusCode != tc.want {
				t.Fatalf("got status %d, want %d: %s", r.StatusCode, tc.want, r.Body)
			}
			if got := r.Header.Get("Cache-Control"); got != "no-store" {
				t.Errorf("got Cache-Control %q, want no-store", got)
			}
		})
	}
}

// An unknown path under /api is still the API: a token is needed before anything is said
// (401, RFC 6750 §3.1), and with one the answer is a JSON 404, not an HTML page.
func TestAPIUnknownPath(t *testing.T) {
	srv, token := apiTestSetup(t)
	read := token("alice", "photos.read")
	tests := []struct {
		name, method, path, token string
		want                      int
	}{
		{"unknown path with a good token is a JSON 404", http.MethodGet, "/api/albums", read, 404},
		{"deeper unknown path with a good token is a JSON 404", http.MethodGet, "/api/photos/" + srv.AlicePhoto + "/thumbnail", read, 404},
		{"unknown path without a token is 401 (RFC 6750 §3.1)", http.MethodGet, "/api/albums", "", 401},
		{"deeper unknown path without a token is 401", http.MethodGet, "/api/photos/" + srv.AlicePhoto + "/thumbnail", "", 401},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := srv.get(t, tc.path, tc.token)
			if r.StatusCode != tc.want {
				t.Fatalf("got status %d, want %d: %s", r.StatusCode, tc.want, r.Body)
			}
			if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
				t.Errorf("got Content-Type %q, want application/json", ct)
			}
			body := r.jsonBody(t)
			if _, ok := body["error_description"].(string); !ok {
				t.Errorf("got body %v, want an error_description", body)
			}
			if tc.want == 401 && r.Header.Get("WWW-Authenticate") != challenge() {
				t.Errorf("got WWW-Authenticate %q, want %q", r.Header.Get("WWW-Authenticate"), challenge())
			}
		})
	}
}

// Hostile ids are just ids that do not exist: never a 500, and nothing is deleted or leaked.
func TestAPIHostileIDs(t *testing.T) {
	srv, token := apiTestSetup(t)
	alice := token("alice", "photos.read photos.delete")
	tests := []struct {
		name string
		id   string // already escaped for the path
	}{
		{"a very long id", strings.Repeat("p", 20000)},
		{"an id with an escaped NUL (%00)", "p%00x"},
		{"an id that is an escaped NUL only", "%00"},
		{"an escaped dot-dot-slash traversal", "..%2F..%2Fetc%2Fpasswd"},
		{"a literal .. segment", ".."},
		{"a unicode id", url.PathEscape("фото-📷")},
		{"raw UTF-8 bytes that are not valid UTF-8", "%FF%FE"},
		{"SQL in the id", url.PathEscape("' OR owner != 'alice' --")},
		{"LIKE wildcards", "%25"},
		{"bob's id with a suffix", srv.BobPhoto + "%00"},
		{"an escaped slash", srv.BobPhoto + "%2Fcontent"},
	}
	for _, tc := range tests {
		for _, req := range []struct{ name, method, suffix string }{
			{"GET", http.MethodGet, ""}, {"GET content", http.MethodGet, "/content"}, {"DELETE", http.MethodDelete, ""},
		} {
			t.Run(tc.name+", "+req.name, func(t *testing.T) {
				r := srv.call(t, req.method, "/api/photos/"+tc.id+req.suffix, "Bearer "+alice, nil, "")
				if r.StatusCode >= 500 {
					t.Fatalf("got status %d, want no 5xx: %s", r.StatusCode, r.Body)
				}
				if r.StatusCode != http.StatusNotFound && r.StatusCode != http.StatusBadRequest {
					t.Errorf("got status %d, want 404 (or 400): %s", r.StatusCode, r.Body)
				}
				if r.StatusCode == http.StatusOK || r.StatusCode == http.StatusNoContent {
					t.Errorf("a hostile id succeeded")
				}
			})
		}
	}
	t.Run("nothing was deleted", func(t *testing.T) {
		for owner, id := range map[string]string{"alice": srv.AlicePhoto, "bob": srv.BobPhoto} {
			if _, err := srv.Store.Photo(context.Background(), owner, id); err != nil {
				t.Errorf("%s's photo: %v", owner, err)
			}
		}
	})
	t.Run("no internal error was logged", func(t *testing.T) {
		if logs := srv.Logs.String(); strings.Contains(logs, "level=ERROR") {
			t.Errorf("errors logged:\n%s", logs)
		}
	})
}
