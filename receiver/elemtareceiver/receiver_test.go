package elemtareceiver

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/consumer"
	"go.opentelemetry.io/collector/consumer/consumererror"
	"go.opentelemetry.io/collector/consumer/consumertest"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/receiver"
	"go.opentelemetry.io/collector/receiver/receivertest"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	"go.uber.org/zap"
	"go.uber.org/zap/zaptest"

	"github.com/elemta/otelcol-elemta/internal/filestoragetest"
	"github.com/elemta/otelcol-elemta/internal/recordstest"
	"github.com/elemta/otelcol-elemta/receiver/elemtareceiver/internal/metadata"
)

// storageHost offers a file_storage extension in dir; cfg is set to use it.
func storageHost(t *testing.T, cfg *Config, dir string) component.Host {
	t.Helper()
	cfg.StorageID = &filestoragetest.ID
	return filestoragetest.NewHost(t, dir)
}

func testConfig(include string) *Config {
	cfg := createDefaultConfig().(*Config)
	cfg.Include = []string{include}
	cfg.PollInterval = 10 * time.Millisecond
	cfg.FlushPeriod = 50 * time.Millisecond
	return cfg
}

func startReceiver(t *testing.T, cfg *Config, h component.Host, sink *consumertest.LogsSink) receiver.Logs {
	t.Helper()
	set := receivertest.NewNopSettings(metadata.Type)
	set.Logger = zaptest.NewLogger(t, zaptest.Level(zap.InfoLevel))
	set.ID = component.NewID(metadata.Type) // the checkpoints' storage key; stable across restarts
	rcv, err := NewFactory().CreateLogs(context.Background(), set, cfg, sink)
	require.NoError(t, err)
	require.NoError(t, rcv.Start(context.Background(), h))
	return rcv
}

// records flattens what a sink received.
func records(sink *consumertest.LogsSink) []plog.LogRecord {
	var out []plog.LogRecord
	for _, ld := range sink.AllLogs() {
		out = append(out, recordstest.Of(ld)...)
	}
	return out
}

func bodies(sink *consumertest.LogsSink) map[string]int {
	out := map[string]int{}
	for _, lr := range records(sink) {
		out[lr.Body().Str()]++
	}
	return out
}

func writeLines(t *testing.T, path string, flag int, lines ...string) {
	t.Helper()
	f, err := os.OpenFile(path, flag|os.O_WRONLY, 0o600)
	require.NoError(t, err)
	defer f.Close()
	for _, l := range lines {
		_, err := fmt.Fprintln(f, l)
		require.NoError(t, err)
	}
}

func numbered(prefix string, n int) []string {
	out := make([]string, 0, n)
	for i := range n {
		out = append(out, `{"time":"2026-11-25T17:42:57Z","level":"INFO","msg":"`+prefix+` `+strconv.Itoa(i)+`","component":"queue-processor"}`)
	}
	return out
}

// requireExactlyOnce waits for every line, then checks none came twice.
func requireExactlyOnce(t *testing.T, sink *consumertest.LogsSink, lines []string) {
	t.Helper()
	require.Eventually(t, func() bool { return sink.LogRecordCount() >= len(lines) },
		30*time.Second, 10*time.Millisecond, "want %d records", len(lines))
	time.Sleep(100 * time.Millisecond) // anything extra would arrive now
	got := bodies(sink)
	for _, l := range lines {
		require.Equal(t, 1, got[l], "line %q", l)
	}
	require.Equal(t, len(lines), sink.LogRecordCount())
}

