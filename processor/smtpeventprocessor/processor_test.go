package smtpeventprocessor

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/open-telemetry/opentelemetry-collector-contrib/pkg/golden"
	"github.com/open-telemetry/opentelemetry-collector-contrib/pkg/pdatatest/plogtest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/consumer/consumertest"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/processor"
	"go.opentelemetry.io/collector/processor/processortest"
	"go.opentelemetry.io/collector/receiver/receivertest"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	"go.opentelemetry.io/otel/sdk/metric/metricdata/metricdatatest"

	"github.com/elemta/otelcol-elemta/internal/recordstest"
	"github.com/elemta/otelcol-elemta/internal/vocabulary"
	"github.com/elemta/otelcol-elemta/processor/smtpeventprocessor/internal/metadata"
	"github.com/elemta/otelcol-elemta/processor/smtpeventprocessor/internal/metadatatest"
	"github.com/elemta/otelcol-elemta/receiver/elemtareceiver"
)

var update = flag.Bool("update", false, "rewrite the expected files in testdata/")

// observed is the fixed observed time given to test records.
var observed = time.Date(2026, 11, 29, 8, 0, 0, 0, time.UTC)

// readLines parses a log file with the elemta receiver, as the collector
// does, and makes what depends on the machine fixed: the file's path, the
// observed time and the host name.
func readLines(t testing.TB, path string) plog.Logs {
	t.Helper()
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	want := 0
	for _, l := range strings.Split(string(data), "\n") {
		if l != "" && l[0] != ' ' && l[0] != '\t' {
			want++
		}
	}

	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, filepath.Base(path)), data, 0o600))
	f := elemtareceiver.NewFactory()
	cfg := f.CreateDefaultConfig().(*elemtareceiver.Config)
	cfg.Include = []string{filepath.Join(dir, "*")}
	cfg.PollInterval = 10 * time.Millisecond
	cfg.FlushPeriod = 20 * time.Millisecond
	sink := new(consumertest.LogsSink)
	rcv, err := f.CreateLogs(context.Background(), receivertest.NewNopSettings(f.Type()), cfg, sink)
	require.NoError(t, err)
	require.NoError(t, rcv.Start(context.Background(), componenttest.NewNopHost()))
	require.Eventually(t, func() bool { return sink.LogRecordCount() == want }, 10*time.Second, 5*time.Millisecond)
	require.NoError(t, rcv.Shutdown(context.Background()))

	out := plog.NewLogs()
	rl := out.ResourceLogs().AppendEmpty()
	rl.Resource().Attributes().PutStr("host.name", "mx1.test")
	sl := rl.ScopeLogs().AppendEmpty()
	for _, ld := range sink.AllLogs() {
		for _, in := range ld.ResourceLogs().All() {
			for _, s := range in.ScopeLogs().All() {
				s.Scope().CopyTo(sl.Scope())
				for _, lr := range s.LogRecords().All() {
					lr.SetObservedTimestamp(pcommon.NewTimestampFromTime(observed))
					lr.Attributes().PutStr("log.file.path", "/var/log/elemta/"+filepath.Base(path))
					lr.CopyTo(sl.LogRecords().AppendEmpty())
				}
			}
		}
	}
	return out
}

func newTestProcessor(t *testing.T, cfg *Config) (*consumertest.LogsSink, func(plog.Logs)) {
	t.Helper()
	return newTestProcessorWith(t, cfg, processortest.NewNopSettings(metadata.Type))
}

// newTestProcessorWith starts a processor with the given settings (their
// telemetry, say) and returns its sink and a function that consumes a batch.
func newTestProcessorWith(t *testing.T, cfg *Config, set processor.Settings) (*consumertest.LogsSink, func(plog.Logs)) {
	t.Helper()
	sink := new(consumertest.LogsSink)
	p, err := NewFactory().CreateLogs(context.Background(), set, cfg, sink)
	require.NoError(t, err)
	require.NoError(t, p.Start(context.Background(), componenttest.NewNopHost()))
	t.Cleanup(func() { require.NoError(t, p.Shutdown(context.Background())) })
	return sink, func(ld plog.Logs) { require.NoError(t, p.ConsumeLogs(context.Background(), ld)) }
}

