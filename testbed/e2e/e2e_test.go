package e2e

import (
	"fmt"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.yaml.in/yaml/v3"

	"github.com/elemta/otelcol-elemta/testbed/esdouble"
)

func TestComponents(t *testing.T) {
	out, err := exec.Command(binary(t), "components").CombinedOutput()
	require.NoError(t, err, string(out))

	var listed map[string]any
	require.NoError(t, yaml.Unmarshal(out, &listed))
	var components map[string][]struct {
		Name string `yaml:"name"`
	}
	delete(listed, "buildinfo")
	remarshalled, err := yaml.Marshal(listed)
	require.NoError(t, err)
	require.NoError(t, yaml.Unmarshal(remarshalled, &components))
	names := func(kind string) []string {
		var n []string
		for _, c := range components[kind] {
			n = append(n, c.Name)
		}
		return n
	}

	want := map[string][]string{
		"receivers":  {"elemta", "file_log", "otlp"},
		"processors": {"batch", "memory_limiter", "transform", "filter", "attributes", "resource"},
		"exporters": {
			"elasticsearch", "durable_elasticsearch", "prometheus", "otlp_grpc", "otlp_http", "kafka", "file", "debug",
		},
		"connectors": {"signal_to_metrics"},
		"extensions": {"file_storage", "health_check", "pprof", "zpages", "bearertokenauth", "elemtasetup"},
	}
	for kind, components := range want {
		t.Run(kind, func(t *testing.T) {
			got := names(kind)
			for _, c := range components {
				assert.Contains(t, got, c)
			}
		})
	}
}

func TestValidateShippedConfigs(t *testing.T) {
	dist := distDir(t)
	tests := []struct {
		name    string
		configs []string
		wantErr string
	}{
		{name: "default", configs: []string{"config.yaml"}},
		{name: "Elasticsearch metrics overlay", configs: []string{"config.yaml", "elasticsearch-metrics.yaml"}},
		{name: "fleet: Elasticsearch and a central collector over OTLP", configs: []string{"config.yaml", "examples/central-otlp.yaml"}},
		{name: "fleet: agent publishing to Kafka", configs: []string{"config.yaml", "examples/agent-kafka.yaml"}},
		{name: "fleet: air-gapped host writing files", configs: []string{"config.yaml", "examples/airgapped-file.yaml"}},
		{name: "fleet: agent handing records to a gateway over OTLP", configs: []string{"config.yaml", "examples/agent-otlp.yaml"}},
		{name: "fleet: gateway indexing the agents' records", configs: []string{"config.yaml", "examples/gateway-otlp.yaml"}},
		{name: "fleet: gateway indexing the agents' Kafka topic", configs: []string{"config.yaml", "examples/gateway-kafka.yaml"}},
		{
			name:    "inner queue is a config error naming the key",
			configs: []string{"config.yaml", "../../testbed/e2e/testdata/inner_queue.yaml"},
			wantErr: "elasticsearch::sending_queue must not be set",
		},
		{
			name:    "retries turned off is a config error naming the key",
			configs: []string{"config.yaml", "../../testbed/e2e/testdata/no_retry.yaml"},
			wantErr: "retry_on_failure::enabled is false",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			args := []string{"validate"}
			for _, c := range tt.configs {
				args = append(args, "--config", filepath.Join(dist, c))
			}
			out, err := exec.Command(binary(t), args...).CombinedOutput()
			if tt.wantErr == "" {
				require.NoError(t, err, string(out))
				return
			}
			require.Error(t, err)
			assert.Contains(t, string(out), tt.wantErr)
		})
	}
}

// sampleLines returns every line of the sample logs `make run` ships.
func sampleLines(t *testing.T) []string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(distDir(t), "samples", "*.log"))
	require.NoError(t, err)
	require.NotEmpty(t, files)
	var lines []string
	for _, f := range files {
		lines = append(lines, records(t, f)...)
	}
	return lines
}

func numberedLines(prefix string, n int) []string {
	lines := make([]string, n)
	for i := range lines {
		lines[i] = prefix + " " + strconv.Itoa(i)
	}
	return lines
}

// arrived counts documents by the log line they carry.
func arrived(es *esdouble.Server) map[string]int {
	got := map[string]int{}
	for _, d := range es.Documents() {
		got[esdouble.Message(d)]++
	}
	return got
}