func TestSeedLinesBecomeRecords(t *testing.T) {
	dir := t.TempDir()
	log := filepath.Join(dir, "elemta.log")
	seed, err := os.ReadFile(filepath.Join("internal", "elemtalog", "testdata", "seed.log"))
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(log, seed, 0o600))

	sink := new(consumertest.LogsSink)
	rcv := startReceiver(t, testConfig(filepath.Join(dir, "*.log")), componenttest.NewNopHost(), sink)
	defer func() { require.NoError(t, rcv.Shutdown(context.Background())) }()
	require.Eventually(t, func() bool { return sink.LogRecordCount() == 6 }, 10*time.Second, 10*time.Millisecond)

	tests := []struct {
		body      string
		eventType string
		attrs     map[string]any
		severity  plog.SeverityNumber
		timestamp time.Time
	}{
		{
			body: "SMTP: 2024-01-15 10:30:45 new connection: 192.168.1.100:54321", eventType: "smtp_connection",
			attrs:     map[string]any{"client_ip": "192.168.1.100", "client_port": int64(54321)},
			timestamp: time.Date(2024, 1, 15, 10, 30, 45, 0, time.UTC),
		},
		{
			body: "SMTP: 2024-01-15 10:30:46 EHLO client.example.com", eventType: "smtp_command",
			attrs: map[string]any{"smtp_command": "EHLO", "command_data": "client.example.com"},
		},
		{
			body: "SMTP: 2024-01-15 10:30:47 MAIL FROM:<sender@example.com>", eventType: "smtp_command",
			attrs: map[string]any{"smtp_command": "MAIL FROM", "sender": "sender@example.com"},
		},
		{
			body:      "component=queue-processor message_id=abc123 from=sender@example.com to=[recipient@example.com]",
			eventType: "queue_processing",
			attrs: map[string]any{
				"message_id": "abc123", "sender": "sender@example.com",
				"recipient": []any{"recipient@example.com"}, "component": "queue-processor",
			},
		},
		{
			body:      "component=lmtp-delivery message_id=abc123 from=sender@example.com to=[recipient@example.com]",
			eventType: "message_delivery",
			attrs:     map[string]any{"component": "lmtp-delivery"},
		},
		{
			body: "2024-01-15 10:30:48 ERROR Failed to deliver message: connection refused", eventType: "error",
			attrs:    map[string]any{"level": "ERROR", "is_error": true, "log_message": "Failed to deliver message: connection refused"},
			severity: plog.SeverityNumberError,
		},
	}
	byBody := map[string]plog.LogRecord{}
	for _, lr := range records(sink) {
		byBody[lr.Body().Str()] = lr
	}
	for _, tt := range tests {
		t.Run(tt.eventType, func(t *testing.T) {
			lr, ok := byBody[tt.body]
			require.True(t, ok, "no record with body %q", tt.body)
			assert.Equal(t, tt.eventType, lr.Attributes().AsRaw()["event_type"])
			for k, v := range tt.attrs {
				assert.Equal(t, v, lr.Attributes().AsRaw()[k], k)
			}
			if tt.severity != 0 {
				assert.Equal(t, tt.severity, lr.SeverityNumber())
			}
			if !tt.timestamp.IsZero() {
				assert.Equal(t, pcommon.NewTimestampFromTime(tt.timestamp), lr.Timestamp())
			}
			assert.Contains(t, lr.Attributes().AsRaw(), "log.file.record_offset")
			assert.Equal(t, "elemta.log", lr.Attributes().AsRaw()["log.file.name"])
		})
	}
}

func TestRestartNeitherLosesNorRepeats(t *testing.T) {
	dir := t.TempDir()
	storage := t.TempDir()
	log := filepath.Join(dir, "elemta.log")
	cfg := testConfig(filepath.Join(dir, "*.log"))
	lines := numbered("line", 20000)
	writeLines(t, log, os.O_CREATE, lines...)

	// Stop in the middle of the file.
	sink := new(consumertest.LogsSink)
	first := startReceiver(t, cfg, storageHost(t, cfg, storage), sink)
	require.Eventually(t, func() bool { return sink.LogRecordCount() >= 1000 }, 30*time.Second, time.Millisecond)
	require.NoError(t, first.Shutdown(context.Background()))
	require.Less(t, sink.LogRecordCount(), len(lines), "the test must stop the receiver mid-file")

	// Lines written while the receiver is down are read after the restart.
	more := numbered("written while stopped", 500)
	writeLines(t, log, os.O_APPEND, more...)

	second := startReceiver(t, cfg, storageHost(t, cfg, storage), sink)
	defer func() { require.NoError(t, second.Shutdown(context.Background())) }()
	requireExactlyOnce(t, sink, append(lines, more...))
}

