package e2e

import (
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/elemta/otelcol-elemta/testbed/esdouble"
	"github.com/elemta/otelcol-elemta/testbed/kibanadouble"
)

// requestIndex is the position of the first request matching, or -1.
func requestIndex(es *esdouble.Server, method, path string) int {
	for i, r := range es.Requests() {
		if r.Method == method && r.Path == path {
			return i
		}
	}
	return -1
}

// TestSetupBeforeTheFirstDocument runs the default configuration: the ILM
// policy and the index template are installed before the first bulk
// request, a restart writes nothing, and a policy an operator changed
// survives the restart.
func TestSetupBeforeTheFirstDocument(t *testing.T) {
	es := esdouble.New()
	defer es.Close()
	logDir, storage := t.TempDir(), t.TempDir()
	lines := sampleLines(t)
	appendLines(t, filepath.Join(logDir, "elemta.log"), lines)
	env := defaultEnv(logDir, storage, es.URL())
	config := filepath.Join(distDir(t), "config.yaml")

	first := startCollector(t, env, config)
	requireEachOnce(t, es, lines)
	first.stop(t)

	policyPut := requestIndex(es, http.MethodPut, "/_ilm/policy/elemta-logs-policy")
	templatePut := requestIndex(es, http.MethodPut, "/_index_template/elemta-logs")
	firstBulk := requestIndex(es, http.MethodPost, "/_bulk")
	require.GreaterOrEqual(t, policyPut, 0, "the policy is installed")
	require.Greater(t, templatePut, policyPut, "the template, which names the policy, after it")
	require.Greater(t, firstBulk, templatePut, "no document before the template")
	tmpl, ok := es.IndexTemplate("elemta-logs")
	require.True(t, ok)
	assert.Equal(t, []any{"elemta-logs-*"}, tmpl["index_patterns"])

	es.EditILMPolicy("elemta-logs-policy", func(p map[string]any) {
		p["phases"].(map[string]any)["delete"].(map[string]any)["min_age"] = "400d"
	})
	before := len(es.Requests())
	second := startCollector(t, env, config)
	more := numberedLines("after the restart", 10)
	appendLines(t, filepath.Join(logDir, "elemta.log"), more)
	requireEachOnce(t, es, append(lines, more...))
	second.stop(t)
	for _, r := range es.Requests()[before:] {
		assert.NotEqual(t, http.MethodPut, r.Method, "a restart writes nothing: %s %s", r.Method, r.Path)
	}
	policy, _ := es.ILMPolicy("elemta-logs-policy")
	assert.Equal(t, "400d", policy["phases"].(map[string]any)["delete"].(map[string]any)["min_age"], "the operator's change stays")
	assert.Contains(t, second.output.String(), "left alone: changed since it was installed")
}

