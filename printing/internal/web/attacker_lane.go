package web

// The attack lab's fifth lane of /flow (workshop/attacks/): when a flow is recorded under an
// attack, the attacker's steps are drawn in red, in a lane right of Accounts. A flow without
// attacker steps keeps the four lanes of OAuth.

import (
	"net/http"
	"slices"

	"github.com/labstack/echo/v4"

	"github.com/valet/printing/internal/flow"
	"github.com/valet/printing/internal/store"
)

// attackerLane is the fifth column: whoever sent the browser an answer PrintShop never asked for.
var attackerLane = laneInfo{flow.Attacker, "The attacker", "no OAuth role"}

// lanesFor is the diagram's columns for a flow: the four of OAuth, and the attacker's when any
// step involves the attacker.
func lanesFor(events []flow.Event) []laneInfo {
	if slices.ContainsFunc(events, func(e flow.Event) bool { return e.From == flow.Attacker || e.To == flow.Attacker }) {
		return append(slices.Clone(lanes), attackerLane)
	}
	return lanes
}

// recordForeignAnswer starts a new flow for the user with an answer at the callback that no
// connect attempt of this browser asked for: with PRINTING_INSECURE_SKIP_STATE on, PrintShop acts
// on it anyway. It came through the browser from someone else's page: the attacker's lane.
func (a *app) recordForeignAnswer(c echo.Context, sess store.Session, note string, refused bool) {
	if sess.Username == "" {
		return
	}
	ctx := c.Request().Context()
	if err := a.flows.Start(ctx, sess.Username); err != nil {
		return
	}
	e := flow.Event{
		Kind: "callback", Title: "An answer PrintShop never asked for: another page sent your browser to PrintShop's callback",
		Channel: flow.Front, From: flow.Attacker, To: flow.PrintShop,
		Request: flow.Message{Method: http.MethodGet, URL: a.publicURL + c.Request().URL.RequestURI()},
		Note:    note + " You did not press Connect: this flow began at the attacker's page (login CSRF, RFC 6749 §10.12).",
	}
	if refused {
		e.Refused = note
	}
	a.flows.Record(ctx, sess.Username, e)
}