func TestRotation(t *testing.T) {
	tests := []struct {
		name   string
		rotate func(t *testing.T, path string)
	}{
		{
			name: "rename",
			rotate: func(t *testing.T, path string) {
				require.NoError(t, os.Rename(path, path+".1"))
			},
		},
		{
			name: "copytruncate",
			rotate: func(t *testing.T, path string) {
				data, err := os.ReadFile(path)
				require.NoError(t, err)
				require.NoError(t, os.WriteFile(path+".1", data, 0o600))
				require.NoError(t, os.Truncate(path, 0))
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			log := filepath.Join(dir, "elemta.log")
			// Rotated files match the pattern too, as with logrotate's defaults.
			cfg := testConfig(filepath.Join(dir, "elemta.log*"))
			sink := new(consumertest.LogsSink)
			rcv := startReceiver(t, cfg, storageHost(t, cfg, t.TempDir()), sink)
			defer func() { require.NoError(t, rcv.Shutdown(context.Background())) }()

			before := numbered("before rotation", 300)
			writeLines(t, log, os.O_CREATE, before...)
			require.Eventually(t, func() bool { return sink.LogRecordCount() >= len(before) }, 10*time.Second, time.Millisecond)
			tt.rotate(t, log)
			after := numbered("after rotation", 300)
			writeLines(t, log, os.O_CREATE|os.O_APPEND, after...)
			requireExactlyOnce(t, sink, append(before, after...))
		})
	}
}

func TestLongLinesAreTruncatedAndFlagged(t *testing.T) {
	dir := t.TempDir()
	log := filepath.Join(dir, "elemta.log")
	const limit = 64 * 1024
	exact := `{"level":"INFO","msg":"` + strings.Repeat("e", limit-len(`{"level":"INFO","msg":""}`)) + `"}`
	require.Len(t, exact, limit)
	huge := `{"level":"INFO","msg":"` + strings.Repeat("x", 1<<20) + `"}`
	oneOver := exact + " "
	writeLines(t, log, os.O_CREATE, "before", exact, huge, oneOver, "after")

	cfg := testConfig(filepath.Join(dir, "*.log"))
	cfg.MaxLogSize = limit
	sink := new(consumertest.LogsSink)
	rcv := startReceiver(t, cfg, componenttest.NewNopHost(), sink)
	defer func() { require.NoError(t, rcv.Shutdown(context.Background())) }()
	require.Eventually(t, func() bool { return sink.LogRecordCount() == 5 }, 3*time.Second, time.Millisecond, "%d records", sink.LogRecordCount())

	recs := records(sink)
	assert.Equal(t, "before", recs[0].Body().Str())
	assert.Equal(t, exact, recs[1].Body().Str(), "a line of exactly max_log_size is whole")
	assert.NotContains(t, recs[1].Attributes().AsRaw(), "log.truncated")
	assert.Equal(t, "system", recs[1].Attributes().AsRaw()["event_type"], "and parsed")
	for _, cut := range recs[2:4] {
		assert.Len(t, cut.Body().Str(), limit)
		assert.Equal(t, true, cut.Attributes().AsRaw()["log.truncated"])
	}
	assert.Equal(t, "unparsed", recs[2].Attributes().AsRaw()["event_type"], "a cut JSON line is no longer JSON")
	assert.Equal(t, "after", recs[4].Body().Str())
	assert.NotContains(t, recs[4].Attributes().AsRaw(), "log.truncated")
}

