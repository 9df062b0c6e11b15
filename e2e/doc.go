// Package e2e tests Valet end to end: it builds the three real binaries (Accounts, Photos and
// PrintShop), starts them on loopback ports with their own databases, and drives the whole
// delegated-access flow, over HTTP as a browser would (one cookie jar for all three services),
// and in a real headless Chromium, as a student does in class.
//
// The tests live in the _test.go files; run them with `go test ./...` in this folder:
//
//   - flow_test.go: the flow over HTTP, each hop of the protocol asserted.
//   - browser_test.go: the walkthrough in Chromium, driven with chromedp, a screenshot of every
//     step. Without Chromium these tests skip (`sudo apt-get install -y chromium`); with CI set,
//     they fail instead.
//   - walkthrough_test.go: PrintShop's /flow after a real flow, and each of its experiments run
//     for real against Accounts and Photos, over HTTP.
//   - screenshots_test.go: with E2E_SCREENSHOTS set to a folder, renders the README's
//     screenshots there from a real flow in Chromium (`make screenshots`).
//   - external_test.go: E2E_STACK=external runs the same tests against a stack someone else
//     started, such as `docker compose up`.
//   - faults_test.go: under load and faults: 200 flows at once, 50 refreshes at once, SIGTERM of
//     Accounts under load, Accounts or Photos down; outcomes asserted, never times.
//
// cmd/loadgen is the load tool of `make load` and `make bench-report` (docs/PERFORMANCE.md).
//
// The module imports none of the service modules: it only talks to them over HTTP, and reads
// PrintShop's SQLite file where a test must check what PrintShop holds.
package e2e
