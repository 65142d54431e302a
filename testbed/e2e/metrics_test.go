package e2e

import (
	"encoding/json"
	"math"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/elemta/otelcol-elemta/testbed/esdouble"
)

// metricLines returns the lines the metrics tests feed: the distribution's
// samples and the real INFO run of Elemta committed with the tests.
func metricLines(t *testing.T) []string {
	t.Helper()
	return append(sampleLines(t), records(t, filepath.Join(samplesDir(t), "elemta", "elemta-json-info.log.gz"))...)
}

// smtpCounts is what the SMTP metrics must say of a set of lines, counted
// from the lines as Elemta wrote them: one count per line of the event.
type smtpCounts struct {
	records     int
	connections map[string]int // by connection_result
	messages    map[string]int // by message_status
	commands    int
	rejections  int
	auth        map[string]int // by outcome
	tls         map[string]int // by result
	errors      int
	delays      int
	delaySum    float64
}

var (
	kvMessage  = regexp.MustCompile(`(?:^|\s)msg=("(?:[^"\\]|\\.)*"|\S+)`)
	kvLevel    = regexp.MustCompile(`(?:^|\s)level=(\S+)`)
	smtpText   = regexp.MustCompile(`^SMTP: \d{4}-\d\d-\d\d \d\d:\d\d:\d\d (.*)$`)
	leveledErr = regexp.MustCompile(`^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d (ERROR|FATAL) `)
)

var lifecycle = map[string]string{
	"message_reception": "received", "message_delivery": "delivered", "message_bounce": "bounced",
	"message_deferral": "deferred", "message_tempfail": "deferred", "message_rejection": "rejected",
}

func countSMTP(t *testing.T, lines []string) smtpCounts {
	t.Helper()
	c := smtpCounts{records: len(lines), connections: map[string]int{}, messages: map[string]int{}, auth: map[string]int{}, tls: map[string]int{}}
	for _, line := range lines {
		fields := map[string]any{}
		switch {
		case strings.HasPrefix(line, "{"):
			if json.Unmarshal([]byte(line), &fields) != nil {
				continue
			}
		case kvMessage.MatchString(line):
			msg := kvMessage.FindStringSubmatch(line)[1]
			if unquoted, err := strconv.Unquote(msg); err == nil {
				msg = unquoted
			}
			fields["msg"] = msg
			if m := kvLevel.FindStringSubmatch(line); m != nil {
				fields["level"] = m[1]
			}
		case smtpText.MatchString(line):
			if strings.HasPrefix(strings.ToLower(smtpText.FindStringSubmatch(line)[1]), "new connection") {
				c.connections["accepted"]++
			} else {
				c.commands++
			}
			continue
		case leveledErr.MatchString(line):
			c.errors++
			continue
		default:
			continue
		}
		msg, _ := fields["msg"].(string)
		eventType, _ := fields["event_type"].(string)
		switch {
		case msg == "New connection":
			c.connections["accepted"]++
		case strings.HasPrefix(msg, "Connection rejected due to"):
			c.connections["rejected"]++
		case msg == "SMTP command processed":
			c.commands++
		case msg == "SMTP error response sent" && (eventType == "rejection" || eventType == "tempfail"):
			c.rejections++
		case msg == "authentication" && eventType == "authentication":
			if fields["success"] == true {
				c.auth["success"]++
			} else {
				c.auth["failure"]++
			}
		case msg == "TLS connection established successfully":
			c.tls["success"]++
		case msg == "TLS handshake failure":
			c.tls["failure"]++
		case lifecycle[msg] != "":
			c.messages[lifecycle[msg]]++
			if msg == "message_delivery" {
				ms, ok := fields["total_delay_ms"].(float64)
				require.True(t, ok, "every sample delivery line has its delay: %s", line)
				c.delays++
				c.delaySum += ms / 1000
			}
		}
		if level := fields["level"]; level == "ERROR" || level == "FATAL" {
			c.errors++
		}
	}
	return c
}

// sample is one series of a Prometheus text exposition.
type sample struct {
	name   string
	labels map[string]string
	value  float64
}