func TestDockerJSONFile(t *testing.T) {
	dir := t.TempDir()
	log := filepath.Join(dir, "container-json.log")
	writeLines(t, log, os.O_CREATE,
		`{"log":"{\"time\":\"2026-11-25T17:42:57.446641595Z\",\"level\":\"INFO\",\"msg\":\"New connection\",\"client_ip\":\"127.0.0.21:44731\"}\n","stream":"stdout","time":"2026-11-25T17:42:57.5Z"}`,
		`{"log":"Configuration loaded successfully (TOML format)\n","stream":"stderr","time":"2026-11-25T17:42:54.1Z"}`,
	)
	cfg := testConfig(filepath.Join(dir, "*.log"))
	cfg.Format = "docker"
	sink := new(consumertest.LogsSink)
	rcv := startReceiver(t, cfg, componenttest.NewNopHost(), sink)
	defer func() { require.NoError(t, rcv.Shutdown(context.Background())) }()
	require.Eventually(t, func() bool { return sink.LogRecordCount() == 2 }, 10*time.Second, time.Millisecond)

	recs := records(sink)
	json := recs[0].Attributes().AsRaw()
	assert.Equal(t, "smtp_connection", json["event_type"])
	assert.Equal(t, "127.0.0.21", json["client_ip"])
	assert.Equal(t, "stdout", json["log.iostream"])
	assert.Equal(t, pcommon.NewTimestampFromTime(time.Date(2026, 11, 25, 17, 42, 57, 446641595, time.UTC)), recs[0].Timestamp(),
		"the line's own time wins over Docker's")

	plain := recs[1].Attributes().AsRaw()
	assert.Equal(t, "Configuration loaded successfully (TOML format)", recs[1].Body().Str())
	assert.Equal(t, "stderr", plain["log.iostream"])
	assert.Equal(t, pcommon.NewTimestampFromTime(time.Date(2026, 11, 25, 17, 42, 54, 100000000, time.UTC)), recs[1].Timestamp(),
		"a line without a time takes Docker's")
}

// TestCRIContainerLogs reads a Kubernetes container log: each line is
// unwrapped, a line the runtime split in pieces (P, then F) is one record,
// and the stream and the runtime's time are kept.
func TestCRIContainerLogs(t *testing.T) {
	dir := t.TempDir()
	log := filepath.Join(dir, "0.log")
	pieces := []string{`{"time":"2026-11-25T17:42:58.000000001Z","level":"INFO",`, `"msg":"message_reception",`, `"message_id":"m-1"}`}
	writeLines(t, log, os.O_CREATE,
		`2026-11-25T17:42:57.5Z stdout F {"time":"2026-11-25T17:42:57.446641595Z","level":"INFO","msg":"New connection","client_ip":"127.0.0.21:44731"}`,
		"2026-11-25T17:42:58.1Z stdout P "+pieces[0],
		"2026-11-25T17:42:58.1Z stdout P "+pieces[1],
		"2026-11-25T17:42:58.1Z stdout F "+pieces[2],
		`2026-11-25T17:42:54.1Z stderr F Configuration loaded successfully (TOML format)`,
	)
	cfg := testConfig(filepath.Join(dir, "*.log"))
	cfg.Format = "cri"
	cfg.IncludeFileRecordOffset = true
	sink := new(consumertest.LogsSink)
	rcv := startReceiver(t, cfg, componenttest.NewNopHost(), sink)
	defer func() { require.NoError(t, rcv.Shutdown(context.Background())) }()
	require.Eventually(t, func() bool { return sink.LogRecordCount() == 3 }, 10*time.Second, time.Millisecond, "%d records", sink.LogRecordCount())

	recs := records(sink)
	first := recs[0].Attributes().AsRaw()
	assert.Equal(t, "smtp_connection", first["event_type"])
	assert.Equal(t, "stdout", first["log.iostream"])

	joined := recs[1].Attributes().AsRaw()
	assert.Equal(t, strings.Join(pieces, ""), recs[1].Body().Str(), "the pieces are one line again")
	assert.Equal(t, "m-1", joined["message_id"])
	assert.Equal(t, "json", joined["log.format"])
	assert.Equal(t, int64(len(`2026-11-25T17:42:57.5Z stdout F {"time":"2026-11-25T17:42:57.446641595Z","level":"INFO","msg":"New connection","client_ip":"127.0.0.21:44731"}`)+1),
		joined["log.file.record_offset"], "the record starts where its first piece does")

	assert.Equal(t, "Configuration loaded successfully (TOML format)", recs[2].Body().Str())
	assert.Equal(t, "stderr", recs[2].Attributes().AsRaw()["log.iostream"])
	assert.Equal(t, pcommon.NewTimestampFromTime(time.Date(2026, 11, 25, 17, 42, 54, 100000000, time.UTC)), recs[2].Timestamp(),
		"a line without a time takes the runtime's")
}

