package web

// The front channel goes through the browser. RFC 6749 §4.1, figure 3: "(A) The client
// initiates the flow by directing the resource owner's user-agent to the authorization
// endpoint" and "(C) ... the authorization server redirects the user-agent back to the client
// using the redirection URI". PrintShop and Accounts never talk to each other on the front
// channel: each answers the browser with a redirect, and the browser makes the next request.

import "github.com/valet/printing/internal/flow"

// frontChannelHops returns the hops a message really took, as (from, to) pairs of lanes. A
// front-channel message between two servers is two hops through the browser: the redirect to
// the browser, then the browser's request to the other server. Anything else is one hop.
func frontChannelHops(channel flow.Channel, from, to flow.Lane) [][2]flow.Lane {
	if channel == flow.Front && from != flow.Browser && to != flow.Browser && from != to {
		return [][2]flow.Lane{{from, flow.Browser}, {flow.Browser, to}}
	}
	return [][2]flow.Lane{{from, to}}
}
