package smtpeventprocessor

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/processor/processortest"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	"go.opentelemetry.io/otel/sdk/metric/metricdata/metricdatatest"

	"github.com/elemta/otelcol-elemta/internal/vocabulary"
	"github.com/elemta/otelcol-elemta/processor/smtpeventprocessor/internal/metadata"
	"github.com/elemta/otelcol-elemta/processor/smtpeventprocessor/internal/metadatatest"
)

// metricKeys are the attributes measure adds.
var metricKeys = []string{
	vocabulary.AttrConnectionResult, vocabulary.AttrClientCountry, vocabulary.AttrSMTPVerb,
	vocabulary.AttrMessageStatus, vocabulary.AttrRejectionClass, vocabulary.AttrAuthMechanism,
	vocabulary.AttrTLSResult, vocabulary.AttrTLSProtocolVersion, vocabulary.AttrErrorComponent,
	vocabulary.AttrDeliveryDelaySeconds,
}

func metricAttrs(fields map[string]any) map[string]any {
	out := map[string]any{}
	for _, k := range metricKeys {
		if v, ok := fields[k]; ok {
			out[k] = v
		}
	}
	return out
}

// TestMetricAttributes: the one line of each SMTP event gets the attribute
// its metric counts, with a bounded value; the other lines of the event
// get none.
func TestMetricAttributes(t *testing.T) {
	tests := []struct {
		name   string
		fields map[string]any
		want   map[string]any
	}{
		{
			"a connection",
			map[string]any{"log_message": "New connection", "event_type": "smtp_connection", "client_ip": "127.0.0.21"},
			map[string]any{"connection_result": "accepted"},
		},
		{"its other line", map[string]any{"log_message": "Connection accepted", "event_type": "smtp_connection"}, map[string]any{}},
		{
			"a refused connection",
			map[string]any{"log_message": "Connection rejected due to resource limits", "level": "WARN", "client_ip": "10.0.0.1:5"},
			map[string]any{"connection_result": "rejected"},
		},
		{
			"an old text connection",
			map[string]any{"log_message": "new connection: 192.168.1.100:54321", "log.format": "smtp", "event_type": "smtp_connection", "client_ip": "192.168.1.100"},
			map[string]any{"connection_result": "accepted"},
		},
		{
			"a command",
			map[string]any{"log_message": "SMTP command processed", "event_type": "smtp_command", "smtp_command": "MAIL FROM", "success": true},
			map[string]any{"smtp_verb": "MAIL"},
		},
		{
			"a command a client made up",
			map[string]any{"log_message": "SMTP command processed", "event_type": "smtp_command", "smtp_command": "XYZZY"},
			map[string]any{"smtp_verb": "other"},
		},
		{
			"a command without a verb",
			map[string]any{"log_message": "SMTP command processed", "event_type": "smtp_command"},
			map[string]any{"smtp_verb": "unknown"},
		},
		{
			"a command Elemta gave an event type",
			map[string]any{"log_message": "SMTP command processed", "event_type": "smtp_command", "elemta_event_type": "mail_from_accepted", "smtp_command": "MAIL FROM"},
			map[string]any{"smtp_verb": "MAIL"},
		},
		{
			"a refused command",
			map[string]any{"log_message": "SMTP command processed", "event_type": "rejection", "smtp_command": "RCPT TO", "success": false, "level": "WARN"},
			map[string]any{"smtp_verb": "RCPT"},
		},
		{
			"an acceptance line is not the command",
			map[string]any{"log_message": "rcpt_to_accepted", "event_type": "smtp_command", "elemta_event_type": "rcpt_to_accepted", "smtp_command": "RCPT TO"},
			map[string]any{},
		},
		{
			"an old text command",
			map[string]any{"log_message": "EHLO client.example.com", "log.format": "smtp", "event_type": "smtp_command", "smtp_command": "EHLO"},
			map[string]any{"smtp_verb": "EHLO"},
		},
		{
			"a refusal",
			map[string]any{"log_message": "SMTP error response sent", "event_type": "rejection", "level": "WARN", "response": "500 5.5.2 Invalid command name"},
			map[string]any{"rejection_class": "syntax"},
		},
		{
			"the refusal's second line",
			map[string]any{"log_message": "SMTP error response sent", "level": "WARN", "response": "500 5.5.2 Invalid command name"},
			map[string]any{},
		},
		{
			"a temporary refusal",
			map[string]any{"log_message": "SMTP error response sent", "event_type": "tempfail", "response": "451 4.7.1 Greylisted, try again later"},
			map[string]any{"rejection_class": "policy"},
		},
		{
			"reception",
			map[string]any{"log_message": "message_reception", "event_type": "reception", "message_id": "m1"},
			map[string]any{"message_status": "received"},
		},
		{
			"delivery with Elemta's delay",
			map[string]any{"log_message": "message_delivery", "event_type": "delivery", "total_delay_ms": int64(914)},
			map[string]any{"message_status": "delivered", "delivery_delay_seconds": 0.914},
		},
		{
			"delivery with the delay as text",
			map[string]any{"log_message": "message_delivery", "event_type": "delivery", "total_delay_ms": "1500"},
			map[string]any{"message_status": "delivered", "delivery_delay_seconds": 1.5},
		},
		{
			"delivery with reception and delivery times",
			map[string]any{
				"log_message": "message_delivery", "event_type": "delivery",
				"reception_time": "2026-11-25T17:42:57Z", "delivery_time": "2026-11-25T17:44:57Z",
			},
			map[string]any{"message_status": "delivered", "delivery_delay_seconds": 120.0},
		},
		{
			"a malformed delay falls back to the times",
			map[string]any{
				"log_message": "message_delivery", "event_type": "delivery", "total_delay_ms": "soon",
				"reception_time": "2026-11-25T17:42:57Z", "delivery_time": "2026-11-25T17:42:59Z",
			},
			map[string]any{"message_status": "delivered", "delivery_delay_seconds": 2.0},
		},
		{
			"a negative delay and no times: no delay",
			map[string]any{"log_message": "message_delivery", "event_type": "delivery", "total_delay_ms": int64(-5)},
			map[string]any{"message_status": "delivered"},
		},
		{
			"a bounce",
			map[string]any{"log_message": "message_bounce", "event_type": "bounce", "level": "ERROR", "component": []any{"queue-processor", "message-lifecycle"}},
			map[string]any{"message_status": "bounced", "error_component": "message-lifecycle"},
		},
		{
			"a tempfail",
			map[string]any{"log_message": "message_tempfail", "event_type": "tempfail", "level": "WARN"},
			map[string]any{"message_status": "deferred"},
		},
		{
			"a deferral",
			map[string]any{"log_message": "message_deferral", "event_type": "deferral"},
			map[string]any{"message_status": "deferred"},
		},
		{
			"a rejected message",
			map[string]any{"log_message": "message_rejection", "event_type": "rejection"},
			map[string]any{"message_status": "rejected"},
		},
		{"the other reception lines", map[string]any{"log_message": "message_accepted", "event_type": "reception"}, map[string]any{}},
		{
			"an authentication",
			map[string]any{"log_message": "authentication", "event_type": "authentication", "auth_method": "plain", "success": true},
			map[string]any{"auth_mechanism": "PLAIN"},
		},
		{
			"an authentication by an unknown mechanism",
			map[string]any{"log_message": "authentication", "event_type": "authentication", "auth_method": "X-MADE-UP"},
			map[string]any{"auth_mechanism": "other"},
		},
		{
			"an authentication without a mechanism",
			map[string]any{"log_message": "authentication", "event_type": "authentication"},
			map[string]any{"auth_mechanism": "unknown"},
		},
		{"another authentication line", map[string]any{"log_message": "Authentication successful", "event_type": "authentication"}, map[string]any{}},
		{
			"STARTTLS",
			map[string]any{"log_message": "TLS connection established successfully", "tls_version": "TLS 1.3"},
			map[string]any{"tls_result": "success", "tls.protocol.version": "1.3"},
		},
		{
			"a failed handshake",
			map[string]any{"log_message": "TLS handshake failure", "level": "WARN", "component": "tls-monitor"},
			map[string]any{"tls_result": "failure"},
		},
		{
			"an error without a component",
			map[string]any{"log_message": "Failed to deliver message: connection refused", "level": "ERROR"},
			map[string]any{"error_component": "unknown"},
		},
		{"a warning is no error", map[string]any{"log_message": "Recipient rejected", "level": "WARN", "component": "lmtp-delivery"}, map[string]any{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, metricAttrs(consumeRecord(t, tt.fields)))
		})
	}
}

