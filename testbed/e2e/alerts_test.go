package e2e

import (
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/elemta/otelcol-elemta/testbed/esdouble"
	"github.com/elemta/otelcol-elemta/testbed/kibanadouble"
)

// shippedAlertRules are the Kibana rules the setup installs: error rate,
// connections refused, delivery delay, failed logins.
const shippedAlertRules = 4

// ruleWrites counts the requests that wrote an alerting rule.
func ruleWrites(kb *kibanadouble.Server) int {
	n := 0
	for _, r := range kb.Requests() {
		if strings.Contains(r.Path, "/api/alerting/rule/") && r.Method != http.MethodGet {
			n++
		}
	}
	return n
}

// TestKibanaAlertRules runs `otelcol-elemta setup` against the Kibana
// double, which validates rules as Kibana does: the rules are created
// with fixed ids, tagged elemta, without actions; a second run writes
// nothing; a rule an operator edited is left alone with a warning; a
// threshold changed in the configuration updates the rule; alerts: false
// creates none.
func TestKibanaAlertRules(t *testing.T) {
	es := esdouble.New()
	defer es.Close()
	kb := kibanadouble.New()
	defer kb.Close()
	env := map[string]string{"ELASTICSEARCH_ENDPOINT": es.URL(), "KIBANA_ENDPOINT": kb.URL()}
	rulesLine := "Kibana alerting rules in space default at " + kb.URL() + ": "

	out, code := runSetup(t, env)
	require.Equal(t, 0, code, out)
	assert.Contains(t, out, rulesLine+"4 created, 0 updated, 0 up to date\n")
	rules := kb.Rules("default")
	require.Len(t, rules, shippedAlertRules)
	for _, r := range rules {
		assert.Equal(t, ".es-query", r["rule_type_id"])
		assert.Contains(t, r["tags"], "elemta")
		assert.Empty(t, r["actions"], "operators attach their connectors")
	}
	errors, ok := kb.Rule("default", "elemta-error-rate")
	require.True(t, ok)
	params := errors["params"].(map[string]any)
	assert.Equal(t, []any{float64(10)}, params["threshold"], "the threshold of ElemtaErrorRateHigh")
	assert.InDelta(t, 1, params["timeWindowSize"], 0)
	assert.Equal(t, "m", params["timeWindowUnit"])

	writes := ruleWrites(kb)
	out, code = runSetup(t, env)
	require.Equal(t, 0, code, out)
	assert.Contains(t, out, rulesLine+"0 created, 0 updated, 4 up to date\n")
	assert.Equal(t, writes, ruleWrites(kb), "the second run writes no rule")

	require.True(t, kb.EditRule("default", "elemta-error-rate", func(r map[string]any) {
		r["params"].(map[string]any)["threshold"] = []any{float64(50)}
	}))
	overlay := filepath.Join(t.TempDir(), "thresholds.yaml")
	require.NoError(t, os.WriteFile(overlay, []byte("extensions:\n  elemtasetup:\n    kibana:\n      alert_rules:\n        auth_failures:\n          threshold: 30\n          window: 5m\n"), 0o600))
	out, code = runSetup(t, env, "--config", overlay)
	require.Equal(t, 0, code, out)
	assert.Contains(t, out, rulesLine+"0 created, 1 updated, 2 up to date, left alone (changed by an operator): rule/elemta-error-rate\n")
	edited, _ := kb.Rule("default", "elemta-error-rate")
	assert.Equal(t, []any{float64(50)}, edited["params"].(map[string]any)["threshold"], "the operator's threshold stays")
	auth, _ := kb.Rule("default", "elemta-auth-failures")
	assert.Equal(t, []any{float64(30)}, auth["params"].(map[string]any)["threshold"], "the configuration's new threshold")

	fresh := kibanadouble.New()
	defer fresh.Close()
	off := map[string]string{"ELASTICSEARCH_ENDPOINT": es.URL(), "KIBANA_ENDPOINT": fresh.URL(), "KIBANA_ALERTS": "false"}
	out, code = runSetup(t, off)
	require.Equal(t, 0, code, out)
	assert.NotContains(t, out, "Kibana alerting rules")
	assert.Empty(t, fresh.Rules("default"), "alerts: false creates none")
	assert.Len(t, fresh.Objects("default"), shippedKibanaObjects, "the saved objects all the same")
}