// TestShutdownWhileThePipelineRefuses stops the receiver while every batch
// is refused (a full queue, say): the lines read but not delivered are
// saved and come first after the next start, and none is lost or repeated.
func TestShutdownWhileThePipelineRefuses(t *testing.T) {
	dir := t.TempDir()
	storage := t.TempDir()
	log := filepath.Join(dir, "elemta.log")
	cfg := testConfig(filepath.Join(dir, "*.log"))
	cfg.RetryOnFailure.InitialInterval = 5 * time.Millisecond
	cfg.RetryOnFailure.MaxInterval = 20 * time.Millisecond
	lines := numbered("line", 5000)
	writeLines(t, log, os.O_CREATE, lines...)

	var attempts atomic.Int64
	refusing, err := consumer.NewLogs(func(context.Context, plog.Logs) error {
		attempts.Add(1)
		return errors.New("queue is full")
	})
	require.NoError(t, err)
	set := receivertest.NewNopSettings(metadata.Type)
	set.ID = component.NewID(metadata.Type)
	first, err := NewFactory().CreateLogs(context.Background(), set, cfg, refusing)
	require.NoError(t, err)
	require.NoError(t, first.Start(context.Background(), storageHost(t, cfg, storage)))
	require.Eventually(t, func() bool { return attempts.Load() > 3 }, 10*time.Second, time.Millisecond)
	require.NoError(t, first.Shutdown(context.Background()))

	sink := new(consumertest.LogsSink)
	second := startReceiver(t, cfg, storageHost(t, cfg, storage), sink)
	defer func() { require.NoError(t, second.Shutdown(context.Background())) }()
	requireExactlyOnce(t, sink, lines)
	assert.Equal(t, lines[0], records(sink)[0].Body().Str(), "saved lines come first")
}

func TestPermanentRefusalIsCounted(t *testing.T) {
	dir := t.TempDir()
	writeLines(t, filepath.Join(dir, "elemta.log"), os.O_CREATE, "one", "two")
	cfg := testConfig(filepath.Join(dir, "*.log"))

	tel := componenttest.NewTelemetry()
	defer func() { require.NoError(t, tel.Shutdown(context.Background())) }()
	set := receivertest.NewNopSettings(metadata.Type)
	set.TelemetrySettings = tel.NewTelemetrySettings()
	refusing, err := consumer.NewLogs(func(context.Context, plog.Logs) error {
		return consumererror.NewPermanent(errors.New("invalid data"))
	})
	require.NoError(t, err)
	rcv, err := NewFactory().CreateLogs(context.Background(), set, cfg, refusing)
	require.NoError(t, err)
	require.NoError(t, rcv.Start(context.Background(), componenttest.NewNopHost()))
	defer func() { require.NoError(t, rcv.Shutdown(context.Background())) }()

	require.Eventually(t, func() bool {
		m, err := tel.GetMetric("otelcol_receiver_elemta_lines_lost")
		if err != nil {
			return false
		}
		sum := m.Data.(metricdata.Sum[int64])
		return len(sum.DataPoints) == 1 && sum.DataPoints[0].Value == 2
	}, 10*time.Second, 10*time.Millisecond)
}

