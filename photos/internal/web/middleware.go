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

// securityHeaders keeps Photos' pages out of frames, URLs out of Referer, and content types
// from being sniffed.
func securityHeaders(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		h := c.Response().Header()
		h.Set("Content-Security-Policy", "default-src 'none'; style-src 'self'; img-src 'self'; script-src 'self'; connect-src 'self'; base-uri 'none'; frame-ancestors 'none'")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("X-Content-Type-Options", "nosniff")
		return next(c)
	}
}

// noStoreAPI keeps API answers, which are one user's data, out of shared caches.
func noStoreAPI(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		c.Response().Header().Set("Cache-Control", "no-store")
		return next(c)
	}
}

// requestLog writes one line per request: the path, never the query (a client might put a
// token there) and never the Authorization header.
func requestLog(logger *slog.Logger) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			start := time.Now()
			if err := next(c); err != nil {
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