func TestRejectionClass(t *testing.T) {
	tests := []struct{ reply, want string }{
		{"530 5.7.0 Authentication required", vocabulary.RejectionAuthRequired},
		{"550 5.7.1 Must authenticate first", vocabulary.RejectionAuthRequired},
		{"554 5.7.1 Relay access denied", vocabulary.RejectionRelayDenied},
		{"550 5.7.1 External relay denied", vocabulary.RejectionRelayDenied},
		{"554 5.7.1 Message rejected: 500 5.5.2 Security violation detected", vocabulary.RejectionPolicy},
		{"550 Sender blocked by policy", vocabulary.RejectionPolicy},
		{"421 4.7.0 Rate limit exceeded", vocabulary.RejectionPolicy},
		{"500 5.5.2 Invalid command name", vocabulary.RejectionSyntax},
		{"501 Syntax error in parameters", vocabulary.RejectionSyntax},
		{"503 5.5.1 Bad sequence of commands", vocabulary.RejectionSyntax},
		{"552 5.3.4 Message size exceeds fixed limit", vocabulary.RejectionOther},
		{"", vocabulary.RejectionOther},
	}
	for _, tt := range tests {
		t.Run(tt.reply, func(t *testing.T) {
			assert.Equal(t, tt.want, rejectionClass(tt.reply))
		})
	}
}