// requireEachOnce waits until every line arrived, then checks none arrived twice.
func requireEachOnce(t *testing.T, es *esdouble.Server, lines []string) {
	t.Helper()
	want := map[string]int{}
	for _, l := range lines {
		want[indexed(l)]++
	}
	complete := assert.Eventually(t, func() bool {
		got := arrived(es)
		for l, n := range want {
			if got[l] < n {
				return false
			}
		}
		return true
	}, 60*time.Second, 100*time.Millisecond, "not every line arrived")
	got := arrived(es)
	if !complete {
		var missing []string
		for l := range want {
			if got[l] == 0 && len(missing) < 10 {
				missing = append(missing, l)
			}
		}
		var twice []string
		for l, n := range got {
			if n > 1 && len(twice) < 5 {
				twice = append(twice, fmt.Sprintf("%q x%d", l, n))
			}
		}
		t.Fatalf("%d documents; missing, for example: %q; more than once, for example: %v", len(es.Documents()), missing, twice)
	}
	for l, n := range want {
		assert.Equal(t, n, got[l], "line %q", l)
	}
}

// defaultEnv is the environment of the default configuration for a test.
// Its documents keep their lines (ELEMTA_KEEP_ORIGINAL: event.original),
// which the tests match documents to lines by (esdouble.Message); the
// default documents, without it, are checked by TestFirstRun and
// TestDocumentsSayWhatTheLinesSay.
func defaultEnv(logDir, storage, endpoint string) map[string]string {
	return map[string]string{
		"ELEMTA_LOG_PATHS":       filepath.Join(logDir, "*.log"),
		"OTELCOL_ELEMTA_STORAGE": storage,
		"ELASTICSEARCH_ENDPOINT": endpoint,
		"ELEMTA_KEEP_ORIGINAL":   "true",
	}
}

func TestLinesArriveAsDocuments(t *testing.T) {
	es := esdouble.New()
	defer es.Close()
	logDir := t.TempDir()
	logFile := filepath.Join(logDir, "elemta.log")

	written := sampleLines(t)
	appendLines(t, logFile, written)

	c := startCollector(t, defaultEnv(logDir, t.TempDir(), es.URL()),
		filepath.Join(distDir(t), "config.yaml"))

	more := numberedLines("appended while running", 200)
	appendLines(t, logFile, more)
	written = append(written, more...)

	requireEachOnce(t, es, written)
	for _, d := range es.Documents() {
		assert.True(t, strings.HasPrefix(d.Index, "elemta-logs-"), "index %q", d.Index)
	}
	c.stop(t)
}

// TestResentLinesLandOnTheirDocuments reads the same file twice (the
// second run has lost its checkpoints): every line is sent again under the
// id it had, Elasticsearch answers its create action with a 409 conflict,
// and the exporter counts it as delivered: nothing duplicated, dead-lettered
// or failed.
func TestResentLinesLandOnTheirDocuments(t *testing.T) {
	es := esdouble.New()
	defer es.Close()
	logDir := t.TempDir()
	lines := append(sampleLines(t), numberedLines("sent twice", 100)...)
	appendLines(t, filepath.Join(logDir, "elemta.log"), lines)
	config := filepath.Join(distDir(t), "config.yaml")

	first := startCollector(t, defaultEnv(logDir, t.TempDir(), es.URL()), config)
	requireEachOnce(t, es, lines)
	first.stop(t)
	ids := map[string]string{}
	for _, d := range es.Documents() {
		ids[d.Index+"/"+d.ID] = esdouble.Message(d)
	}

	second := startCollector(t, defaultEnv(logDir, t.TempDir(), es.URL()), config)
	require.Eventually(t, func() bool { return es.Outcomes()["create/conflict"] == len(lines) },
		30*time.Second, 50*time.Millisecond, "outcomes: %v", es.Outcomes())
	// The exporter counts once it has read Elasticsearch's answer.
	sent := regexp.MustCompile(`otelcol_exporter_sent_log_records(_total)?\{[^}]*exporter="durable_elasticsearch"[^}]*\} ` + strconv.Itoa(len(lines)) + `\n`)
	var metrics string
	require.Eventually(t, func() bool {
		metrics = second.metrics(t)
		return sent.MatchString(metrics)
	}, 10*time.Second, 50*time.Millisecond, "every resent document counts as delivered")
	second.stop(t)

	assert.Equal(t, map[string]int{"create/created": len(lines), "create/conflict": len(lines)}, es.Outcomes())
	require.Len(t, es.Documents(), len(lines), "nothing is duplicated")
	for _, d := range es.Documents() {
		assert.Equal(t, ids[d.Index+"/"+d.ID], esdouble.Message(d), "document %s/%s", d.Index, d.ID)
	}
	assert.NotRegexp(t, `otelcol_exporter_send_failed_log_records(_total)?\{[^}]*\} [1-9]`, metrics)
	assert.NotContains(t, metrics, "otelcol_exporter_durable_elasticsearch_dead_lettered")
	assert.NotContains(t, second.output.String(), "\terror\t", "a resend logs no error")
}
