package metrics_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestPromtoolAcceptsTheAlertRules runs `promtool check rules` on
// docs/alerts.yml. promtool comes with Debian's prometheus package, which
// scripts/install-test-deps installs; without it the test fails as root or
// under CI (where it must have been installed) and skips elsewhere.
func TestPromtoolAcceptsTheAlertRules(t *testing.T) {
	promtool, err := exec.LookPath("promtool")
	if err != nil {
		if os.Getenv("CI") != "" || os.Geteuid() == 0 {
			t.Fatal("promtool is missing: run scripts/install-test-deps (installs Debian's prometheus package)")
		}
		t.Skip("promtool is missing (Debian's prometheus package; scripts/install-test-deps installs it as root): alert rules not checked")
	}
	rules := filepath.Join("..", "..", "docs", "alerts.yml")
	out, err := exec.Command(promtool, "check", "rules", rules).CombinedOutput()
	if err != nil {
		t.Fatalf("promtool check rules %s: %v\n%s", rules, err, out)
	}
	// Each alert the issue asks for is there.
	data, err := os.ReadFile(rules)
	if err != nil {
		t.Fatal(err)
	}
	for _, alert := range []string{"EspaceFamilleBackupMissing", "EspaceFamilleOutboxFailing", "EspaceFamilleHigh5xxRate", "EspaceFamillePaymentsStuckPending"} {
		if !strings.Contains(string(data), "alert: "+alert+"\n") {
			t.Errorf("alert %s missing from %s", alert, rules)
		}
	}
	// A broken rule file is refused: the check can fail.
	broken := filepath.Join(t.TempDir(), "broken.yml")
	os.WriteFile(broken, []byte(strings.Replace(string(data), "> 26 * 3600", "> > 26", 1)), 0o600)
	if out, err := exec.Command(promtool, "check", "rules", broken).CombinedOutput(); err == nil {
		t.Fatalf("promtool accepted a broken rule:\n%s", out)
	}
}