// TestSetupAlone runs `otelcol-elemta setup` on the default configuration:
// it installs the policy and the template and exits 0 saying so; a second
// run writes nothing; wrong credentials and an unreachable Elasticsearch
// end it with 1 and the reason.
func TestSetupAlone(t *testing.T) {
	bin := binary(t)
	es := esdouble.New()
	defer es.Close()
	es.RequireBasicAuth("elastic", "right")
	config := filepath.Join(distDir(t), "config.yaml")
	down := esdouble.New()
	downAddr := down.Addr()
	down.Close()

	tests := []struct {
		name     string
		env      map[string]string
		args     []string
		wantExit int
		want     []string
	}{
		{
			name:     "installs",
			env:      map[string]string{"ELASTICSEARCH_ENDPOINT": es.URL(), "ELASTICSEARCH_USERNAME": "elastic", "ELASTICSEARCH_PASSWORD": "right"},
			wantExit: 0,
			want: []string{
				"ILM policy elemta-logs-policy at " + es.URL() + ": installed",
				"index template elemta-logs at " + es.URL() + ": installed",
			},
		},
		{
			name:     "a second run writes nothing",
			env:      map[string]string{"ELASTICSEARCH_ENDPOINT": es.URL(), "ELASTICSEARCH_USERNAME": "elastic", "ELASTICSEARCH_PASSWORD": "right"},
			wantExit: 0,
			want:     []string{"ILM policy elemta-logs-policy at " + es.URL() + ": up to date", "index template elemta-logs at " + es.URL() + ": up to date"},
		},
		{
			name:     "wrong credentials",
			env:      map[string]string{"ELASTICSEARCH_ENDPOINT": es.URL(), "ELASTICSEARCH_USERNAME": "elastic", "ELASTICSEARCH_PASSWORD": "wrong"},
			wantExit: 1,
			want:     []string{"setup failed: ILM policy elemta-logs-policy: Elasticsearch rejected the credentials (401)", "ELASTICSEARCH_USERNAME/ELASTICSEARCH_PASSWORD"},
		},
		{
			name:     "unreachable",
			env:      map[string]string{"ELASTICSEARCH_ENDPOINT": "http://" + downAddr},
			args:     []string{"--timeout", "2s"},
			wantExit: 1,
			want:     []string{"Elasticsearch is unreachable at http://" + downAddr, "gave up: context deadline exceeded"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cmd := exec.Command(bin, append([]string{"setup", "--config", config}, tt.args...)...)
			cmd.Env = os.Environ()
			for k, v := range tt.env {
				cmd.Env = append(cmd.Env, k+"="+v)
			}
			out, _ := cmd.CombinedOutput()
			assert.Equal(t, tt.wantExit, cmd.ProcessState.ExitCode(), "output:\n%s", out)
			for _, w := range tt.want {
				assert.Contains(t, string(out), w)
			}
		})
	}
	_, ok := es.IndexTemplate("elemta-logs")
	assert.True(t, ok)
}

// TestKibanaThroughTheCollector: with KIBANA_ENDPOINT set and Kibana down,
// documents arrive all the same; once Kibana answers, the data view and the
// saved searches are imported.
// shippedKibanaObjects are the data view, five saved searches, the map and
// the dashboard.
const shippedKibanaObjects = 8

func TestKibanaThroughTheCollector(t *testing.T) {
	es := esdouble.New()
	defer es.Close()
	kb := kibanadouble.New()
	addr := kb.Addr()
	kb.Close()

	logDir := t.TempDir()
	lines := numberedLines("while Kibana is down", 100)
	appendLines(t, filepath.Join(logDir, "elemta.log"), lines)
	env := defaultEnv(logDir, t.TempDir(), es.URL())
	env["KIBANA_ENDPOINT"] = "http://" + addr
	c := startCollector(t, env, filepath.Join(distDir(t), "config.yaml"))
	requireEachOnce(t, es, lines)

	back, err := kibanadouble.NewAt(addr)
	require.NoError(t, err)
	defer back.Close()
	require.Eventually(t, func() bool { return len(back.Objects("default")) == shippedKibanaObjects }, 60*time.Second, 100*time.Millisecond)
	_, ok := back.Object("default", "index-pattern", "elemta-logs")
	assert.True(t, ok, "the data view")
	// The objects are in before the alerting rules: the setup is done, and
	// says so, once the rules are too.
	require.Eventually(t, func() bool { return strings.Contains(c.output.String(), "Kibana setup done") },
		30*time.Second, 100*time.Millisecond, "the setup says it is done")
	c.stop(t)
}

