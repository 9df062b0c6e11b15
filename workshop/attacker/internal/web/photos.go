package web

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
)

// tryAtPhotos calls Photos' API with a token, as its bearer (RFC 6750 §2.1), and says what
// happened: how many of the victim's photos the attacker now sees, or why Photos refused.
func (a *attacker) tryAtPhotos(ctx context.Context, token string) string {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, a.cfg.PhotosBackChannel+"/api/photos", nil)
	if err != nil {
		return err.Error()
	}
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := a.client.Do(req)
	if err != nil {
		return "Photos could not be reached: " + err.Error()
	}
	defer resp.Body.Close()
	var body struct {
		Photos           []struct{ Title string } `json:"photos"`
		ErrorDescription string                   `json:"error_description"`
	}
	json.NewDecoder(resp.Body).Decode(&body)
	if resp.StatusCode == http.StatusOK {
		return fmt.Sprintf("ACCEPTED (200): the attacker sees %d photos", len(body.Photos))
	}
	return fmt.Sprintf("refused (%d): %s", resp.StatusCode, body.ErrorDescription)
}
