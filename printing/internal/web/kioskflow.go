package web

// The kiosk's walkthrough, /flow/kiosk: the device authorization grant (RFC 8628) as the photo
// kiosk (printing kiosk) recorded it, drawn in four lanes: Alice's phone, the kiosk, Accounts
// and Photos. Every poll of the token endpoint is a back-channel row of its own, so the
// pending answers, slow_down and the final tokens can be read one by one. The kiosk masked the
// device code and the tokens before it saved the visit.

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/valet/printing/internal/flow"
	"github.com/valet/printing/internal/store"
)

// kioskLanes are the diagram's columns. The kiosk takes PrintShop's place, and its colour: it
// is PrintShop's device.
var kioskLanes = []kioskLane{
	{flow.Browser, "Alice's phone", "browser", "browser"},
	{"kiosk", "Kiosk", "client (device)", "printshop"},
	{flow.Accounts, "Accounts", "authorization server", "accounts"},
	{flow.Photos, "Photos", "resource server", "photos"},
}

type kioskLane struct {
	Lane             flow.Lane
	Name, Role, Look string
}

type kioskFlowPage struct {
	HasVisit bool
	Started  time.Time
	Lanes    []kioskLane
	Steps    []kioskStep
	Polls    int
}

// kioskStep is one row of the diagram.
type kioskStep struct {
	Number             int
	Title, Note, Class string
	ChannelLabel       string
	Route, Arrow       string
	Clock              string
	Wire               string // "POST /token → 400": the request at a glance
	Request, Response  flow.Message
	Form               url.Values // the request body, when it is a form
}

// handleKioskFlow shows the signed-in user's latest kiosk visit. PrintShop and Accounts name
// the demo users alike, so the visit of Accounts user alice is shown to PrintShop user alice.
func handleKioskFlow(a *app) echo.HandlerFunc {
	return func(c echo.Context) error {
		sess, err := a.signedIn(c)
		if err != nil {
			return err
		}
		visit, err := a.store.KioskVisit(c.Request().Context(), sess.Username)
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			return err
		}
		data := kioskFlowPage{HasVisit: err == nil, Started: visit.Started, Lanes: kioskLanes}
		for i, e := range visit.Events {
			data.Steps = append(data.Steps, kioskStepOf(i+1, e))
			if e.Kind == "poll" {
				data.Polls++
			}
		}
		return a.pages.render(c, http.StatusOK, "kioskflow.html", pageData{Title: "The photo kiosk: what really happened",
			User: sess.Username, CSRFToken: sess.CSRFToken, Data: data})
	}
}

// handleKioskProof serves the proof the kiosk printed on the user's latest visit.
func handleKioskProof(a *app) echo.HandlerFunc {
	return func(c echo.Context) error {
		sess, err := a.signedIn(c)
		if err != nil {
			return err
		}
		visit, err := a.store.KioskVisit(c.Request().Context(), sess.Username)
		if errors.Is(err, store.ErrNotFound) {
			return &pageError{Status: http.StatusNotFound, Title: "No kiosk visit", Message: "You have not printed anything at the kiosk yet."}
		}
		if err != nil {
			return err
		}
		c.Response().Header().Set("Cache-Control", "private, no-cache")
		return c.Blob(http.StatusOK, "image/jpeg", visit.Proof)
	}
}

func kioskStepOf(n int, e flow.Event) kioskStep {
	s := kioskStep{Number: n, Title: e.Title, Note: e.Note, Class: string(e.Channel), Request: e.Request, Response: e.Response,
		Route: kioskLaneName(e.From) + " → " + kioskLaneName(e.To), Arrow: kioskArrow(e.From, e.To)}
	switch e.Channel {
	case flow.Front:
		s.ChannelLabel = "front channel"
	case flow.Back:
		s.ChannelLabel = "back channel"
	default:
		s.Class, s.ChannelLabel = "note", "on the screen"
	}
	if form, err := url.ParseQuery(e.Request.Body); err == nil && e.Request.Body != "" && e.Request.Body[0] != '{' {
		s.Form = form
	}
	if !e.At.IsZero() {
		s.Clock = e.At.UTC().Format("15:04:05")
	}
	if u, err := url.Parse(e.Request.URL); err == nil && e.Request.Method != "" {
		s.Wire = e.Request.Method + " " + u.EscapedPath()
		if e.Response.Status != 0 {
			s.Wire += fmt.Sprintf(" → %d", e.Response.Status)
		}
	}
	return s
}

func kioskLaneIndex(l flow.Lane) int {
	return slices.IndexFunc(kioskLanes, func(k kioskLane) bool { return k.Lane == l })
}

func kioskLaneName(l flow.Lane) string {
	if i := kioskLaneIndex(l); i >= 0 {
		return kioskLanes[i].Name
	}
	return string(l)
}

// kioskArrow places the arrow with /flow's CSS classes: lo-N starts it at lane N, len-N spans
// N lanes, ltr or rtl points it.
func kioskArrow(from, to flow.Lane) string {
	f, t := kioskLaneIndex(from), kioskLaneIndex(to)
	switch {
	case f < 0 || t < 0 || f == t:
		return ""
	case f < t:
		return fmt.Sprintf("lo-%d len-%d ltr", f, t-f)
	}
	return fmt.Sprintf("lo-%d len-%d rtl", t, f-t)
}
