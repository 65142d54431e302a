package elemtasetupextension

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/component/componentstatus"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/extension"
	"go.opentelemetry.io/collector/extension/extensiontest"
	"go.uber.org/zap"
	"go.uber.org/zap/zaptest/observer"

	"github.com/elemta/otelcol-elemta/extension/elemtasetupextension/internal/assets"
	"github.com/elemta/otelcol-elemta/extension/elemtasetupextension/internal/metadata"
	"github.com/elemta/otelcol-elemta/internal/readiness"
	"github.com/elemta/otelcol-elemta/internal/statustest"
	"github.com/elemta/otelcol-elemta/testbed/esdouble"
)

// started is a running setup with what it logged.
type started struct {
	extension.Extension
	logs *observer.ObservedLogs
}

func startSetup(t *testing.T, endpoint string, host component.Host, change func(*Config)) started {
	t.Helper()
	cfg := NewFactory().CreateDefaultConfig().(*Config)
	cfg.Elasticsearch.Endpoint = endpoint
	cfg.Retry = RetryConfig{InitialInterval: 10 * time.Millisecond, MaxInterval: 50 * time.Millisecond}
	if change != nil {
		change(cfg)
	}
	require.NoError(t, cfg.Validate())
	core, logs := observer.New(zap.DebugLevel)
	set := extensiontest.NewNopSettings(metadata.Type)
	set.Logger = zap.New(core)
	ext, err := NewFactory().Create(context.Background(), set, cfg)
	require.NoError(t, err)
	require.NoError(t, ext.Start(context.Background(), host))
	t.Cleanup(func() { require.NoError(t, ext.Shutdown(context.Background())) })
	return started{Extension: ext, logs: logs}
}

// waitReady waits until the setup lets documents go.
func waitReady(t *testing.T, s started) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	require.NoError(t, s.Extension.(readiness.Elasticsearch).ElasticsearchReady(ctx))
}

// puts counts the PUT requests the double received.
func puts(es *esdouble.Server) int {
	n := 0
	for _, r := range es.Requests() {
		if r.Method == http.MethodPut {
			n++
		}
	}
	return n
}

func TestInstallsPolicyAndTemplate(t *testing.T) {
	es := esdouble.New()
	defer es.Close()
	host := statustest.NewHost()
	s := startSetup(t, es.URL(), host, func(c *Config) { c.ILM.Retention = "90d" })
	waitReady(t, s)

	policy, ok := es.ILMPolicy(assets.ILMPolicyName)
	require.True(t, ok, "the ILM policy is installed")
	del := policy["phases"].(map[string]any)["delete"].(map[string]any)
	assert.Equal(t, "90d", del["min_age"], "ilm::retention")
	assert.Equal(t, managedBy, policy["_meta"].(map[string]any)["managed_by"])

	tmpl, ok := es.IndexTemplate(assets.IndexTemplateName)
	require.True(t, ok, "the index template is installed")
	lifecycle := tmpl["template"].(map[string]any)["settings"].(map[string]any)["index"].(map[string]any)["lifecycle"].(map[string]any)
	assert.Equal(t, assets.ILMPolicyName, lifecycle["name"], "the template names the policy")
	assert.Equal(t, []any{"elemta-logs-*"}, tmpl["index_patterns"])
	assert.Equal(t, componentstatus.StatusOK, <-host.Events())
}