// TestGolden runs each testdata/<name>.log through the receiver and the
// processor and compares the events with testdata/<name>.expected.yaml.
// Run `go test -run TestGolden -update` after a deliberate change and read
// the diff.
func TestGolden(t *testing.T) {
	inputs, err := filepath.Glob(filepath.Join("testdata", "*.log"))
	require.NoError(t, err)
	require.NotEmpty(t, inputs)
	for _, in := range inputs {
		t.Run(filepath.Base(in), func(t *testing.T) {
			sink, consume := newTestProcessor(t, createDefaultConfig().(*Config))
			consume(readLines(t, in))
			require.Len(t, sink.AllLogs(), 1)
			got := sink.AllLogs()[0]

			expectedPath := strings.TrimSuffix(in, ".log") + ".expected.yaml"
			if *update {
				require.NoError(t, golden.WriteLogs(t, expectedPath, got))
			}
			expected, err := golden.ReadLogs(expectedPath)
			require.NoError(t, err)
			require.NoError(t, plogtest.CompareLogs(expected, got))
		})
	}
}

// events returns the records of the processed batches by their log line.
func events(sink *consumertest.LogsSink) []plog.LogRecord {
	var out []plog.LogRecord
	for _, ld := range sink.AllLogs() {
		out = append(out, recordstest.Of(ld)...)
	}
	return out
}

// attr returns a field of an event: an attribute of the record.
func attr(lr plog.LogRecord, key string) any {
	return lr.Attributes().AsRaw()[key]
}

func TestSeedQueriesFields(t *testing.T) {
	sink, consume := newTestProcessor(t, createDefaultConfig().(*Config))
	consume(readLines(t, filepath.Join("testdata", "seed.log")))
	evs := events(sink)
	require.Len(t, evs, 6)
	data, err := os.ReadFile(filepath.Join("testdata", "seed.log"))
	require.NoError(t, err)
	seedLines := strings.Split(strings.TrimSuffix(string(data), "\n"), "\n")

	tests := []struct {
		index  int
		fields map[string]any
	}{
		{0, map[string]any{"event_type": "smtp_connection", "client_ip": "192.168.1.100"}},
		// The EHLO line names no address: it comes from the session's connection.
		{1, map[string]any{"event_type": "smtp_command", "client_ip": "192.168.1.100", "client_port": int64(54321), "helo": "client.example.com"}},
		{2, map[string]any{"sender": "sender@example.com", "sender_domain": "example.com", "client_ip": "192.168.1.100", "helo": "client.example.com"}},
		{3, map[string]any{"event_type": "queue_processing", "recipient_domain": []any{"example.com"}, "recipient_count": int64(1)}},
		{4, map[string]any{"event_type": "message_delivery", "mta_flow": "delivery", "event.outcome": "success"}},
		{5, map[string]any{"level": "ERROR", "is_error": true, "event.outcome": "failure", "error_reason": "Failed to deliver message: connection refused"}},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("line %d", tt.index+1), func(t *testing.T) {
			ev := evs[tt.index]
			fields := ev.Attributes().AsRaw()
			for k, v := range tt.fields {
				assert.Equal(t, v, fields[k], "attribute %s", k)
			}
			assert.NotEmpty(t, fields[vocabulary.AttrRecordUID])
			assert.Equal(t, pcommon.ValueTypeStr, ev.Body().Type())
			assert.Equal(t, seedLines[tt.index], ev.Body().Str(), "the body is the line")
			for k := range fields {
				assert.False(t, strings.HasPrefix(k, "elasticsearch.") || strings.HasPrefix(k, "elastic."), "nothing of Elasticsearch's: %s", k)
			}
		})
	}
}

