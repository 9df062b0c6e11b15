// Package e2e tests Valet end to end: it builds the three real binaries (Accounts, Photos and
// PrintShop), starts them on loopback ports with their own databases, and drives the whole
// delegated-access flow over HTTP as a browser would, one cookie jar for all three services.
//
// The tests live in the _test.go files; run them with `go test ./...` in this folder. The
// module imports none of the service modules: it only talks to them over HTTP, and reads
// PrintShop's SQLite file where a test must check what PrintShop holds.
package e2e