func TestGzipRotatedFiles(t *testing.T) {
	dir := t.TempDir()
	lines := numbered("compressed", 200)
	var buf bytes.Buffer
	gz := gzip.NewWriter(&buf)
	_, err := gz.Write([]byte(strings.Join(lines, "\n") + "\n"))
	require.NoError(t, err)
	require.NoError(t, gz.Close())
	require.NoError(t, os.WriteFile(filepath.Join(dir, "elemta.log.1.gz"), buf.Bytes(), 0o600))

	cfg := testConfig(filepath.Join(dir, "elemta.log*"))
	cfg.Compression = "auto"
	sink := new(consumertest.LogsSink)
	rcv := startReceiver(t, cfg, componenttest.NewNopHost(), sink)
	defer func() { require.NoError(t, rcv.Shutdown(context.Background())) }()
	requireExactlyOnce(t, sink, lines)
}

// TestRetriesSendTheLinesAsRead: a consumer may change a batch before it
// refuses it (a processor runs first); a retry still carries the lines as read.
func TestRetriesSendTheLinesAsRead(t *testing.T) {
	dir := t.TempDir()
	lines := numbered("line", 50)
	writeLines(t, filepath.Join(dir, "elemta.log"), os.O_CREATE, lines...)
	cfg := testConfig(filepath.Join(dir, "*.log"))
	cfg.RetryOnFailure.InitialInterval = time.Millisecond
	cfg.RetryOnFailure.MaxInterval = 5 * time.Millisecond

	sink := new(consumertest.LogsSink)
	var refusals atomic.Int64
	mutating, err := consumer.NewLogs(func(ctx context.Context, ld plog.Logs) error {
		if refusals.Add(1) <= 3 {
			ld.ResourceLogs().At(0).ScopeLogs().At(0).LogRecords().At(0).Body().SetStr("changed by a refusing consumer")
			return errors.New("try again")
		}
		return sink.ConsumeLogs(ctx, ld)
	})
	require.NoError(t, err)
	set := receivertest.NewNopSettings(metadata.Type)
	rcv, err := NewFactory().CreateLogs(context.Background(), set, cfg, mutating)
	require.NoError(t, err)
	require.NoError(t, rcv.Start(context.Background(), componenttest.NewNopHost()))
	defer func() { require.NoError(t, rcv.Shutdown(context.Background())) }()
	requireExactlyOnce(t, sink, lines)
}

// TestCopytruncateUnderASteadyWriter rotates with copytruncate while a
// writer appends without pause, as Elemta does, with the documented glob of
// the live files only: the lines written between the last read and the copy
// are read from the copy (.1), and none is read twice.
func TestCopytruncateUnderASteadyWriter(t *testing.T) {
	dir := t.TempDir()
	log := filepath.Join(dir, "elemta.log")
	cfg := testConfig(filepath.Join(dir, "*.log"))
	cfg.PollInterval = 200 * time.Millisecond // contrib's default: a wide window between reads
	sink := new(consumertest.LogsSink)
	rcv := startReceiver(t, cfg, storageHost(t, cfg, t.TempDir()), sink)
	defer func() { require.NoError(t, rcv.Shutdown(context.Background())) }()

	var written []string
	f, err := os.OpenFile(log, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o600)
	require.NoError(t, err)
	for round := range 3 {
		for i := range 2000 {
			line := numbered("round "+strconv.Itoa(round), 2000)[i]
			_, err := fmt.Fprintln(f, line)
			require.NoError(t, err)
			written = append(written, line)
			if i%100 == 0 {
				time.Sleep(time.Millisecond)
			}
		}
		// logrotate's copytruncate: the older copies move up, the file is
		// copied to .1 and truncated in place; the writer goes on.
		if _, err := os.Stat(log + ".1"); err == nil {
			require.NoError(t, os.Rename(log+".1", log+".2"))
		}
		data, err := os.ReadFile(log)
		require.NoError(t, err)
		require.NoError(t, os.WriteFile(log+".1", data, 0o600))
		require.NoError(t, f.Truncate(0))
	}
	require.NoError(t, f.Close())
	requireExactlyOnce(t, sink, written)
}