func TestResendKeepsRecordUIDs(t *testing.T) {
	input := readLines(t, filepath.Join("testdata", "flow.log"))
	ids := func() []any {
		sink, consume := newTestProcessor(t, createDefaultConfig().(*Config))
		in := plog.NewLogs()
		input.CopyTo(in)
		consume(in)
		var out []any
		for _, ev := range events(sink) {
			out = append(out, attr(ev, vocabulary.AttrRecordUID))
		}
		return out
	}
	first, second := ids(), ids()
	assert.Equal(t, first, second)
	seen := map[any]bool{}
	for _, id := range first {
		assert.False(t, seen[id], "ids are unique")
		seen[id] = true
	}
}

func TestCredentialsNeverLeave(t *testing.T) {
	sink, consume := newTestProcessor(t, createDefaultConfig().(*Config))
	consume(readLines(t, filepath.Join("testdata", "auth-session.log")))
	payloads := []string{
		"AG9saXZpYS5oYXJ0QGNvcnAuZXhhbXBsZS5vcmcAc2FtcGxlLXBhc3N3b3JkLTE=",
		"AG1laS50YW5ha2FAbGlzdHMuZXhhbXBsZS5pbwBzYW1wbGUtcGFzc3dvcmQtMw==",
		"AHJhamVzaC5peWVyQHNob3AuZXhhbXBsZS5uZXQAc2FtcGxlLXBhc3N3b3JkLTI=",
	}
	scrubbed := 0
	for _, ev := range events(sink) {
		var m plog.ProtoMarshaler
		ld := plog.NewLogs()
		ev.CopyTo(ld.ResourceLogs().AppendEmpty().ScopeLogs().AppendEmpty().LogRecords().AppendEmpty())
		raw, err := m.MarshalLogs(ld)
		require.NoError(t, err)
		for _, p := range payloads {
			assert.NotContains(t, string(raw), p)
		}
		if strings.Contains(string(raw), "AUTH PLAIN [REDACTED]") {
			scrubbed++
		}
	}
	assert.Positive(t, scrubbed, "the AUTH line is kept, its payload replaced")
}

func TestScrubAuth(t *testing.T) {
	tests := []struct {
		in, want string
	}{
		{`AUTH PLAIN AG9saXZpYQBzZWNyZXQ=\x0D\x0A`, `AUTH PLAIN [REDACTED]\x0D\x0A`},
		{"auth login dXNlcg==", "auth login [REDACTED]"},
		{"AUTH LOGIN", "AUTH LOGIN"},
		{"AUTH PLAIN =", "AUTH PLAIN ="},
		{"Authentication successful", "Authentication successful"},
		{`"msg":"Auth config loaded","datasource":"file"`, `"msg":"Auth config loaded","datasource":"file"`},
		{`"msg":"Processing AUTH command","command":"AUTH PLAIN AHJh=\r\n"`, `"msg":"Processing AUTH command","command":"AUTH PLAIN [REDACTED]\r\n"`},
		{"x AUTH PLAIN a1 y AUTH LOGIN b2", "x AUTH PLAIN [REDACTED] y AUTH LOGIN [REDACTED]"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, _ := scrubAuth(tt.in)
			assert.Equal(t, tt.want, got)
		})
	}
}

func TestPrivacy(t *testing.T) {
	tests := []struct {
		name   string
		mode   string
		check  func(t *testing.T, sender string)
		hidden bool
	}{
		{name: "keep", mode: PrivacyKeep, check: func(t *testing.T, s string) { assert.Equal(t, "sender@example.com", s) }},
		{name: "redact", mode: PrivacyRedact, hidden: true, check: func(t *testing.T, s string) { assert.Equal(t, redacted, s) }},
		{name: "hash", mode: PrivacyHash, hidden: true, check: func(t *testing.T, s string) { assert.True(t, strings.HasPrefix(s, "hmac:"), s) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := createDefaultConfig().(*Config)
			cfg.Privacy.Sender, cfg.Privacy.Recipient = tt.mode, tt.mode
			cfg.Privacy.HashKey = "0123456789abcdef0123"
			sink, consume := newTestProcessor(t, cfg)
			consume(readLines(t, filepath.Join("testdata", "seed.log")))
			ev := events(sink)[3] // component=queue-processor ... from=... to=[...]
			tt.check(t, attr(ev, "sender").(string))
			assert.Equal(t, "example.com", attr(ev, "sender_domain"), "domains stay")
			if tt.hidden {
				assert.NotContains(t, ev.Body().Str(), "sender@example.com")
				assert.NotContains(t, ev.Body().Str(), "recipient@example.com")
				assert.NotEqual(t, "sender@example.com", attr(ev, "from"))
			}
		})
	}
}

