package e2e

import (
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/elemta/otelcol-elemta/testbed/esdouble"
)

// The default configuration keeps no second copy of a line: a file's read
// position is saved past a line only once Elasticsearch has it, so the log
// file is the copy until then. These tests end the collector at the worst
// moments and check that a new run, on the same storage directory, sends
// every line once.

// waitForUndeliveredLines waits until the collector holds lines it cannot
// deliver: it retries a refused or failed bulk request or, with
// Elasticsearch unreachable from the start, its first lines wait for the
// Elasticsearch setup, read from a file it keeps open.
func waitForUndeliveredLines(t *testing.T, c *collector) {
	t.Helper()
	require.Eventually(t, func() bool {
		out := c.output.String()
		return strings.Contains(out, "Exporting failed. Will retry the request after interval.") ||
			strings.Contains(out, "Started watching file") && strings.Contains(out, `"reason": "setup"`)
	}, 30*time.Second, 100*time.Millisecond, "the collector never failed to deliver")
}

// killMidFile starts a collector, kills it (SIGKILL) once Elasticsearch
// has at least indexed documents, and checks that it was killed before all
// the lines were indexed.
func killMidFile(t *testing.T, es *esdouble.Server, env map[string]string, config string, indexed, lines int) {
	t.Helper()
	c := startCollector(t, env, config)
	require.Eventually(t, func() bool { return len(es.Documents()) >= indexed }, 90*time.Second, 10*time.Millisecond)
	c.kill(t)
	require.Less(t, len(es.Documents()), lines, "killed before the end")
}

func TestRestartAfterAnOutage(t *testing.T) {
	tests := []struct {
		name  string
		lines int
		end   func(t *testing.T, c *collector)
	}{
		{"stopped, within the first batch", 500, func(t *testing.T, c *collector) { c.stop(t) }},
		{"stopped mid-file", 20000, func(t *testing.T, c *collector) { c.stop(t) }},
		{"killed, within the first batch", 500, func(t *testing.T, c *collector) { c.kill(t) }},
		{"killed mid-file", 20000, func(t *testing.T, c *collector) { c.kill(t) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			down := esdouble.New()
			addr := down.Addr()
			down.Close() // unreachable during the whole first run

			logDir, storage := t.TempDir(), t.TempDir()
			env := defaultEnv(logDir, storage, "http://"+addr)
			config := filepath.Join(distDir(t), "config.yaml")
			lines := numberedLines("written during the outage", tt.lines)
			appendLines(t, filepath.Join(logDir, "elemta.log"), lines)

			first := startCollector(t, env, config)
			waitForUndeliveredLines(t, first)
			code, _ := first.healthAnswer(t)
			assert.Equal(t, 200, code, "healthy within the health window")
			tt.end(t, first)

			es, err := esdouble.NewAt(addr)
			require.NoError(t, err)
			defer es.Close()
			second := startCollector(t, env, config)
			requireEachOnce(t, es, lines)
			second.stop(t)
		})
	}
}

// TestKilledWhileDelivering kills the collector while Elasticsearch is
// taking bulk requests slowly: some batches are indexed, one is in flight,
// the read position is older than both. The next run sends the lines from
// the saved position again; their ids make each land on its own document.
func TestKilledWhileDelivering(t *testing.T) {
	es := esdouble.New()
	defer es.Close()
	es.SetDelay(200 * time.Millisecond)
	es.SetDocumentsPerSecond(5000) // the file takes seconds: the kill comes mid-file
	logDir, storage := t.TempDir(), t.TempDir()
	env := defaultEnv(logDir, storage, es.URL())
	config := filepath.Join(distDir(t), "config.yaml")
	lines := numberedLines("indexed while the collector was killed", 20000)
	appendLines(t, filepath.Join(logDir, "elemta.log"), lines)

	killMidFile(t, es, env, config, 3000, len(lines))

	es.SetDelay(0)
	es.SetDocumentsPerSecond(0)
	second := startCollector(t, env, config)
	requireEachOnce(t, es, lines)
	second.stop(t)
	assert.Positive(t, es.Outcomes()["create/conflict"], "lines sent again landed on their own documents")
}