func TestRotatedCopyPatterns(t *testing.T) {
	tests := []struct {
		name              string
		include, suffixes []string
		want              []string
	}{
		{
			name: "default", include: []string{"/var/log/elemta/*.log"}, suffixes: []string{".1"},
			want: []string{"/var/log/elemta/*.log", "/var/log/elemta/*.log.1"},
		},
		{
			name: "dateext", include: []string{"/var/log/elemta/elemta.log"}, suffixes: []string{"-[0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9]"},
			want: []string{"/var/log/elemta/elemta.log", "/var/log/elemta/elemta.log-[0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9]"},
		},
		{name: "off", include: []string{"/x/*.log"}, suffixes: nil, want: []string{"/x/*.log"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := testConfig(tt.include[0])
			cfg.Include = tt.include
			cfg.RotatedCopies.Suffixes = tt.suffixes
			assert.Equal(t, tt.want, cfg.patterns())
		})
	}
}

// TestBatches: lines go to the pipeline in batches of up to
// batch::max_lines, across the file consumer's own reads of 100 lines and
// across files; what is left goes after the look at the files ends.
func TestBatches(t *testing.T) {
	tests := []struct {
		name     string
		maxLines int
		maxBytes int
		files    int
		lines    int // per file
		wantMax  int // the largest batch
	}{
		{name: "one file, full batches and a rest", maxLines: 1000, maxBytes: 5 << 20, files: 1, lines: 2500, wantMax: 1000},
		{name: "two files share batches", maxLines: 300, maxBytes: 5 << 20, files: 2, lines: 450, wantMax: 300},
		{name: "bytes bound a batch", maxLines: 1000, maxBytes: 2000, files: 1, lines: 500, wantMax: 200}, // 18-byte lines, read 100 at a time
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			var all []string
			for f := range tt.files {
				lines := make([]string, tt.lines)
				for i := range lines {
					lines[i] = fmt.Sprintf("file %d line %06d", f, i) // 18 bytes and a newline
				}
				writeLines(t, filepath.Join(dir, fmt.Sprintf("elemta-%d.log", f)), os.O_CREATE|os.O_WRONLY, lines...)
				all = append(all, lines...)
			}
			cfg := testConfig(filepath.Join(dir, "*.log"))
			cfg.Batch = BatchConfig{MaxLines: tt.maxLines, MaxBytes: tt.maxBytes}
			sink := new(consumertest.LogsSink)
			rcv := startReceiver(t, cfg, componenttest.NewNopHost(), sink)
			requireExactlyOnce(t, sink, all)
			require.NoError(t, rcv.Shutdown(context.Background()))

			largest := 0
			for _, ld := range sink.AllLogs() {
				largest = max(largest, ld.LogRecordCount())
			}
			assert.Equal(t, tt.wantMax, largest)
		})
	}
}

// idleCounter is an extension that counts the idle and busy moments
// reported.
type idleCounter struct {
	component.StartFunc
	component.ShutdownFunc
	calls atomic.Int64
	busy  atomic.Int64
}

func (c *idleCounter) PipelineIdle() { c.calls.Add(1) }

func (c *idleCounter) PipelineBusy() { c.busy.Add(1) }

// hostWithExtension is a host whose one extension is ext.
type hostWithExtension struct {
	component.Host
	ext component.Component
}