func TestRestarts(t *testing.T) {
	tests := []struct {
		name      string
		between   func(es *esdouble.Server) // what happens to the installed policy between two runs
		overwrite bool
		wantPuts  bool   // the second run writes
		wantLog   string // the second run's outcome for the policy
		check     func(t *testing.T, policy map[string]any)
	}{
		{name: "nothing changed: nothing is written", wantLog: outcomeUpToDate},
		{
			name:     "ours, older, unchanged: updated",
			between:  func(es *esdouble.Server) { installEarlierPolicy(t, es, assets.Version-1, nil) },
			wantPuts: true, wantLog: outcomeUpdated,
			check: func(t *testing.T, p map[string]any) {
				assert.EqualValues(t, assets.Version, p["_meta"].(map[string]any)["version"])
				assert.NotContains(t, p["phases"].(map[string]any)["warm"].(map[string]any)["actions"], "readonly", "this version's policy")
			},
		},
		{
			name:    "ours, of a version not known: left alone",
			between: func(es *esdouble.Server) { installEarlierPolicy(t, es, 0, nil) },
			wantLog: outcomeChanged,
		},
		{
			name: "ours, older, changed by an operator: left alone",
			between: func(es *esdouble.Server) {
				installEarlierPolicy(t, es, assets.Version-1, func(p map[string]any) {
					p["phases"].(map[string]any)["delete"].(map[string]any)["min_age"] = "400d"
				})
			},
			wantLog: outcomeChanged,
			check: func(t *testing.T, p map[string]any) {
				assert.Equal(t, "400d", p["phases"].(map[string]any)["delete"].(map[string]any)["min_age"])
			},
		},
		{
			name: "changed by an operator: left alone",
			between: func(es *esdouble.Server) {
				es.EditILMPolicy(assets.ILMPolicyName, func(p map[string]any) {
					p["phases"].(map[string]any)["delete"].(map[string]any)["min_age"] = "400d"
				})
			},
			wantLog: outcomeChanged,
			check: func(t *testing.T, p map[string]any) {
				assert.Equal(t, "400d", p["phases"].(map[string]any)["delete"].(map[string]any)["min_age"])
			},
		},
		{
			name: "changed by an operator, overwrite: replaced",
			between: func(es *esdouble.Server) {
				es.EditILMPolicy(assets.ILMPolicyName, func(p map[string]any) {
					p["phases"].(map[string]any)["delete"].(map[string]any)["min_age"] = "400d"
				})
			},
			overwrite: true, wantPuts: true, wantLog: outcomeUpdated,
			check: func(t *testing.T, p map[string]any) {
				assert.Equal(t, "30d", p["phases"].(map[string]any)["delete"].(map[string]any)["min_age"])
			},
		},
		{
			name: "not ours: left alone",
			between: func(es *esdouble.Server) {
				es.EditILMPolicy(assets.ILMPolicyName, func(p map[string]any) { delete(p, "_meta") })
			},
			wantLog: outcomeForeign,
		},
		{
			name: "newer: left alone",
			between: func(es *esdouble.Server) {
				es.EditILMPolicy(assets.ILMPolicyName, func(p map[string]any) { p["_meta"].(map[string]any)["version"] = assets.Version + 1 })
			},
			wantLog: outcomeNewer,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			es := esdouble.New()
			defer es.Close()
			first := startSetup(t, es.URL(), componenttest.NewNopHost(), nil)
			waitReady(t, first)
			require.NoError(t, first.Shutdown(context.Background()))
			if tt.between != nil {
				tt.between(es)
			}
			before := puts(es)

			second := startSetup(t, es.URL(), componenttest.NewNopHost(), func(c *Config) { c.Overwrite = tt.overwrite })
			waitReady(t, second)
			if tt.wantPuts {
				assert.Greater(t, puts(es), before)
			} else {
				assert.Equal(t, before, puts(es), "nothing written")
			}
			var outcome string
			for _, e := range second.logs.All() {
				if e.ContextMap()["kind"] == "ILM policy" {
					outcome, _ = e.ContextMap()["outcome"].(string)
				}
			}
			assert.Equal(t, tt.wantLog, outcome)
			if tt.check != nil {
				policy, _ := es.ILMPolicy(assets.ILMPolicyName)
				tt.check(t, policy)
			}
		})
	}
}

// installEarlierPolicy puts in the double the ILM policy an earlier release
// installed: the policy of that version (none for a version not shipped),
// with its marks, then edit's change, if any, as an operator's.
func installEarlierPolicy(t *testing.T, es *esdouble.Server, version int, edit func(map[string]any)) {
	t.Helper()
	var content map[string]any
	if data, ok := assets.EarlierILMPolicy(version); ok {
		var err error
		content, err = ilmPolicyContent(data, "30d")
		require.NoError(t, err)
	} else {
		content, _ = es.ILMPolicy(assets.ILMPolicyName)
	}
	content["_meta"] = map[string]any{"managed_by": managedBy, "version": float64(version)}
	if edit != nil {
		edit(content)
	}
	es.EditILMPolicy(assets.ILMPolicyName, func(p map[string]any) {
		clear(p)
		for k, v := range content {
			p[k] = v
		}
	})
}