// TestRotationWithDeletionDuringAnOutage: while Elasticsearch is down,
// logrotate renames the file being read and, at the next rotation, deletes
// it. The collector still holds the file open, so its lines are read to the
// end and arrive once Elasticsearch is back, with the lines of the new file.
func TestRotationWithDeletionDuringAnOutage(t *testing.T) {
	down := esdouble.New()
	addr := down.Addr()
	down.Close()

	logDir, storage := t.TempDir(), t.TempDir()
	logFile := filepath.Join(logDir, "elemta.log")
	env := defaultEnv(logDir, storage, "http://"+addr)
	config := filepath.Join(distDir(t), "config.yaml")
	before := numberedLines("written before the rotation", 20000)
	appendLines(t, logFile, before)

	c := startCollector(t, env, config)
	waitForUndeliveredLines(t, c)
	require.NoError(t, os.Rename(logFile, logFile+".1")) // logrotate, first rotation
	after := numberedLines("written after the rotation", 500)
	appendLines(t, logFile, after)
	time.Sleep(time.Second)
	require.NoError(t, os.Remove(logFile+".1")) // second rotation: rotate 1 deletes the oldest copy

	es, err := esdouble.NewAt(addr)
	require.NoError(t, err)
	defer es.Close()
	requireEachOnce(t, es, append(before, after...))
	c.stop(t)
}

// TestKilledDuringDeliveryThenRotated: Elasticsearch refuses bulk requests
// (503) while the collector is killed a first time; then it answers slowly,
// and the collector is killed again with part of the file indexed and the
// read position still at its start. The file is rotated before the next
// start: the lines indexed already are read again from the rotated file,
// under its new name, and land on their own documents: none lost, none
// indexed twice.
func TestKilledDuringDeliveryThenRotated(t *testing.T) {
	tests := []struct {
		name   string
		rotate func(t *testing.T, log string)
	}{
		{"renamed", func(t *testing.T, log string) {
			require.NoError(t, os.Rename(log, strings.TrimSuffix(log, ".log")+"-1.log"))
		}},
		{"copytruncate", func(t *testing.T, log string) { copyTruncate(t, log) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			es := esdouble.New()
			defer es.Close()
			es.FailBulk(http.StatusServiceUnavailable)
			logDir, storage := t.TempDir(), t.TempDir()
			log := filepath.Join(logDir, "elemta.log")
			env := defaultEnv(logDir, storage, es.URL())
			config := filepath.Join(distDir(t), "config.yaml")
			lines := numberedLines("message_delivery indexed across a kill and a rotation", 30000)
			appendLines(t, log, lines)

			during := startCollector(t, env, config)
			waitForUndeliveredLines(t, during)
			during.kill(t)

			es.FailBulk(0)
			es.SetDelay(300 * time.Millisecond)
			es.SetDocumentsPerSecond(10000) // the file takes seconds: the kill comes mid-file
			killMidFile(t, es, env, config, 5000, len(lines))

			tt.rotate(t, log)
			after := numberedLines("written to the new file", 500)
			appendLines(t, log, after)
			es.SetDelay(0)
			es.SetDocumentsPerSecond(0)
			last := startCollector(t, env, config)
			requireEachOnce(t, es, append(lines, after...))
			last.stop(t)
			assert.Len(t, es.Documents(), len(lines)+len(after), "no line under a second id")
			assert.Positive(t, es.Outcomes()["create/conflict"], "lines read again landed on their own documents")
		})
	}
}

// TestKilledWithBatchesInFlight: Elasticsearch answers each bulk request
// after 50 to 600 ms, so the batches in flight are answered out of order;
// the collector is killed mid-file. The read position never passed a batch
// not yet answered: the next run sends what was not acknowledged in order,
// and what was indexed already replaces itself.
func TestKilledWithBatchesInFlight(t *testing.T) {
	es := esdouble.New()
	defer es.Close()
	es.SetDelayBetween(50*time.Millisecond, 600*time.Millisecond)
	es.SetDocumentsPerSecond(10000) // the file takes seconds: the kill comes mid-file
	logDir, storage := t.TempDir(), t.TempDir()
	env := defaultEnv(logDir, storage, es.URL())
	config := filepath.Join(distDir(t), "config.yaml")
	lines := numberedLines("message_delivery answered out of order", 30000)
	appendLines(t, filepath.Join(logDir, "elemta.log"), lines)

	killMidFile(t, es, env, config, 8000, len(lines))
	assert.Greater(t, es.MaxConcurrentBulks(), 1, "several batches were in flight")

	es.SetDelay(0)
	es.SetDocumentsPerSecond(0)
	second := startCollector(t, env, config)
	requireEachOnce(t, es, lines)
	second.stop(t)
	assert.Len(t, es.Documents(), len(lines), "no line under a second id")
}
