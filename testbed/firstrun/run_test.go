package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func freePort(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer ln.Close()
	return strconv.Itoa(ln.Addr().(*net.TCPAddr).Port)
}

// TestFirstRun runs the built collector as `make run` does without an
// Elasticsearch cluster, on the sample logs: the documents Elasticsearch
// received are written one a line, and the summary says how many lines
// were read, the events by type, the errors and where to look.
func TestFirstRun(t *testing.T) {
	bin := os.Getenv("OTELCOL_ELEMTA_BIN")
	if bin == "" {
		t.Skip("OTELCOL_ELEMTA_BIN is not set: run `make test`, or `make build` and set it to bin/otelcol-elemta")
	}
	dist := filepath.Join("..", "..", "distributions", "otelcol-elemta")
	dir := t.TempDir()
	var out bytes.Buffer
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	err := run(ctx, options{
		bin: bin, config: filepath.Join(dist, "config.yaml"), dir: dir,
		logs: filepath.Join(dist, "samples", "*.log"), settle: 2 * time.Second, once: true,
		env: []string{
			"OTELCOL_ELEMTA_HEALTH_ENDPOINT=127.0.0.1:" + freePort(t),
			"OTELCOL_ELEMTA_METRICS_ENDPOINT=127.0.0.1:" + freePort(t),
			"OTELCOL_ELEMTA_TELEMETRY_HOST=127.0.0.1",
			"OTELCOL_ELEMTA_TELEMETRY_PORT=" + freePort(t),
		},
	}, &out)
	require.NoError(t, err, "output:\n%s", out.String())
	text := out.String()
	t.Log(text)

	f, err := os.Open(filepath.Join(dir, "documents.ndjson"))
	require.NoError(t, err)
	defer f.Close()
	docs, jsonLines := 0, 0
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var d struct {
			Index  string         `json:"_index"`
			ID     string         `json:"_id"`
			Source map[string]any `json:"_source"`
		}
		require.NoError(t, json.Unmarshal(sc.Bytes(), &d), "one JSON document a line")
		assert.Regexp(t, `^elemta-logs-\d{4}\.\d\d\.\d\d$`, d.Index)
		assert.NotEmpty(t, d.ID)
		assert.NotEmpty(t, d.Source["message"], "what the line says")
		assert.NotEmpty(t, d.Source["@timestamp"])
		// By default a document holds what its line says, not the line.
		assert.NotContains(t, d.Source, "event.original", "the line is kept only with ELEMTA_KEEP_ORIGINAL=true")
		if said, ok := d.Source["log_message"].(string); ok && said != "" {
			assert.Equal(t, said, d.Source["message"], "%s", d.ID)
		}
		if d.Source["log.format"] == "json" {
			jsonLines++
		}
		docs++
	}
	require.NoError(t, sc.Err())
	require.Positive(t, docs)
	require.Positive(t, jsonLines, "the samples hold Elemta's JSON lines")

	lines := regexp.MustCompile(`lines read\s+(\d+)`).FindStringSubmatch(text)
	require.NotNil(t, lines, text)
	read, _ := strconv.Atoi(lines[1])
	assert.Equal(t, docs, read, "every line read is a document")
	assert.Regexp(t, `documents\s+`+strconv.Itoa(docs)+`\n`, text)
	assert.Regexp(t, `by event type\s+\S+ \d+`, text)
	assert.Regexp(t, `errors\s+\d+ lines at ERROR or FATAL; 0 documents refused`, text)
	assert.Contains(t, text, filepath.Join(dir, "documents.ndjson"))
	assert.Contains(t, text, "Ctrl-C stops it")
}
