package web

import (
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"slices"
)

// maxFormBytes caps every form body. PrintShop's forms are a few hundred bytes.
const maxFormBytes = 64 << 10

// readForm reads a posted application/x-www-form-urlencoded form. A field given twice is an
// error unless it is listed in repeatable (the photo checkboxes of an order).
func readForm(r *http.Request, repeatable ...string) (url.Values, error) {
	mediaType, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || mediaType != "application/x-www-form-urlencoded" {
		return nil, errors.New("the form must be sent as application/x-www-form-urlencoded")
	}
	body, err := io.ReadAll(http.MaxBytesReader(nil, r.Body, maxFormBytes))
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		return nil, fmt.Errorf("the form is larger than %d KiB", maxFormBytes>>10)
	}
	if err != nil {
		return nil, fmt.Errorf("the form could not be read: %v", err)
	}
	values, err := url.ParseQuery(string(body))
	if err != nil {
		return nil, fmt.Errorf("the form is not valid form encoding: %v", err)
	}
	for name, vs := range values {
		if len(vs) > 1 && !slices.Contains(repeatable, name) {
			return nil, fmt.Errorf("the form field %q is repeated", name)
		}
	}
	return values, nil
}
