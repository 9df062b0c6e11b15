package web

import (
	"bytes"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/labstack/echo/v4"
)

// A class watches the logs on a projector: at the default level (info) each protocol request
// is one line, and health checks and static files, which Compose and browsers send all the
// time, are not there. At debug, they are.
func TestRequestLogIsQuietAtInfo(t *testing.T) {
	tests := []struct {
		name  string
		level slog.Level
		path  string
		lines int
	}{
		{"a protocol request is one line at info", slog.LevelInfo, "/token", 1},
		{"a health check is silent at info", slog.LevelInfo, "/healthz", 0},
		{"a static file is silent at info", slog.LevelInfo, "/static/style.css", 0},
		{"a health check is one line at debug", slog.LevelDebug, "/healthz", 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var logs bytes.Buffer
			logger := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: tc.level}))
			e := echo.New()
			handler := requestLog(logger)(func(c echo.Context) error { return c.String(http.StatusOK, "ok") })
			c := e.NewContext(httptest.NewRequest(http.MethodGet, tc.path, nil), httptest.NewRecorder())
			if err := handler(c); err != nil {
				t.Fatal(err)
			}
			if got := strings.Count(logs.String(), "msg=request"); got != tc.lines {
				t.Errorf("got %d log lines, want %d:\n%s", got, tc.lines, logs.String())
			}
		})
	}
}