func TestSessionTableIsBounded(t *testing.T) {
	var evicted int
	var size int64
	table, err := newSessionTable(2, time.Minute, func() { evicted++ }, func(d int64) { size += d })
	require.NoError(t, err)
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	table.now = func() time.Time { return now }
	for _, id := range []string{"a", "b", "c"} {
		table.with([]sessionKey{{name: id}}, false, func(s *session) { s.clientIP = id })
	}
	assert.Equal(t, 2, table.len())
	assert.Equal(t, 1, evicted)
	assert.Equal(t, int64(2), size)

	var ip string
	table.with([]sessionKey{{name: "b"}}, false, func(s *session) { ip = s.clientIP })
	assert.Equal(t, "b", ip, "b is still known")

	now = now.Add(2 * time.Minute) // past the TTL
	table.with([]sessionKey{{name: "b"}}, false, func(s *session) { ip = s.clientIP })
	assert.Empty(t, ip, "an expired session starts afresh")
}

// FuzzScrubAuth checks that scrubbing never panics and is idempotent.
func FuzzScrubAuth(f *testing.F) {
	for _, seed := range []string{"AUTH PLAIN AG9saXZpYQBzZWNyZXQ=", "auth login x", "Auth config loaded", "AUTH", "aUtH CRAM-MD5 abc= AUTH PLAIN"} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, s string) {
		once, _ := scrubAuth(s)
		twice, changed := scrubAuth(once)
		if changed && twice != once {
			t.Fatalf("not idempotent: %q -> %q -> %q", s, once, twice)
		}
	})
}

// consumeRecord runs one record with the given attributes through a
// default processor and returns its attributes.
func consumeRecord(t *testing.T, attrs map[string]any) map[string]any {
	t.Helper()
	sink, consume := newTestProcessor(t, createDefaultConfig().(*Config))
	ld := plog.NewLogs()
	lr := ld.ResourceLogs().AppendEmpty().ScopeLogs().AppendEmpty().LogRecords().AppendEmpty()
	lr.SetTimestamp(pcommon.NewTimestampFromTime(observed))
	lr.Body().SetStr("a line")
	require.NoError(t, lr.Attributes().FromRaw(attrs))
	consume(ld)
	evs := events(sink)
	require.Len(t, evs, 1)
	return evs[0].Attributes().AsRaw()
}

func TestCredentialKeys(t *testing.T) {
	tests := []struct {
		name  string
		attrs map[string]any
		want  map[string]any
	}{
		{"lower case", map[string]any{"password": "hunter2"}, map[string]any{"password": redacted}},
		{"any case", map[string]any{"Password": "hunter2", "API_KEY": "k1", "apiKey": "k2"}, map[string]any{"Password": redacted, "API_KEY": redacted, "apiKey": redacted}},
		{"in a map", map[string]any{"auth": map[string]any{"token": "t1", "user": "bob"}}, map[string]any{"auth": map[string]any{"token": redacted, "user": "bob"}}},
		{"in a list", map[string]any{"secret": []any{"s1", "s2"}}, map[string]any{"secret": []any{redacted, redacted}}},
		{"look-alike names stay", map[string]any{"passive": "yes", "tokens": int64(3), "pass": ""}, map[string]any{"passive": "yes", "tokens": int64(3), "pass": ""}},
		{"AUTH argument", map[string]any{"smtp_command": "AUTH", "command_data": "PLAIN AGJvYgBzM2NyZXQ="}, map[string]any{"command_data": "PLAIN " + redacted}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc := consumeRecord(t, tt.attrs)
			for k, v := range tt.want {
				assert.Equal(t, v, doc[k], k)
			}
		})
	}
}

