// Package prometheus holds the Prometheus alert rules and scrape
// configuration shipped with otelcol-elemta; its tests run promtool on them.
package prometheus

import (
	"os"
	"os/exec"
	"testing"

	"github.com/stretchr/testify/require"
)

// promtool returns the path of promtool; outside CI a machine without it
// skips the tests, in CI (.ci/run installs Debian's prometheus) it fails.
func promtool(t *testing.T) string {
	t.Helper()
	path, err := exec.LookPath("promtool")
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("promtool is missing: apt-get install prometheus")
		}
		t.Skip("promtool is missing (apt-get install prometheus); CI runs these tests")
	}
	return path
}

func TestRules(t *testing.T) {
	tool := promtool(t)
	tests := []struct {
		name string
		args []string
	}{
		{"the rules are valid", []string{"check", "rules", "alerts.yaml"}},
		{"the scrape configuration is valid", []string{"check", "config", "prometheus.yml"}},
		{"every rule passes its unit tests", []string{"test", "rules", "alerts_test.yaml"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, err := exec.Command(tool, tt.args...).CombinedOutput()
			require.NoError(t, err, "promtool %v:\n%s", tt.args, out)
		})
	}
}
