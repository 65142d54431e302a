package e2e

import (
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/elemta/otelcol-elemta/testbed/esdouble"
)

// TestAgentsThroughAGateway runs the OTLP tier with two built collectors:
// an agent (examples/agent-otlp.yaml) reads and enriches the lines, a
// gateway (examples/gateway-otlp.yaml) indexes them. Every line becomes one
// document, with the fields the agent gave it, also across a restart of
// the gateway while the agent keeps reading.
func TestAgentsThroughAGateway(t *testing.T) {
	es := esdouble.New()
	defer es.Close()
	dist := distDir(t)
	gatewayPort := strconv.Itoa(freePort(t))

	gatewayEnv := defaultEnv(t.TempDir(), t.TempDir(), es.URL())
	gatewayEnv["OTLP_LISTEN"] = "127.0.0.1:" + gatewayPort
	gatewayConfigs := []string{filepath.Join(dist, "config.yaml"), filepath.Join(dist, "examples", "gateway-otlp.yaml")}
	gateway := startCollector(t, gatewayEnv, gatewayConfigs...)

	logDir := t.TempDir()
	agentEnv := defaultEnv(logDir, t.TempDir(), "http://127.0.0.1:1")
	agentEnv["OTLP_ENDPOINT"] = "127.0.0.1:" + gatewayPort
	agentEnv["OTLP_INSECURE"] = "true"
	agent := startCollector(t, agentEnv, filepath.Join(dist, "config.yaml"), filepath.Join(dist, "examples", "agent-otlp.yaml"))

	first := sampleLines(t)
	appendLines(t, filepath.Join(logDir, "elemta.log"), first)
	requireEachOnce(t, es, first)

	gateway.stop(t)
	second := numberedLines("while the gateway restarts", 200)
	appendLines(t, filepath.Join(logDir, "elemta.log"), second)
	time.Sleep(time.Second) // the agent reads them and queues them
	gateway = startCollector(t, gatewayEnv, gatewayConfigs...)
	requireEachOnce(t, es, append(append([]string{}, first...), second...))

	enriched := 0
	for _, d := range es.Documents() {
		if d.Source["mta_flow"] != nil && d.Source["event_type"] != nil {
			enriched++
		}
	}
	assert.Equal(t, len(es.Documents()), enriched, "every document has the agent's fields")
	require.NotEmpty(t, es.Documents())
	agent.stop(t)
	gateway.stop(t)
}
