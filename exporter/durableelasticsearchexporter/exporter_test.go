package durableelasticsearchexporter

import (
	"context"
	"net/http"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/exporter"
	"go.opentelemetry.io/collector/exporter/exportertest"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
	"go.uber.org/zap/zaptest/observer"

	"github.com/elemta/otelcol-elemta/exporter/durableelasticsearchexporter/internal/metadata"
	"github.com/elemta/otelcol-elemta/internal/filestoragetest"
	"github.com/elemta/otelcol-elemta/testbed/esdouble"
)

// testConfig is the default configuration with short retry intervals.
func testConfig(t *testing.T, endpoint string, persistent bool) *Config {
	t.Helper()
	cfg := createDefaultConfig().(*Config)
	cfg.Elasticsearch.Endpoint = endpoint
	cfg.Elasticsearch.LogsIndex = "elemta-logs"
	cfg.DeadLetter.Directory = filepath.Join(t.TempDir(), "dead-letter")
	cfg.Elasticsearch.Retry.InitialInterval = 5 * time.Millisecond
	cfg.Elasticsearch.Retry.MaxInterval = 20 * time.Millisecond
	cfg.BackOffConfig.InitialInterval = 10 * time.Millisecond
	cfg.BackOffConfig.MaxInterval = 50 * time.Millisecond
	if persistent {
		q := cfg.QueueConfig.GetOrInsertDefault()
		q.Batch.Get().FlushTimeout = 10 * time.Millisecond
		q.StorageID = &filestoragetest.ID
	}
	return cfg
}

// observedExporter is an exporter whose logs and metrics a test reads.
type observedExporter struct {
	exporter.Logs
	logs *observer.ObservedLogs
	tel  *componenttest.Telemetry
}

func startObserved(t *testing.T, cfg *Config, host component.Host) *observedExporter {
	t.Helper()
	core, logs := observer.New(zapcore.DebugLevel)
	tel := componenttest.NewTelemetry()
	t.Cleanup(func() { require.NoError(t, tel.Shutdown(context.Background())) })
	set := exportertest.NewNopSettings(metadata.Type)
	set.ID = component.NewID(metadata.Type)
	set.TelemetrySettings = tel.NewTelemetrySettings()
	set.Logger = zap.New(core)
	exp, err := NewFactory().CreateLogs(context.Background(), set, cfg)
	require.NoError(t, err)
	require.NoError(t, exp.Start(context.Background(), host))
	return &observedExporter{Logs: exp, logs: logs, tel: tel}
}

// consumeInBackground sends a batch the exporter answers only once
// Elasticsearch has it; the answer comes on the channel.
func consumeInBackground(exp exporter.Logs, ld plog.Logs) <-chan error {
	answer := make(chan error, 1)
	go func() { answer <- exp.ConsumeLogs(context.Background(), ld) }()
	return answer
}

// requireAnswer waits for the answer to a batch: a success.
func requireAnswer(t *testing.T, answer <-chan error) {
	t.Helper()
	select {
	case err := <-answer:
		require.NoError(t, err)
	case <-time.After(10 * time.Second):
		t.Fatal("the batch was not answered")
	}
}

// counter sums one of the exporter's own counters by one attribute.
func (o *observedExporter) counter(t *testing.T, name, attr string) map[string]int64 {
	t.Helper()
	out := map[string]int64{}
	m, err := o.tel.GetMetric(name)
	if err != nil {
		return out
	}
	for _, dp := range m.Data.(metricdata.Sum[int64]).DataPoints {
		v, _ := dp.Attributes.Value(attribute.Key(attr))
		out[v.AsString()] += dp.Value
	}
	return out
}

func logs(n int) plog.Logs {
	ld := plog.NewLogs()
	records := ld.ResourceLogs().AppendEmpty().ScopeLogs().AppendEmpty().LogRecords()
	for i := range n {
		r := records.AppendEmpty()
		r.SetTimestamp(pcommon.NewTimestampFromTime(time.Date(2024, 1, 15, 10, 30, 45, 0, time.UTC)))
		r.Body().SetStr("line " + strconv.Itoa(i))
	}
	return ld
}

func bodies(docs []esdouble.Document) map[string]int {
	out := map[string]int{}
	for _, d := range docs {
		out[esdouble.Message(d)]++
	}
	return out
}

func requireAllLines(t *testing.T, es *esdouble.Server, n int) {
	t.Helper()
	require.Eventually(t, func() bool { return len(bodies(es.Documents())) == n },
		20*time.Second, 10*time.Millisecond, "want %d distinct documents", n)
	got := bodies(es.Documents())
	for i := range n {
		assert.Positive(t, got["line "+strconv.Itoa(i)], "line %d missing", i)
	}
}