func (h hostWithExtension) GetExtensions() map[component.ID]component.Component {
	return map[component.ID]component.Component{component.MustNewID("memory_policy"): h.ext}
}

// TestCaughtUpReadingReportsIdle checks that the receiver tells the
// memory policy, found among the host's extensions, when it has delivered
// all it read (the moment to collect garbage), and, while it reads a
// backlog, each full batch it hands over (busy); a few lines make no full
// batch.
func TestCaughtUpReadingReportsIdle(t *testing.T) {
	tests := []struct {
		name     string
		lines    int
		wantBusy bool
	}{
		{name: "a backlog of 5,000 lines", lines: 5000, wantBusy: true},
		{name: "a few lines", lines: 50},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			lines := numbered("caught up", tt.lines)
			writeLines(t, filepath.Join(dir, "elemta.log"), os.O_CREATE, lines...)
			cfg := testConfig(filepath.Join(dir, "*.log"))
			cfg.Batch.MaxLines = 1000
			sink := new(consumertest.LogsSink)
			counter := &idleCounter{}
			rcv := startReceiver(t, cfg, hostWithExtension{componenttest.NewNopHost(), counter}, sink)
			requireExactlyOnce(t, sink, lines)
			require.Eventually(t, func() bool { return counter.calls.Load() > 0 },
				10*time.Second, 10*time.Millisecond, "idle reported once the lines are delivered")
			require.NoError(t, rcv.Shutdown(context.Background()))
			if tt.wantBusy {
				assert.GreaterOrEqual(t, counter.busy.Load(), int64(4), "a busy moment for each full batch")
			} else {
				assert.Zero(t, counter.busy.Load(), "no full batch: never busy")
			}
		})
	}
}

// TestLinesParsedAreCountedByFormat: the receiver's parsed-lines metric
// counts each line once under the format its record names (log.format),
// and a batch sent again for a retry is not counted again.
func TestLinesParsedAreCountedByFormat(t *testing.T) {
	dir := t.TempDir()
	seed, err := os.ReadFile(filepath.Join("internal", "elemtalog", "testdata", "seed.log"))
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(filepath.Join(dir, "elemta.log"), seed, 0o600))

	tel := componenttest.NewTelemetry()
	defer func() { require.NoError(t, tel.Shutdown(context.Background())) }()
	set := receivertest.NewNopSettings(metadata.Type)
	set.TelemetrySettings = tel.NewTelemetrySettings()
	sink := new(consumertest.LogsSink)
	refusedOnce := false
	next, err := consumer.NewLogs(func(ctx context.Context, ld plog.Logs) error {
		if !refusedOnce {
			refusedOnce = true
			return errors.New("not now")
		}
		return sink.ConsumeLogs(ctx, ld)
	})
	require.NoError(t, err)
	cfg := testConfig(filepath.Join(dir, "*.log"))
	cfg.RetryOnFailure.InitialInterval = 10 * time.Millisecond
	rcv, err := NewFactory().CreateLogs(context.Background(), set, cfg, next)
	require.NoError(t, err)
	require.NoError(t, rcv.Start(context.Background(), componenttest.NewNopHost()))
	defer func() { require.NoError(t, rcv.Shutdown(context.Background())) }()
	require.Eventually(t, func() bool { return sink.LogRecordCount() == 6 }, 10*time.Second, 10*time.Millisecond)

	want := map[string]int64{}
	for _, lr := range records(sink) {
		f, _ := lr.Attributes().Get("log.format")
		want[f.Str()]++
	}
	m, err := tel.GetMetric("otelcol_receiver_elemta_lines_parsed")
	require.NoError(t, err)
	got := map[string]int64{}
	for _, dp := range m.Data.(metricdata.Sum[int64]).DataPoints {
		f, _ := dp.Attributes.Value("format")
		got[f.AsString()] = dp.Value
	}
	assert.Equal(t, want, got)
	assert.Len(t, got, 3, "smtp, key=value and text lines")
}