func TestTLSVersion(t *testing.T) {
	for in, want := range map[string]string{
		"TLS 1.3": "1.3", "TLSv1.2": "1.2", "VersionTLS13": "1.3", "1.1": "1.1", "tls1.0": "1.0", "SSLv3": "", "": "",
	} {
		assert.Equal(t, want, tlsVersion(in), in)
	}
}

// TestDelayFromTheReceptionLine: a delivery line without delay or times
// takes its delay from the reception line of the same message, in an
// earlier batch.
func TestDelayFromTheReceptionLine(t *testing.T) {
	sink, consume := newTestProcessor(t, createDefaultConfig().(*Config))
	received := time.Date(2026, 11, 25, 17, 42, 57, 0, time.UTC)
	line := func(at time.Time, msg string) plog.Logs {
		ld := plog.NewLogs()
		lr := ld.ResourceLogs().AppendEmpty().ScopeLogs().AppendEmpty().LogRecords().AppendEmpty()
		lr.SetTimestamp(pcommon.NewTimestampFromTime(at))
		lr.Body().SetStr(msg)
		lr.Attributes().PutStr("log_message", msg)
		lr.Attributes().PutStr("message_id", "m-42")
		return ld
	}
	consume(line(received, "message_reception"))
	consume(line(received.Add(90*time.Second), "message_delivery"))
	consume(line(received.Add(200*time.Second), "message_delivery")) // delivered again: no reception left

	evs := events(sink)
	require.Len(t, evs, 3)
	assert.Equal(t, map[string]any{"message_status": "received"}, metricAttrs(evs[0].Attributes().AsRaw()))
	assert.Equal(t, map[string]any{"message_status": "delivered", "delivery_delay_seconds": 90.0}, metricAttrs(evs[1].Attributes().AsRaw()))
	assert.Equal(t, map[string]any{"message_status": "delivered"}, metricAttrs(evs[2].Attributes().AsRaw()))
}