// TestHealthWhileTheSetupWaits: with Elasticsearch unreachable from the
// start and no line to send, the health endpoint says, after its window,
// that documents wait for the setup, and why; once Elasticsearch answers and
// the setup is done, it is healthy again.
func TestHealthWhileTheSetupWaits(t *testing.T) {
	down := esdouble.New()
	addr := down.Addr()
	down.Close()
	env := defaultEnv(t.TempDir(), t.TempDir(), "http://"+addr)
	env["OTELCOL_ELEMTA_HEALTH_WINDOW"] = "2s"
	c := startCollector(t, env, filepath.Join(distDir(t), "config.yaml"))

	body := c.waitForHealth(t, http.StatusInternalServerError, 30*time.Second)
	assert.Contains(t, body, "documents wait for the Elasticsearch setup")
	assert.Contains(t, body, "Elasticsearch is unreachable at http://"+addr)

	es, err := esdouble.NewAt(addr)
	require.NoError(t, err)
	defer es.Close()
	c.waitForHealth(t, http.StatusOK, 60*time.Second)
	c.stop(t)
	assert.Contains(t, c.output.String(), "The Elasticsearch setup is done; documents go")
	_, ok := es.IndexTemplate("elemta-logs")
	assert.True(t, ok)
}

// TestSetupAloneWithBackups: with ELEMTA_BACKUP_REPOSITORY and its
// location set, setup registers the repository and the daily snapshot
// policy of elemta-logs-*.
func TestSetupAloneWithBackups(t *testing.T) {
	bin := binary(t)
	es := esdouble.New()
	defer es.Close()
	cmd := exec.Command(bin, "setup", "--config", filepath.Join(distDir(t), "config.yaml"))
	cmd.Env = append(os.Environ(), "ELASTICSEARCH_ENDPOINT="+es.URL(),
		"ELEMTA_BACKUP_REPOSITORY=elemta-backups", "ELEMTA_BACKUP_LOCATION=/mnt/backups/elemta")
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, "output:\n%s", out)
	assert.Contains(t, string(out), "snapshot repository elemta-backups at "+es.URL()+": installed")
	assert.Contains(t, string(out), "snapshot policy elemta-logs-daily at "+es.URL()+": installed")
	policy, ok := es.SLMPolicy("elemta-logs-daily")
	require.True(t, ok)
	assert.Equal(t, "elemta-backups", policy["repository"])
	repo, ok := es.SnapshotRepository("elemta-backups")
	require.True(t, ok)
	assert.Equal(t, map[string]any{"location": "/mnt/backups/elemta"}, repo["settings"])
}

// TestSetupExportsKibanaObjects: `setup --export-kibana FILE` writes the
// Kibana objects as they are now, in the form Kibana's import takes back.
func TestSetupExportsKibanaObjects(t *testing.T) {
	bin := binary(t)
	es := esdouble.New()
	defer es.Close()
	kb := kibanadouble.New()
	defer kb.Close()
	config := filepath.Join(distDir(t), "config.yaml")
	env := append(os.Environ(), "ELASTICSEARCH_ENDPOINT="+es.URL(), "KIBANA_ENDPOINT="+kb.URL())

	install := exec.Command(bin, "setup", "--config", config)
	install.Env = env
	out, err := install.CombinedOutput()
	require.NoError(t, err, "output:\n%s", out)
	assert.Contains(t, string(out), "Kibana objects in space default at "+kb.URL()+": "+strconv.Itoa(shippedKibanaObjects)+" imported, 0 updated, 0 up to date")

	file := filepath.Join(t.TempDir(), "kibana.ndjson")
	export := exec.Command(bin, "setup", "--config", config, "--export-kibana", file)
	export.Env = env
	out, err = export.CombinedOutput()
	require.NoError(t, err, "output:\n%s", out)
	assert.Contains(t, string(out), "exported "+strconv.Itoa(shippedKibanaObjects)+" Kibana objects from "+kb.URL()+" to "+file)
	data, err := os.ReadFile(file)
	require.NoError(t, err)
	lines := strings.Split(strings.TrimSpace(string(data)), "\n")
	require.Len(t, lines, shippedKibanaObjects)
	assert.Contains(t, string(data), `"id":"elemta-smtp-overview"`)
	assert.Contains(t, string(data), `"id":"elemta-client-map"`)
}