var (
	sampleLine = regexp.MustCompile(`^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{.*\})? (\S+)$`)
	labelPair  = regexp.MustCompile(`([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"`)
)

func parseExposition(t *testing.T, text string) []sample {
	t.Helper()
	var out []sample
	for _, line := range strings.Split(text, "\n") {
		m := sampleLine.FindStringSubmatch(line)
		if m == nil || strings.HasPrefix(line, "#") {
			continue
		}
		v, err := strconv.ParseFloat(m[3], 64)
		require.NoError(t, err, line)
		s := sample{name: m[1], labels: map[string]string{}, value: v}
		for _, p := range labelPair.FindAllStringSubmatch(m[2], -1) {
			s.labels[p[1]] = p[2]
		}
		out = append(out, s)
	}
	return out
}

// total adds the values of a metric's series whose labels include match.
func total(samples []sample, name string, match map[string]string) float64 {
	sum := 0.0
	for _, s := range samples {
		if s.name != name {
			continue
		}
		ok := true
		for k, v := range match {
			ok = ok && s.labels[k] == v
		}
		if ok {
			sum += s.value
		}
	}
	return sum
}

// counted is total for a count.
func counted(samples []sample, name string, match map[string]string) int {
	return int(math.Round(total(samples, name, match)))
}

// smtpMetrics reads the collector's SMTP metrics endpoint.
func (c *collector) smtpMetrics(t *testing.T) []sample {
	t.Helper()
	_, body := get(t, "http://"+envOf(c.cmd, "OTELCOL_ELEMTA_METRICS_ENDPOINT")+"/metrics")
	return parseExposition(t, body)
}

// bulkRequests counts the _bulk requests the double answered.
func bulkRequests(es *esdouble.Server) int {
	n := 0
	for _, r := range es.Requests() {
		if strings.HasSuffix(r.Path, "/_bulk") {
			n++
		}
	}
	return n
}

// fed is a collector on the default configuration, in batches of 25 lines,
// that has delivered the lines it was fed, and what the lines count.
type fed struct {
	es        *esdouble.Server
	logDir    string
	collector *collector
	want      smtpCounts
}

func feedInSmallBatches(t *testing.T, lines []string) fed {
	t.Helper()
	es := esdouble.New()
	t.Cleanup(es.Close)
	logDir := t.TempDir()
	appendLines(t, filepath.Join(logDir, "elemta.log"), lines)
	c := startCollector(t, defaultEnv(logDir, t.TempDir(), es.URL()),
		filepath.Join(distDir(t), "config.yaml"), "testdata/small_batches.yaml")
	requireEachOnce(t, es, lines)
	return fed{es: es, logDir: logDir, collector: c, want: countSMTP(t, lines)}
}

// TestSMTPMetricsMatchTheLines feeds the sample logs, in batches of 25
// lines, through the default configuration and reads the SMTP metrics: each
// series says exactly how many lines of its kind were fed, summed over
// every batch.
func TestSMTPMetricsMatchTheLines(t *testing.T) {
	lines := metricLines(t)
	run := feedInSmallBatches(t, lines)
	c, want := run.collector, run.want
	require.Positive(t, want.messages["delivered"], "the samples deliver messages")
	require.Positive(t, want.errors, "the samples have errors")
	require.Greater(t, bulkRequests(run.es), 10, "several batches")

	var got []sample
	require.Eventually(t, func() bool {
		got = c.smtpMetrics(t)
		return total(got, "elemta_log_records_total", nil) == float64(want.records)
	}, 30*time.Second, 100*time.Millisecond, "every line counted once")

	for result, n := range want.connections {
		assert.Equal(t, n, counted(got, "elemta_smtp_connections_total", map[string]string{"connection_result": result}), "connections %s", result)
	}
	for status, n := range want.messages {
		assert.Equal(t, n, counted(got, "elemta_messages_total", map[string]string{"message_status": status}), "messages %s", status)
	}
	for outcome, n := range want.auth {
		assert.Equal(t, n, counted(got, "elemta_smtp_auth_attempts_total", map[string]string{"event_outcome": outcome}), "authentications %s", outcome)
	}
	for result, n := range want.tls {
		assert.Equal(t, n, counted(got, "elemta_smtp_tls_handshakes_total", map[string]string{"tls_result": result}), "TLS handshakes %s", result)
	}
	assert.Equal(t, want.commands, counted(got, "elemta_smtp_commands_total", nil), "commands")
	assert.Equal(t, want.rejections, counted(got, "elemta_smtp_rejections_total", nil), "rejections")
	assert.Equal(t, want.errors, counted(got, "elemta_errors_total", nil), "errors")
	assert.Equal(t, want.delays, counted(got, "elemta_delivery_delay_seconds_count", map[string]string{"message_status": "delivered"}), "delivery delays, of delivered messages")
	assert.InDelta(t, want.delaySum, total(got, "elemta_delivery_delay_seconds_sum", nil), 1e-6, "sum of the delays")
	assert.Equal(t, want.delays, counted(got, "elemta_delivery_delay_seconds_bucket", map[string]string{"le": "+Inf"}), "every delay in a bucket")

	for _, s := range got {
		for k, v := range s.labels {
			assert.NotContains(t, v, "@", "%s{%s}: no address is a label", s.name, k)
		}
	}
}

