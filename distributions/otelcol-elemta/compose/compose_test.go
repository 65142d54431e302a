// Package compose holds a Docker Compose stack for trying otelcol-elemta
// (Docker is not available where the tests run: the test checks the file
// against the repository, not a running stack).
package compose

import (
	"os"
	"path/filepath"
	"regexp"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gopkg.in/yaml.v3"
)

type service struct {
	Image string `yaml:"image"`
	Build *struct {
		Context    string `yaml:"context"`
		Dockerfile string `yaml:"dockerfile"`
	} `yaml:"build"`
	Environment map[string]string `yaml:"environment"`
	Volumes     []string          `yaml:"volumes"`
	Command     []string          `yaml:"command"`
	Profiles    []string          `yaml:"profiles"`
}

// configVariables are the ${env:...} variables of configuration files.
func configVariables(t *testing.T, files ...string) map[string]bool {
	t.Helper()
	out := map[string]bool{}
	for _, f := range files {
		config, err := os.ReadFile(f)
		require.NoError(t, err)
		for _, m := range regexp.MustCompile(`\$\{env:([A-Z0-9_]+)`).FindAllStringSubmatch(string(config), -1) {
			out[m[1]] = true
		}
	}
	return out
}

func TestComposeFile(t *testing.T) {
	data, err := os.ReadFile("docker-compose.yml")
	require.NoError(t, err)
	var stack struct {
		Services map[string]service `yaml:"services"`
		Volumes  map[string]any     `yaml:"volumes"`
	}
	require.NoError(t, yaml.Unmarshal(data, &stack))
	for _, name := range []string{"elasticsearch", "kibana", "elemta", "otelcol-elemta"} {
		require.Contains(t, stack.Services, name)
	}

	collector := stack.Services["otelcol-elemta"]
	require.NotNil(t, collector.Build)
	_, err = os.Stat(filepath.Join(collector.Build.Context, collector.Build.Dockerfile))
	require.NoError(t, err, "the collector is built from the repository's Dockerfile")

	contract := configVariables(t, filepath.Join("..", "config.yaml"))
	for key := range collector.Environment {
		assert.True(t, contract[key], "%s is a variable of the default configuration", key)
	}

	// The Kafka tier: an agent and two gateways on the image's overlays,
	// which ship with it (/etc/otelcol-elemta/examples).
	tier := map[string]string{
		"otelcol-elemta-agent": "agent-kafka.yaml", "otelcol-elemta-gateway-1": "gateway-kafka.yaml", "otelcol-elemta-gateway-2": "gateway-kafka.yaml",
	}
	require.Contains(t, stack.Services, "kafka")
	for name, overlay := range tier {
		s, ok := stack.Services[name]
		require.True(t, ok, name)
		assert.Equal(t, []string{"kafka"}, s.Profiles, "%s: only with --profile kafka", name)
		assert.Equal(t, []string{"--config=/etc/otelcol-elemta/config.yaml", "--config=/etc/otelcol-elemta/examples/" + overlay}, s.Command, name)
		vars := configVariables(t, filepath.Join("..", "config.yaml"), filepath.Join("..", "examples", overlay))
		for key := range s.Environment {
			assert.True(t, vars[key], "%s: %s is a variable of its configuration", name, key)
		}
	}
	dockerfile, err := os.ReadFile(filepath.Join("..", "Dockerfile"))
	require.NoError(t, err)
	assert.Contains(t, string(dockerfile), "COPY distributions/otelcol-elemta/examples /etc/otelcol-elemta/examples")

	for name, s := range stack.Services {
		for _, v := range s.Volumes {
			source := regexp.MustCompile(`^([^:/.]+):`).FindStringSubmatch(v)
			if source != nil {
				assert.Contains(t, stack.Volumes, source[1], "service %s mounts a declared volume", name)
			}
		}
	}
	assert.Contains(t, collector.Volumes, "elemta-logs:/var/log/elemta:ro", "the collector reads Elemta's log volume")
	assert.Contains(t, stack.Services["elemta"].Volumes, "elemta-logs:/app/logs", "where Elemta writes its JSON log")
}
