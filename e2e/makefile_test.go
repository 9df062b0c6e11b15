package e2e

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// `make test` prints, before it starts, the line a browser test skips with when Chromium is
// missing outside CI: go test shows no skip message of a passing package, and the README
// promises the line. The Makefile and chromiumMissing must say the same.
func TestMakefilePrintsTheBrowserSkipLine(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("..", "Makefile"))
	if err != nil {
		t.Fatal(err)
	}
	makefile := string(data)
	if !strings.Contains(makefile, "CHROMIUM_MISSING := "+chromiumMissing+"\n") {
		t.Errorf("the Makefile's CHROMIUM_MISSING is not chromiumMissing (%q)", chromiumMissing)
	}
	if !strings.Contains(makefile, "the browser tests will skip: $(CHROMIUM_MISSING)") {
		t.Error("make test does not print CHROMIUM_MISSING")
	}
}