func TestDeliversThroughTransientFailures(t *testing.T) {
	tests := []struct {
		name   string
		inject func(*esdouble.Server)
	}{
		{name: "healthy"},
		{name: "503 beyond the client's own retries", inject: func(s *esdouble.Server) { s.FailNextBulk(10, http.StatusServiceUnavailable) }},
		{name: "429", inject: func(s *esdouble.Server) { s.FailNextBulk(10, http.StatusTooManyRequests) }},
		{name: "502 and 504", inject: func(s *esdouble.Server) {
			s.FailNextBulk(4, http.StatusBadGateway)
			s.FailNextBulk(4, http.StatusGatewayTimeout)
		}},
		{name: "dropped connections", inject: func(s *esdouble.Server) { s.DropNextConnections(6) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			es := esdouble.New()
			defer es.Close()
			if tt.inject != nil {
				tt.inject(es)
			}
			exp := startObserved(t, testConfig(t, es.URL(), false), componenttest.NewNopHost())
			require.NoError(t, exp.ConsumeLogs(context.Background(), logs(50)))
			requireAllLines(t, es, 50)
			require.NoError(t, exp.Shutdown(context.Background()))
		})
	}
}

func TestRejectedDocumentsAreNotRetriedForever(t *testing.T) {
	es := esdouble.New()
	defer es.Close()
	es.RejectItems(func(d esdouble.Document) bool { return esdouble.Message(d) == "line 3" })

	exp := startObserved(t, testConfig(t, es.URL(), false), componenttest.NewNopHost())
	require.NoError(t, exp.ConsumeLogs(context.Background(), logs(10)))
	require.Eventually(t, func() bool { return len(es.Documents()) == 9 }, 10*time.Second, 10*time.Millisecond)
	require.NoError(t, exp.Shutdown(context.Background()))
	assert.Equal(t, 1, es.Rejected())
	assert.NotContains(t, bodies(es.Documents()), "line 3")
}

// TestConsumeAnswersOnceElasticsearchHasTheBatch: without a sending
// queue the exporter answers its caller (the receiver, whose read position
// waits for the answer) only once Elasticsearch has the batch. Started
// while Elasticsearch is unreachable, it keeps retrying; a caller that
// gives up (shutdown) gets an error, not a false success.
func TestConsumeAnswersOnceElasticsearchHasTheBatch(t *testing.T) {
	es := esdouble.New()
	addr := es.Addr()
	es.Close()

	exp := startObserved(t, testConfig(t, "http://"+addr, false), componenttest.NewNopHost())

	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	require.Error(t, exp.ConsumeLogs(ctx, logs(5)), "the caller gave up before Elasticsearch had the batch")

	answered := make(chan error, 1)
	go func() { answered <- exp.ConsumeLogs(context.Background(), logs(5)) }()
	select {
	case err := <-answered:
		t.Fatalf("answered %v while Elasticsearch is unreachable", err)
	case <-time.After(300 * time.Millisecond):
	}

	back, err := esdouble.NewAt(addr)
	require.NoError(t, err)
	defer back.Close()
	select {
	case err := <-answered:
		require.NoError(t, err)
	case <-time.After(10 * time.Second):
		t.Fatal("no answer once Elasticsearch was back")
	}
	requireAllLines(t, back, 5)
	require.NoError(t, exp.Shutdown(context.Background()))
}

func TestPersistentQueueSurvivesRestart(t *testing.T) {
	storageDir := t.TempDir()
	es := esdouble.New()
	addr := es.Addr()
	es.Close() // Elasticsearch is down for the whole first run.

	first := startObserved(t, testConfig(t, "http://"+addr, true), filestoragetest.NewHost(t, storageDir))
	require.NoError(t, first.ConsumeLogs(context.Background(), logs(100)))
	time.Sleep(100 * time.Millisecond) // let a few attempts fail
	require.NoError(t, first.Shutdown(context.Background()))

	back, err := esdouble.NewAt(addr)
	require.NoError(t, err)
	defer back.Close()

	second := startObserved(t, testConfig(t, "http://"+addr, true), filestoragetest.NewHost(t, storageDir))
	requireAllLines(t, back, 100)
	require.NoError(t, second.Shutdown(context.Background()))
}

func TestRetriedAttemptsAreNotLoggedAsRejected(t *testing.T) {
	es := esdouble.New()
	defer es.Close()
	es.FailNextBulk(8, http.StatusServiceUnavailable)

	exp := startObserved(t, testConfig(t, es.URL(), false), componenttest.NewNopHost())
	observed := exp.logs
	require.NoError(t, exp.ConsumeLogs(context.Background(), logs(5)))
	requireAllLines(t, es, 5)
	require.NoError(t, exp.Shutdown(context.Background()))

	rejections := observed.FilterMessage(innerRejectionMessage).All()
	require.NotEmpty(t, rejections, "the inner exporter must have failed at least once")
	for _, e := range rejections {
		assert.Equal(t, zapcore.DebugLevel, e.Level)
	}
	assert.NotEmpty(t, observed.FilterMessage("Exporting failed. Will retry the request after interval.").All())
}
