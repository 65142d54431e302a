package e2e

import (
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// prometheusServer is a real Prometheus (Debian's package) on loopback.
type prometheusServer struct {
	addr string
}

// startPrometheus runs Prometheus with the shipped alert rules, scraping
// the collector's two endpoints every second. The rules' `for` durations
// are cut to nothing, so that an alert fires as soon as its expression
// holds; alerts_test.yaml tests them with their durations.
func startPrometheus(t *testing.T, targets map[string]string) *prometheusServer {
	t.Helper()
	bin, err := exec.LookPath("prometheus")
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("prometheus is missing: apt-get install prometheus")
		}
		t.Skip("prometheus is missing (apt-get install prometheus); CI runs this test")
	}
	dir := t.TempDir()
	rules, err := os.ReadFile(filepath.Join(distDir(t), "prometheus", "alerts.yaml"))
	require.NoError(t, err)
	rules = regexp.MustCompile(`(?m)^(\s+)for: \S+$`).ReplaceAll(rules, []byte("${1}for: 0s"))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "alerts.yaml"), rules, 0o600))

	var scrape strings.Builder
	for job, target := range targets {
		fmt.Fprintf(&scrape, "  - job_name: %s\n    static_configs:\n      - targets: [%q]\n", job, target)
	}
	cfg := "global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\nrule_files: [alerts.yaml]\nscrape_configs:\n" + scrape.String()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "prometheus.yml"), []byte(cfg), 0o600))

	p := &prometheusServer{addr: "127.0.0.1:" + strconv.Itoa(freePort(t))}
	cmd := exec.Command(bin, "--config.file="+filepath.Join(dir, "prometheus.yml"),
		"--storage.tsdb.path="+filepath.Join(dir, "data"), "--web.listen-address="+p.addr, "--log.level=warn")
	output := &syncBuffer{}
	cmd.Stdout, cmd.Stderr = output, output
	require.NoError(t, cmd.Start())
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		if t.Failed() {
			t.Logf("prometheus output:\n%s", output.String())
		}
	})
	require.Eventually(t, func() bool {
		code, _, err := tryGet("http://" + p.addr + "/-/ready")
		return err == nil && code == 200
	}, 30*time.Second, 100*time.Millisecond, "prometheus never became ready")
	return p
}

// apiResult is the data of a Prometheus query answer.
type apiResult struct {
	Metric map[string]string `json:"metric"`
	Value  [2]any            `json:"value"`
}

// query runs an instant query and returns its vector, failing on an error.
func (p *prometheusServer) query(t *testing.T, expr string) []apiResult {
	t.Helper()
	_, body := get(t, "http://"+p.addr+"/api/v1/query?query="+url.QueryEscape(expr))
	var answer struct {
		Status string `json:"status"`
		Error  string `json:"error"`
		Data   struct {
			ResultType string          `json:"resultType"`
			Result     json.RawMessage `json:"result"`
		} `json:"data"`
	}
	require.NoError(t, json.Unmarshal([]byte(body), &answer), body)
	require.Equal(t, "success", answer.Status, "%s: %s", expr, answer.Error)
	var out []apiResult
	if answer.Data.ResultType == "vector" {
		require.NoError(t, json.Unmarshal(answer.Data.Result, &out))
	}
	return out
}

// scalar is the value of a query that returns one series, or -1.
func (p *prometheusServer) scalar(t *testing.T, expr string) float64 {
	t.Helper()
	r := p.query(t, expr)
	if len(r) != 1 {
		return -1
	}
	v, err := strconv.ParseFloat(r[0].Value[1].(string), 64)
	require.NoError(t, err)
	return v
}

// alertState is the state of an alert ("pending", "firing"), or "".
func (p *prometheusServer) alertState(t *testing.T, name string) string {
	t.Helper()
	_, body := get(t, "http://"+p.addr+"/api/v1/alerts")
	var answer struct {
		Data struct {
			Alerts []struct {
				Labels map[string]string `json:"labels"`
				State  string            `json:"state"`
			} `json:"alerts"`
		} `json:"data"`
	}
	require.NoError(t, json.Unmarshal([]byte(body), &answer), body)
	for _, a := range answer.Data.Alerts {
		if a.Labels["alertname"] == name {
			return a.State
		}
	}
	return ""
}

// errorLines are n ERROR lines as Elemta writes them, each its own.
func errorLines(n int) []string {
	lines := make([]string, n)
	for i := range lines {
		lines[i] = fmt.Sprintf(`{"time":"2026-11-25T17:50:%02d.%06dZ","level":"ERROR","msg":"Delivery failed for recipient","component":"lmtp-delivery","recipient":"r%d@corp.example.org","response":"451 4.3.0 try again"}`, i%60, i, i)
	}
	return lines
}