// TestMailFlow covers each row of the mail flow table and the decisions
// made from Elemta's messages and statuses.
func TestMailFlow(t *testing.T) {
	tests := []struct {
		name        string
		attrs       map[string]any
		flow        string
		outcome     string
		reasonKey   string
		reasonValue string
	}{
		{"reception", map[string]any{"event_type": "reception"}, vocabulary.FlowReception, vocabulary.OutcomeSuccess, "", ""},
		{"delivery", map[string]any{"event_type": "delivery"}, vocabulary.FlowDelivery, vocabulary.OutcomeSuccess, "", ""},
		{"bounce", map[string]any{"event_type": "bounce", "bounce_reason": "550 no such user"}, vocabulary.FlowBounce, vocabulary.OutcomeFailure, "bounce_reason", "550 no such user"},
		{"bounce from failure_reason", map[string]any{"event_type": "bounce", "failure_reason": "all recipients rejected"}, vocabulary.FlowBounce, vocabulary.OutcomeFailure, "bounce_reason", "all recipients rejected"},
		{"tempfail", map[string]any{"event_type": "tempfail", "failure_reason": "452 4.3.1 storage"}, vocabulary.FlowTempfail, vocabulary.OutcomeFailure, "error_reason", "452 4.3.1 storage"},
		{"deferral", map[string]any{"event_type": "deferral", "response": "421 try later"}, vocabulary.FlowTempfail, vocabulary.OutcomeFailure, "error_reason", "421 try later"},
		{"rejection", map[string]any{"event_type": "rejection", "error": "500 5.5.2 Invalid command name"}, vocabulary.FlowRejection, vocabulary.OutcomeFailure, "rejection_reason", "500 5.5.2 Invalid command name"},
		{"system", map[string]any{"event_type": "system"}, vocabulary.FlowSystem, vocabulary.OutcomeUnknown, "", ""},
		{"message_delivery", map[string]any{"event_type": "message_delivery", "level": "INFO"}, vocabulary.FlowDelivery, vocabulary.OutcomeSuccess, "", ""},
		{"message_delivery failed", map[string]any{"event_type": "message_delivery", "level": "ERROR", "log_message": "Failed to deliver message: connection refused"}, vocabulary.FlowDelivery, vocabulary.OutcomeFailure, "error_reason", "Failed to deliver message: connection refused"},
		{"error", map[string]any{"event_type": "error", "error": "disk full"}, vocabulary.FlowNone, vocabulary.OutcomeFailure, "error_reason", "disk full"},
		{"authentication success flag", map[string]any{"event_type": "authentication", "success": true}, vocabulary.FlowNone, vocabulary.OutcomeSuccess, "", ""},
		{"authentication status", map[string]any{"event_type": "authentication", "status": "failure"}, vocabulary.FlowNone, vocabulary.OutcomeFailure, "error_reason", ""},
		{"authentication message", map[string]any{"event_type": "authentication", "log_message": "Authentication successful, failure count reset"}, vocabulary.FlowNone, vocabulary.OutcomeSuccess, "", ""},
		{"rejected in the message", map[string]any{"event_type": "smtp_command", "log_message": "Recipient rejected"}, vocabulary.FlowRejection, vocabulary.OutcomeFailure, "rejection_reason", "Recipient rejected"},
		{"blocked pattern", map[string]any{"event_type": "security", "log_message": "Blocked pattern in DATA"}, vocabulary.FlowRejection, vocabulary.OutcomeFailure, "rejection_reason", "Blocked pattern in DATA"},
		{"accepted command", map[string]any{"event_type": "smtp_command", "elemta_event_type": "rcpt_to_accepted"}, vocabulary.FlowNone, vocabulary.OutcomeSuccess, "", ""},
		{"failed command", map[string]any{"event_type": "smtp_command", "log_message": "Command processing failed"}, vocabulary.FlowNone, vocabulary.OutcomeFailure, "error_reason", "Command processing failed"},
		{"error level", map[string]any{"event_type": "queue_processing", "level": "ERROR", "error": "lock lost"}, vocabulary.FlowNone, vocabulary.OutcomeFailure, "error_reason", "lock lost"},
		{"nothing known", map[string]any{"event_type": "queue_processing", "level": "INFO"}, vocabulary.FlowNone, vocabulary.OutcomeUnknown, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc := consumeRecord(t, tt.attrs)
			assert.Equal(t, tt.flow, doc["mta_flow"])
			assert.Equal(t, tt.outcome, doc["event.outcome"])
			assert.Equal(t, "email", doc["event.category"])
			if tt.outcome == vocabulary.OutcomeFailure {
				assert.Equal(t, true, doc["is_error"])
			} else {
				assert.NotContains(t, doc, "is_error")
			}
			for _, k := range []string{"bounce_reason", "rejection_reason", "error_reason"} {
				if k == tt.reasonKey && tt.reasonValue != "" {
					assert.Equal(t, tt.reasonValue, doc[k], k)
				} else if _, inInput := tt.attrs[k]; !inInput {
					assert.NotContains(t, doc, k)
				}
			}
		})
	}
}

