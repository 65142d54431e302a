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

	config, err := os.ReadFile(filepath.Join("..", "config.yaml"))
	require.NoError(t, err)
	contract := map[string]bool{}
	for _, m := range regexp.MustCompile(`\$\{env:([A-Z0-9_]+)`).FindAllStringSubmatch(string(config), -1) {
		contract[m[1]] = true
	}
	for key := range collector.Environment {
		assert.True(t, contract[key], "%s is a variable of the default configuration", key)
	}

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