// TestPrometheusAlerts scrapes a running collector with a real Prometheus
// loaded with the shipped rules: the series hold the counts of the lines
// fed, every Grafana panel's query runs, and the error-rate alert fires
// once more than 10 errors arrive in a minute.
func TestPrometheusAlerts(t *testing.T) {
	lines := sampleLines(t)
	run := feedInSmallBatches(t, lines)
	c, want, logDir := run.collector, run.want, run.logDir
	p := startPrometheus(t, map[string]string{
		"otelcol-elemta":           envOf(c.cmd, "OTELCOL_ELEMTA_METRICS_ENDPOINT"),
		"otelcol-elemta-telemetry": c.telemetry,
	})

	require.Eventually(t, func() bool {
		return p.scalar(t, "sum(elemta_log_records_total)") == float64(len(lines))
	}, 60*time.Second, 250*time.Millisecond, "Prometheus holds every line's count")
	for status, n := range want.messages {
		assert.InDelta(t, float64(n), p.scalar(t, fmt.Sprintf(`sum(elemta_messages_total{message_status=%q})`, status)), 0, status)
	}
	assert.InDelta(t, float64(want.errors), p.scalar(t, "sum(elemta_errors_total)"), 0, "errors")
	assert.InDelta(t, 1.0, p.scalar(t, `min(up{job=~"otelcol-elemta.*"})`), 0, "both endpoints scraped")
	assert.Empty(t, p.alertState(t, "ElemtaErrorRateHigh"), "a few errors raise nothing")

	t.Run("every Grafana panel's query runs", func(t *testing.T) {
		for _, expr := range dashboardQueries(t) {
			result := p.query(t, expr) // a query Prometheus refuses fails here
			metric := elemtaMetric.FindString(expr)
			if metric != "" && len(p.query(t, "count("+metric+")")) > 0 {
				// the lines fed have this metric; rates need two scrapes
				assert.Eventually(t, func() bool { return len(p.query(t, expr)) > 0 }, 20*time.Second, 250*time.Millisecond,
					"the panel has data: %s (first answer %v)", expr, result)
			}
		}
	})

	// One error: its series starts (Prometheus's increase() counts from a
	// series' first sample) and nothing fires. Then 30 errors in a few
	// seconds, more than 10 a minute: the alert fires.
	burst := errorLines(31)
	appendLines(t, filepath.Join(logDir, "elemta.log"), burst[:1])
	require.Eventually(t, func() bool {
		return p.scalar(t, `sum(elemta_errors_total{error_component="lmtp-delivery"})`) >= 1
	}, 30*time.Second, 250*time.Millisecond)
	time.Sleep(2 * time.Second)
	assert.Empty(t, p.alertState(t, "ElemtaErrorRateHigh"), "one error raises nothing")
	appendLines(t, filepath.Join(logDir, "elemta.log"), burst[1:])
	require.Eventually(t, func() bool {
		return p.scalar(t, "sum(elemta_errors_total)") == float64(want.errors+len(burst))
	}, 30*time.Second, 250*time.Millisecond)
	require.Eventually(t, func() bool {
		return p.alertState(t, "ElemtaErrorRateHigh") == "firing"
	}, 30*time.Second, 250*time.Millisecond, "ElemtaErrorRateHigh fires; errors in the last minute: %v; rules: %s",
		p.query(t, "sum by (instance) (increase(elemta_errors_total[1m]))"), func() string { _, b := get(t, "http://"+p.addr+"/api/v1/rules"); return b }())
}

// elemtaMetric finds the SMTP metric a query reads.
var elemtaMetric = regexp.MustCompile(`elemta_[a-z_]+`)

// dashboardQueries returns the queries of the Grafana dashboard with its
// variables set: every mail server, one-minute rate windows.
func dashboardQueries(t *testing.T) []string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(distDir(t), "grafana", "elemta-smtp.json"))
	require.NoError(t, err)
	var dashboard struct {
		Panels []struct {
			Title   string `json:"title"`
			Targets []struct {
				Expr string `json:"expr"`
			} `json:"targets"`
		} `json:"panels"`
	}
	require.NoError(t, json.Unmarshal(data, &dashboard))
	require.NotEmpty(t, dashboard.Panels)
	var out []string
	for _, panel := range dashboard.Panels {
		require.NotEmpty(t, panel.Targets, panel.Title)
		for _, target := range panel.Targets {
			expr := strings.NewReplacer("$instance", ".*", "$__rate_interval", "1m").Replace(target.Expr)
			out = append(out, expr)
		}
	}
	return out
}
