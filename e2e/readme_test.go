package e2e

// The README's curl walkthrough, run the way the README shows it: its marked shell blocks are
// read from README.md and run with bash against the stack, with only the URLs changed to the
// stack's. The README text and the tested commands cannot drift apart.

import (
	"context"
	"html"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// readmeWalkthrough is the README's curl walkthrough: its shell blocks and the authorization
// URL a person opens in a browser.
type readmeWalkthrough struct {
	Blocks       []string
	AuthorizeURL string
}

var (
	readmeSection   = regexp.MustCompile(`(?s)<!-- curl-walkthrough:begin -->(.*?)<!-- curl-walkthrough:end -->`)
	readmeShell     = regexp.MustCompile("(?s)```sh\n(.*?)```")
	readmeAuthorize = regexp.MustCompile(`<(http://localhost:9001/authorize\?[^>]+)>`)
	readmeCodeLine  = regexp.MustCompile(`id="code-line">(CODE=[^<]+)<`)
)

func readReadme(t *testing.T) readmeWalkthrough {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	section := readmeSection.FindStringSubmatch(string(data))
	if section == nil {
		t.Fatal("README.md has no curl-walkthrough section")
	}
	var w readmeWalkthrough
	for _, m := range readmeShell.FindAllStringSubmatch(section[1], -1) {
		w.Blocks = append(w.Blocks, m[1])
	}
	if m := readmeAuthorize.FindStringSubmatch(section[1]); m != nil {
		w.AuthorizeURL = m[1]
	}
	if len(w.Blocks) != 2 || w.AuthorizeURL == "" {
		t.Fatalf("the curl walkthrough has %d shell blocks and authorization URL %q, want 2 and one", len(w.Blocks), w.AuthorizeURL)
	}
	return w
}

// onStack points the README's default URLs at the stack.
func onStack(s *stack, text string) string {
	return strings.NewReplacer("http://localhost:9001", s.AuthURL, "http://localhost:9002", s.PhotosURL,
		"http://localhost:9000", s.PrintURL).Replace(text)
}

// runShell runs a script with bash, -e and pipefail, and returns what it printed.
func runShell(t *testing.T, script string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "bash", "-e", "-o", "pipefail", "-c", script)
	cmd.Dir = t.TempDir()
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("the README's commands failed: %v\n--- script\n%s\n--- output\n%s", err, script, out)
	}
	return string(out)
}

func TestReadmeCurlWalkthrough(t *testing.T) {
	if _, err := exec.LookPath("curl"); err != nil {
		t.Skip("curl is not installed: the README's curl walkthrough needs it")
	}
	w := readReadme(t)
	s := startStack(t, stackOptions{})

	out := runShell(t, onStack(s, w.Blocks[0]))
	for _, want := range []string{`"issuer":"` + s.AuthURL + `"`, `"keys":[`, "HTTP/1.1 401", "WWW-Authenticate: Basic",
		"error=unsupported_response_type", "\n400\n"} {
		if !strings.Contains(out, want) {
			t.Errorf("the first block's output lacks %q:\n%s", want, out)
		}
	}

	// The browser part: sign in, allow, and read the CODE= line from Accounts' code page.
	auth := newBrowser(t).authorizeAtAccounts(s, onStack(s, w.AuthorizeURL), "alice", "wonderland", "allow")
	if auth.Callback.Path != "/code" {
		t.Fatalf("the authorization ended at %s, want Accounts' code page", auth.Callback)
	}
	codePage := newBrowser(t).get(auth.Callback.String())
	m := readmeCodeLine.FindStringSubmatch(codePage.Body)
	if m == nil || !strings.Contains(codePage.Body, "seconds left") {
		t.Fatalf("the code page shows no CODE= line with its time left:\n%s", excerpt(codePage.Body))
	}
	// The README's first line stands for the line the page shows: paste it in its place.
	first, rest, _ := strings.Cut(w.Blocks[1], "\n")
	if !strings.HasPrefix(first, "CODE=") {
		t.Fatalf("the second block starts with %q, want the CODE= line to replace", first)
	}
	out = runShell(t, html.UnescapeString(m[1])+"\n"+onStack(s, rest))
	for _, want := range []string{`"access_token":"`, `"photos":[`, `"error":"invalid_grant"`, `{"active":false}`} {
		if !strings.Contains(out, want) {
			t.Errorf("the second block's output lacks %q:\n%s", want, out)
		}
	}
}