// TestFailingMetricFollowsElasticsearch: the collector's own metric
// exporter_durable_elasticsearch_failing is 1, with the reason, while
// Elasticsearch refuses batches, and 0 once it takes them again.
func TestFailingMetricFollowsElasticsearch(t *testing.T) {
	es := esdouble.New()
	defer es.Close()
	logDir := t.TempDir()
	c := startCollector(t, defaultEnv(logDir, t.TempDir(), es.URL()), filepath.Join(distDir(t), "config.yaml"))
	failing := func(reason string) float64 {
		return total(parseExposition(t, c.metrics(t)), "otelcol_exporter_durable_elasticsearch_failing", map[string]string{"reason": reason})
	}

	es.FailBulk(503)
	lines := numberedLines("refused for a while", 3)
	appendLines(t, filepath.Join(logDir, "elemta.log"), lines)
	require.Eventually(t, func() bool { return failing("unavailable") == 1 }, 30*time.Second, 100*time.Millisecond)

	es.FailBulk(0)
	requireEachOnce(t, es, lines)
	require.Eventually(t, func() bool { return failing("unavailable") == 0 }, 30*time.Second, 100*time.Millisecond)
}

// TestElasticsearchMetrics loads the elasticsearch-metrics.yaml overlay:
// the documents of each elemta-logs-* index, as the cluster reports them,
// appear among the SMTP metrics, labelled by index.
func TestElasticsearchMetrics(t *testing.T) {
	es := esdouble.New()
	defer es.Close()
	logDir := t.TempDir()
	lines := numberedLines("counted by the cluster", 40)
	appendLines(t, filepath.Join(logDir, "elemta.log"), lines)
	env := defaultEnv(logDir, t.TempDir(), es.URL())
	env["ELASTICSEARCH_METRICS_INTERVAL"] = "1s"
	c := startCollector(t, env, filepath.Join(distDir(t), "config.yaml"), filepath.Join(distDir(t), "elasticsearch-metrics.yaml"))
	requireEachOnce(t, es, lines)

	var index string
	for _, d := range es.Documents() {
		index = d.Index
	}
	require.Eventually(t, func() bool {
		return counted(c.smtpMetrics(t), "elasticsearch_index_documents", map[string]string{"index": index, "state": "active", "aggregation": "total"}) == len(lines)
	}, 30*time.Second, 250*time.Millisecond, "the index's documents, labelled %s: %v", index, func() []sample {
		var es []sample
		for _, s := range c.smtpMetrics(t) {
			if strings.HasPrefix(s.name, "elasticsearch_") {
				es = append(es, s)
			}
		}
		return es
	}())
	assert.Equal(t, len(lines), counted(c.smtpMetrics(t), "elasticsearch_index_documents", map[string]string{"index": "_all", "state": "active", "aggregation": "total"}))
}