// TestTelemetry checks the processor's own metrics against what it did to
// a batch: events by type and flow, credentials scrubbed, GeoIP lookups and
// cache, sessions held.
func TestTelemetry(t *testing.T) {
	path := filepath.Join(t.TempDir(), "city.mmdb")
	writeDB(t, path, "GeoLite2-City", network{"81.2.69.0/24", geoip2("GB", "United Kingdom", "England", "London", 51.5, -0.1)})
	tel := componenttest.NewTelemetry()
	defer func() { require.NoError(t, tel.Shutdown(context.Background())) }()
	set := processortest.NewNopSettings(metadata.Type)
	set.TelemetrySettings = tel.NewTelemetrySettings()
	sink, consume := newTestProcessorWith(t, geoConfig(path, ""), set)

	ld := readLines(t, filepath.Join("testdata", "auth-session.log"))
	// Two connections from one public address: a lookup, then the cache.
	for i, lr := range ld.ResourceLogs().At(0).ScopeLogs().At(0).LogRecords().All() {
		if i < 2 {
			lr.Attributes().PutStr("client_ip", "81.2.69.142")
			lr.Attributes().Remove("session_id")
		}
	}
	consume(ld)

	byKind := map[[2]string]int64{}
	scrubbed := int64(0)
	for _, ev := range events(sink) {
		fields := ev.Attributes().AsRaw()
		byKind[[2]string{fmt.Sprint(fields["event_type"]), fmt.Sprint(fields["mta_flow"])}]++
		if strings.Contains(fmt.Sprint(fields)+ev.Body().Str(), redacted) {
			scrubbed++
		}
	}
	var want []metricdata.DataPoint[int64]
	for k, n := range byKind {
		want = append(want, metricdata.DataPoint[int64]{
			Attributes: attribute.NewSet(attribute.String("event_type", k[0]), attribute.String("mta_flow", k[1])), Value: n,
		})
	}
	metadatatest.AssertEqualProcessorSmtpeventEvents(t, tel, want, metricdatatest.IgnoreTimestamp())

	m, err := tel.GetMetric("otelcol_processor_smtpevent_credentials_scrubbed")
	require.NoError(t, err)
	assert.GreaterOrEqual(t, m.Data.(metricdata.Sum[int64]).DataPoints[0].Value, scrubbed,
		"each document with a scrubbed credential is counted")
	assert.Positive(t, scrubbed)

	metadatatest.AssertEqualProcessorSmtpeventGeoipCache(t, tel, []metricdata.DataPoint[int64]{
		{Attributes: attribute.NewSet(attribute.String("result", "miss")), Value: 1},
		{Attributes: attribute.NewSet(attribute.String("result", "hit")), Value: 1},
	}, metricdatatest.IgnoreTimestamp())
	lookups, err := tel.GetMetric("otelcol_processor_smtpevent_geoip_lookups")
	require.NoError(t, err)
	results := map[string]int64{}
	for _, dp := range lookups.Data.(metricdata.Sum[int64]).DataPoints {
		r, _ := dp.Attributes.Value("result")
		results[r.AsString()] += dp.Value
	}
	assert.Equal(t, int64(2), results["found"])
	assert.Positive(t, results["skipped"], "the session's loopback addresses are skipped")
	assert.Zero(t, results["error"])
}

