package web

import (
	"log/slog"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
)

// Keys under which handlers leave details for the request log line.
const (
	logErrorKey  = "log_error"
	logClientKey = "log_client_id"
)

// securityHeaders keeps PrintShop's pages out of frames, its URLs (with their state and code)
// out of Referer headers, and content types from being sniffed.
func securityHeaders(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		h := c.Response().Header()
		// Scripts only from PrintShop itself: the walkthrough's countdown and the implicit-flow
		// exhibit. Never inline, so an injected <script> cannot run.
		h.Set("Content-Security-Policy", "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("X-Content-Type-Options", "nosniff")
		return next(c)
	}
}

// requestLog writes one line per request. It logs the path but never the query string or body:
// the callback's query carries the code and state, and forms carry passwords.
func requestLog(logger *slog.Logger) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			start := time.Now()
			err := next(c)
			if err != nil {
				c.Error(err)
			}
			attrs := []any{
				"method", c.Request().Method,
				"path", c.Request().URL.Path,
				"status", c.Response().Status,
				"duration_ms", float64(time.Since(start).Microseconds()) / 1000,
			}
			if v, ok := c.Get(logClientKey).(string); ok && v != "" {
				attrs = append(attrs, "client_id", v)
			}
			if v, ok := c.Get(logErrorKey).(string); ok && v != "" {
				attrs = append(attrs, "error", v)
			}
			logger.Log(c.Request().Context(), requestLevel(c.Request().URL.Path), "request", attrs...)
			return nil
		}
	}
}

// requestLevel is the level of a request's log line. Health checks (every few seconds from
// Compose) and static files are debug: at the default level, info, the log shows the protocol
// traffic a class came to watch, one line per request, and nothing that buries it.
func requestLevel(path string) slog.Level {
	if path == "/healthz" || strings.HasPrefix(path, "/static/") {
		return slog.LevelDebug
	}
	return slog.LevelInfo
}