// TestWaitsForElasticsearch: started while Elasticsearch is unreachable,
// the setup is not ready (documents wait) and says why; it installs
// everything once Elasticsearch answers.
func TestWaitsForElasticsearch(t *testing.T) {
	es := esdouble.New()
	addr := es.Addr()
	es.Close()
	host := statustest.NewHost()
	s := startSetup(t, "http://"+addr, host, nil)

	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	require.ErrorIs(t, s.Extension.(readiness.Elasticsearch).ElasticsearchReady(ctx), context.DeadlineExceeded, "not ready while unreachable")
	assert.Equal(t, componentstatus.StatusRecoverableError, <-host.Events())
	require.NotEmpty(t, s.logs.FilterMessage("Elasticsearch setup waits for Elasticsearch; documents wait too").All())

	back, err := esdouble.NewAt(addr)
	require.NoError(t, err)
	defer back.Close()
	waitReady(t, s)
	_, ok := back.IndexTemplate(assets.IndexTemplateName)
	assert.True(t, ok)
	assert.Equal(t, componentstatus.StatusOK, <-host.Events())
}

// TestWrongCredentialsGiveUp: a 401 is not retried; the setup says what to
// fix, reports a permanent error and lets documents go.
func TestWrongCredentialsGiveUp(t *testing.T) {
	es := esdouble.New()
	defer es.Close()
	es.RequireBasicAuth("elastic", "right")
	host := statustest.NewHost()
	s := startSetup(t, es.URL(), host, func(c *Config) { c.Elasticsearch.User, c.Elasticsearch.Password = "elastic", "wrong" })
	waitReady(t, s)
	failed := s.logs.FilterMessage("Elasticsearch setup failed; documents are indexed without the index template").All()
	require.Len(t, failed, 1)
	assert.Contains(t, failed[0].ContextMap()["error"], "Elasticsearch rejected the credentials (401)")
	assert.Equal(t, componentstatus.StatusPermanentError, <-host.Events())
	_, ok := es.IndexTemplate(assets.IndexTemplateName)
	assert.False(t, ok)
}

// TestBackups: with backup::repository set, the repository and a daily
// snapshot policy of elemta-logs-* are installed after the template; a
// restart writes nothing.
func TestBackups(t *testing.T) {
	es := esdouble.New()
	defer es.Close()
	backup := func(c *Config) {
		c.Backup.Repository = "elemta-backups"
		c.Backup.Type = "fs"
		c.Backup.Settings = map[string]any{"location": "/mnt/backups/elemta"}
	}
	first := startSetup(t, es.URL(), componenttest.NewNopHost(), backup)
	waitReady(t, first)
	require.NoError(t, first.Shutdown(context.Background()))

	repo, ok := es.SnapshotRepository("elemta-backups")
	require.True(t, ok, "the repository")
	assert.Equal(t, "fs", repo["type"])
	assert.Equal(t, map[string]any{"location": "/mnt/backups/elemta"}, repo["settings"])
	policy, ok := es.SLMPolicy(slmPolicyName)
	require.True(t, ok, "the snapshot policy")
	assert.Equal(t, "0 30 1 * * ?", policy["schedule"])
	assert.Equal(t, "elemta-backups", policy["repository"])
	config := policy["config"].(map[string]any)
	assert.Equal(t, []any{"elemta-logs-*"}, config["indices"])
	assert.Equal(t, managedBy, config["metadata"].(map[string]any)["managed_by"])
	assert.Equal(t, "30d", policy["retention"].(map[string]any)["expire_after"])

	before := puts(es)
	second := startSetup(t, es.URL(), componenttest.NewNopHost(), backup)
	waitReady(t, second)
	assert.Equal(t, before, puts(es), "a restart writes nothing")
}

// TestAnswersThatAreNotJSON: something other than Elasticsearch answers at
// the endpoint with a page (a proxy's login page, say). The setup says so,
// in the error it logs, instead of taking the page for an empty answer.
func TestAnswersThatAreNotJSON(t *testing.T) {
	page := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		_, _ = w.Write([]byte("<html><body>Please sign in</body></html>"))
	}))
	defer page.Close()
	s := startSetup(t, page.URL, componenttest.NewNopHost(), nil)
	require.Eventually(t, func() bool {
		for _, e := range s.logs.All() {
			if err, ok := e.ContextMap()["error"].(string); ok && strings.Contains(err, "answered 200 with a body that is not JSON") {
				return true
			}
		}
		return false
	}, 10*time.Second, 10*time.Millisecond)
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	assert.ErrorIs(t, s.Extension.(readiness.Elasticsearch).ElasticsearchReady(ctx), context.DeadlineExceeded, "documents wait: nothing was installed")
}
