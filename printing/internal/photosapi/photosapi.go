// Package photosapi calls Photos' API with an access token: the only thing PrintShop can do
// with Alice's photos is what the token opens.
package photosapi

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"time"
)

// Photo is one photo as the API describes it.
type Photo struct {
	ID      string    `json:"id"`
	Title   string    `json:"title"`
	Album   string    `json:"album"`
	Width   int       `json:"width"`
	Height  int       `json:"height"`
	TakenAt time.Time `json:"taken_at"`
}

// Errors the API can answer with.
var (
	// ErrUnauthorized is a 401: the token is not (or no longer) accepted.
	ErrUnauthorized = errors.New("Photos does not accept the token")
	// ErrForbidden is a 403: the token does not carry the scope needed.
	ErrForbidden = errors.New("the token does not allow this")
	// ErrNotFound is a 404.
	ErrNotFound = errors.New("no such photo")
	// ErrUnavailable means Photos could not be reached or failed.
	ErrUnavailable = errors.New("Photos cannot be reached")
)

// Client calls Photos over the back channel.
type Client struct {
	base string
	http *http.Client
}

// New returns a client for the API at base (PRINTING_PHOTOS_URL).
func New(base string, httpClient *http.Client) *Client {
	if httpClient == nil {
		httpClient = &http.Client{Timeout: 20 * time.Second}
	}
	return &Client{base: base, http: httpClient}
}

// BaseURL is the API's address on the back channel (PRINTING_PHOTOS_URL).
func (c *Client) BaseURL() string { return c.base }

// List returns the token owner's photos.
func (c *Client) List(ctx context.Context, token string) ([]Photo, error) {
	body, err := c.get(ctx, token, "/api/photos", 1<<20)
	if err != nil {
		return nil, err
	}
	var answer struct {
		Photos []Photo `json:"photos"`
	}
	if err := json.Unmarshal(body, &answer); err != nil {
		return nil, fmt.Errorf("%w: the photo list is not JSON", ErrUnavailable)
	}
	return answer.Photos, nil
}

// Content returns a photo's JPEG bytes.
func (c *Client) Content(ctx context.Context, token, id string) ([]byte, error) {
	return c.get(ctx, token, "/api/photos/"+url.PathEscape(id)+"/content", 20<<20)
}

// Delete asks Photos to delete a photo: DELETE /api/photos/{id}, which needs photos.delete.
// PrintShop never deletes anything for a user; only the walkthrough's "Open the trunk"
// experiment calls this, to show Photos refusing a photos.read token. So it reports what Photos
// answered, the status and the WWW-Authenticate challenge (RFC 6750 §3), rather than an error.
// err is set only when Photos could not be reached or failed (ErrUnavailable).
func (c *Client) Delete(ctx context.Context, token, id string) (status int, wwwAuthenticate string, err error) {
	u := c.base + "/api/photos/" + url.PathEscape(id)
	req, err := http.NewRequestWithContext(ctx, http.MethodDelete, u, nil)
	if err != nil {
		return 0, "", err
	}
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := c.http.Do(req)
	if err != nil {
		return 0, "", fmt.Errorf("%w: DELETE %s: %v", ErrUnavailable, u, err)
	}
	defer resp.Body.Close()
	io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	if resp.StatusCode >= 500 {
		return resp.StatusCode, "", fmt.Errorf("%w: DELETE %s answered %d", ErrUnavailable, u, resp.StatusCode)
	}
	return resp.StatusCode, resp.Header.Get("WWW-Authenticate"), nil
}

func (c *Client) get(ctx context.Context, token, path string, limit int64) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.base+path, nil)
	if err != nil {
		return nil, err
	}
	// RFC 6750 §2.1: the token goes in the Authorization header, never in the URL.
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, fmt.Errorf("%w: GET %s: %v", ErrUnavailable, c.base+path, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, limit))
	if err != nil {
		return nil, fmt.Errorf("%w: reading %s: %v", ErrUnavailable, path, err)
	}
	switch {
	case resp.StatusCode == http.StatusOK:
		return body, nil
	case resp.StatusCode == http.StatusUnauthorized:
		return nil, fmt.Errorf("%w: %s", ErrUnauthorized, resp.Header.Get("WWW-Authenticate"))
	case resp.StatusCode == http.StatusForbidden:
		return nil, fmt.Errorf("%w: %s", ErrForbidden, resp.Header.Get("WWW-Authenticate"))
	case resp.StatusCode == http.StatusNotFound:
		return nil, ErrNotFound
	default:
		return nil, fmt.Errorf("%w: GET %s answered %d", ErrUnavailable, path, resp.StatusCode)
	}
}