// TestFailedLoginsNeverIndexPasswords: a client that sends its password as
// AUTH LOGIN's user name leaves it in the failed attempt's user name, the
// AUTH line and the bare SASL response Elemta logs; none of it survives in
// any field or line. A successful login keeps its user name.
func TestFailedLoginsNeverIndexPasswords(t *testing.T) {
	const password = "Hunter2-secret!"
	const encoded = "SHVudGVyMi1zZWNyZXQh" // base64 of the password
	tests := []struct {
		mode     string
		wantUser string // the failed attempt's user name as indexed; "" for a hash
	}{
		{PrivacyRedact, redacted},
		{PrivacyHash, ""},
		{PrivacyKeep, password},
	}
	for _, tt := range tests {
		t.Run(tt.mode, func(t *testing.T) {
			cfg := createDefaultConfig().(*Config)
			cfg.Privacy.FailedLoginUsername = tt.mode
			cfg.Privacy.HashKey = "0123456789abcdef0123"
			sink, consume := newTestProcessor(t, cfg)
			consume(readLines(t, filepath.Join("testdata", "failed-login.log")))
			evs := events(sink)
			require.Len(t, evs, 4)
			for i, ev := range evs {
				ld := plog.NewLogs()
				ev.CopyTo(ld.ResourceLogs().AppendEmpty().ScopeLogs().AppendEmpty().LogRecords().AppendEmpty())
				raw, err := (&plog.JSONMarshaler{}).MarshalLogs(ld)
				require.NoError(t, err)
				assert.NotContains(t, string(raw), encoded, "event %d", i)
				if tt.mode != PrivacyKeep {
					assert.NotContains(t, string(raw), password, "event %d", i)
				}
			}
			failed := evs[1].Attributes()
			user, _ := failed.Get("username")
			if tt.wantUser == "" {
				assert.Regexp(t, `^hmac:[0-9a-f]{32}$`, user.Str())
			} else {
				assert.Equal(t, tt.wantUser, user.Str())
			}
			assert.Contains(t, evs[0].Body().Str(), "AUTH LOGIN [REDACTED]")
			assert.Equal(t, redacted, attr(evs[2], "command"), "the bare SASL response")
			assert.Equal(t, "olivia.hart@corp.example.org", attr(evs[3], "username"), "a successful login keeps its user name")
		})
	}
}

func TestBareSASLResponse(t *testing.T) {
	tests := []struct {
		command string
		want    bool
	}{
		{`SHVudGVyMi1zZWNyZXQh\x0D\x0A`, true},
		{"dXNlcg==", true},
		{"QUIT", false},
		{`STARTTLS\x0D\x0A`, false},
		{"RSET\r\n", false},
		{"mail FROM:<a@b>", false},
		{"*", false},
		{"abc", false},
		{"YWxsbGV0dGVyc3dvcmQ", true},
	}
	for _, tt := range tests {
		t.Run(tt.command, func(t *testing.T) {
			_, got := saslResponse(tt.command)
			assert.Equal(t, tt.want, got)
		})
	}
}