// TestMalformedDelaysAreCounted: a delay that is not a number is left out
// of the record and counted.
func TestMalformedDelaysAreCounted(t *testing.T) {
	tel := componenttest.NewTelemetry()
	defer func() { require.NoError(t, tel.Shutdown(context.Background())) }()
	set := processortest.NewNopSettings(metadata.Type)
	set.TelemetrySettings = tel.NewTelemetrySettings()
	sink, consume := newTestProcessorWith(t, createDefaultConfig().(*Config), set)

	ld := plog.NewLogs()
	records := ld.ResourceLogs().AppendEmpty().ScopeLogs().AppendEmpty().LogRecords()
	for _, delay := range []any{"soon", -1.0, int64(12), []any{"1"}} {
		lr := records.AppendEmpty()
		lr.Attributes().PutStr("log_message", "message_delivery")
		require.NoError(t, lr.Attributes().PutEmpty("total_delay_ms").FromRaw(delay))
	}
	consume(ld)

	withDelay := 0
	for _, ev := range events(sink) {
		if _, ok := ev.Attributes().Get(vocabulary.AttrDeliveryDelaySeconds); ok {
			withDelay++
		}
	}
	assert.Equal(t, 1, withDelay, "only the number keeps a delay")
	metadatatest.AssertEqualProcessorSmtpeventDelaysMalformed(t, tel, []metricdata.DataPoint[int64]{{Value: 3}}, metricdatatest.IgnoreTimestamp())
}

// TestClientCountryOnConnections: with GeoIP on, a connection's line
// carries the client's country, or "unknown".
func TestClientCountryOnConnections(t *testing.T) {
	path := filepath.Join(t.TempDir(), "city.mmdb")
	writeDB(t, path, "GeoLite2-City", network{"81.2.69.0/24", geoip2("GB", "United Kingdom", "England", "London", 51.5, -0.1)})
	for ip, want := range map[string]string{"81.2.69.142": "GB", "203.0.113.9": "unknown", "127.0.0.1": "unknown"} {
		t.Run(ip, func(t *testing.T) {
			sink, consume := newTestProcessor(t, geoConfig(path, ""))
			ld := plog.NewLogs()
			lr := ld.ResourceLogs().AppendEmpty().ScopeLogs().AppendEmpty().LogRecords().AppendEmpty()
			lr.Attributes().PutStr("log_message", "New connection")
			lr.Attributes().PutStr("client_ip", ip)
			consume(ld)
			assert.Equal(t, map[string]any{"connection_result": "accepted", "client_country": want}, metricAttrs(events(sink)[0].Attributes().AsRaw()))
		})
	}
}

// TestSASLMechanisms: each mechanism an AUTH command may name has its
// initial response scrubbed from the command and labels the attempt with
// itself, from the one list of them.
func TestSASLMechanisms(t *testing.T) {
	for _, mech := range []string{
		"PLAIN", "LOGIN", "CRAM-MD5", "DIGEST-MD5", "XOAUTH2", "OAUTHBEARER",
		"SCRAM-SHA-1", "SCRAM-SHA-256", "NTLM", "GSSAPI", "ANONYMOUS", "EXTERNAL",
	} {
		t.Run(mech, func(t *testing.T) {
			scrubbed := consumeRecord(t, map[string]any{
				"log_message": "Processing AUTH command", "command": "AUTH " + strings.ToLower(mech) + " c2VjcmV0",
			})
			assert.Equal(t, "AUTH "+strings.ToLower(mech)+" "+redacted, scrubbed["command"])
			attempt := consumeRecord(t, map[string]any{
				"log_message": "authentication", "event_type": "authentication", "auth_method": strings.ToLower(mech),
			})
			assert.Equal(t, mech, attempt["auth_mechanism"])
		})
	}
}
