package web

import (
	"slices"
	"testing"

	"github.com/valet/printing/internal/flow"
)

// RFC 6749 §4.1 (A) and (C): the client directs the user agent to the authorization endpoint,
// and the authorization server redirects the user agent back. A front-channel message between
// two servers is two hops through the browser; nothing else is split.
func TestFrontChannelHops(t *testing.T) {
	tests := []struct {
		name     string
		channel  flow.Channel
		from, to flow.Lane
		want     [][2]flow.Lane
	}{
		{"RFC 6749 §4.1 (A): the authorization request goes through the browser", flow.Front, flow.PrintShop, flow.Accounts,
			[][2]flow.Lane{{flow.PrintShop, flow.Browser}, {flow.Browser, flow.Accounts}}},
		{"RFC 6749 §4.1 (C): the redirect back goes through the browser", flow.Front, flow.Accounts, flow.PrintShop,
			[][2]flow.Lane{{flow.Accounts, flow.Browser}, {flow.Browser, flow.PrintShop}}},
		{"RFC 6749 §4.1 (B): sign-in and consent are between the browser and Accounts only", flow.Front, flow.Browser, flow.Accounts,
			[][2]flow.Lane{{flow.Browser, flow.Accounts}}},
		{"RFC 6749 §4.1 (D): the token request is server to server", flow.Back, flow.PrintShop, flow.Accounts,
			[][2]flow.Lane{{flow.PrintShop, flow.Accounts}}},
		{"a note on one lane stays there", flow.Back, flow.PrintShop, flow.PrintShop,
			[][2]flow.Lane{{flow.PrintShop, flow.PrintShop}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := frontChannelHops(tc.channel, tc.from, tc.to); !slices.Equal(got, tc.want) {
				t.Errorf("got %v, want %v", got, tc.want)
			}
		})
	}
}

// The lanes stand so that no front-channel hop crosses a third lane: the browser is next to
// both PrintShop and Accounts. Sign-in and consent then never cross PrintShop's lane.
func TestLanesPutTheBrowserBetweenPrintShopAndAccounts(t *testing.T) {
	for _, pair := range [][2]flow.Lane{{flow.PrintShop, flow.Browser}, {flow.Browser, flow.Accounts}, {flow.PrintShop, flow.Photos}} {
		if d := laneIndex(pair[0]) - laneIndex(pair[1]); d != 1 && d != -1 {
			t.Errorf("lanes %s and %s are %d apart, want neighbours", pair[0], pair[1], d)
		}
	}
}
