package elemtasetupextension

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.yaml.in/yaml/v3"

	"github.com/elemta/otelcol-elemta/extension/elemtasetupextension/internal/assets"
)

// templateTypes are the types the index template gives its fields, by
// dotted name (an alias's type is the type of its path).
func templateTypes(t *testing.T) map[string]string {
	t.Helper()
	var tmpl struct {
		Template struct {
			Mappings struct {
				Properties map[string]any `json:"properties"`
			} `json:"mappings"`
		} `json:"template"`
	}
	require.NoError(t, json.Unmarshal(assets.IndexTemplate(), &tmpl))
	types, paths := map[string]string{}, map[string]string{}
	var walk func(prefix string, props map[string]any)
	walk = func(prefix string, props map[string]any) {
		for name, v := range props {
			f, _ := v.(map[string]any)
			if sub, ok := f["properties"].(map[string]any); ok {
				walk(prefix+name+".", sub)
				continue
			}
			typ, _ := f["type"].(string)
			types[prefix+name] = typ
			if p, ok := f["path"].(string); ok {
				paths[prefix+name] = p
			}
		}
	}
	walk("", tmpl.Template.Mappings.Properties)
	for alias, path := range paths {
		types[alias] = types[path]
	}
	return types
}

// TestAlertRulesQueryMappedFields holds each rule to the index template:
// every field it queries is mapped, with the type its use needs (a term
// on a keyword, an aggregation on a number, the time field a date).
func TestAlertRulesQueryMappedFields(t *testing.T) {
	types := templateTypes(t)
	numeric := []string{"long", "integer", "float", "double", "scaled_float", "half_float"}
	rules, err := alertRules(defaultAlertRules(), "")
	require.NoError(t, err)
	for _, r := range rules {
		t.Run(r.id, func(t *testing.T) {
			params := r.body["params"].(map[string]any)
			assert.Contains(t, []string{"date", "date_nanos"}, types[params["timeField"].(string)], "timeField")
			if field, ok := params["aggField"].(string); ok {
				assert.Contains(t, numeric, types[field], "aggField %s", field)
			}
			var query map[string]any
			require.NoError(t, json.Unmarshal([]byte(params["esQuery"].(string)), &query))
			filters := query["query"].(map[string]any)["bool"].(map[string]any)["filter"].([]any)
			require.NotEmpty(t, filters)
			for _, f := range filters {
				for kind, clause := range f.(map[string]any) {
					switch kind {
					case "exists":
						field := clause.(map[string]any)["field"].(string)
						assert.NotEmpty(t, types[field], "exists on %s: mapped", field)
					case "term":
						for field := range clause.(map[string]any) {
							assert.Equal(t, "keyword", types[field], "term on %s: an exact value needs a keyword", field)
						}
					default:
						t.Errorf("a %s clause: teach this test its fields", kind)
					}
				}
			}
		})
	}
}

// TestAlertRulesMatchTheirPrometheusTwins holds each rule's default
// threshold and window to the Prometheus rule of the same alert, read
// from the alert rules the distribution ships.
func TestAlertRulesMatchTheirPrometheusTwins(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("..", "..", "distributions", "otelcol-elemta", "prometheus", "alerts.yaml"))
	require.NoError(t, err)
	var file struct {
		Groups []struct {
			Rules []struct {
				Alert string `yaml:"alert"`
				Expr  string `yaml:"expr"`
			} `yaml:"rules"`
		} `yaml:"groups"`
	}
	require.NoError(t, yaml.Unmarshal(data, &file))
	exprs := map[string]string{}
	for _, g := range file.Groups {
		for _, r := range g.Rules {
			exprs[r.Alert] = r.Expr
		}
	}
	window := regexp.MustCompile(`\[(\d+)([smhd])\]`)
	threshold := regexp.MustCompile(`>\s*([0-9.]+)\s*$`)
	cfg := createDefaultConfig().(*Config).Kibana
	require.True(t, cfg.Alerts, "on by default")
	rules := cfg.AlertRules
	tests := []struct {
		twin string
		rule AlertRule
	}{
		{"ElemtaErrorRateHigh", rules.ErrorRate},
		{"ElemtaConnectionsRejected", rules.ConnectionsRejected},
		{"ElemtaDeliveryDelayHigh", rules.DeliveryDelay},
		{"ElemtaAuthFailureBurst", rules.AuthFailures},
	}
	for _, tt := range tests {
		t.Run(tt.twin, func(t *testing.T) {
			expr, ok := exprs[tt.twin]
			require.True(t, ok, "the Prometheus rule exists")
			w := window.FindStringSubmatch(expr)
			require.NotNil(t, w, expr)
			n, _ := strconv.Atoi(w[1])
			unit := map[string]time.Duration{"s": time.Second, "m": time.Minute, "h": time.Hour, "d": 24 * time.Hour}[w[2]]
			assert.Equal(t, time.Duration(n)*unit, tt.rule.Window, "window")
			th := threshold.FindStringSubmatch(expr)
			require.NotNil(t, th, expr)
			want, _ := strconv.ParseFloat(th[1], 64)
			assert.InDelta(t, want, tt.rule.Threshold, 0, "threshold")
		})
	}
}

func TestAlertRuleWindows(t *testing.T) {
	tests := []struct {
		window       time.Duration
		size         int64
		unit, period string
	}{
		{time.Minute, 1, "m", "1m"},
		{15 * time.Minute, 15, "m", "1m"},
		{2 * time.Hour, 2, "h", "1m"},
		{48 * time.Hour, 2, "d", "1m"},
		{90 * time.Second, 90, "s", "1m"},
		{30 * time.Second, 30, "s", "30s"},
	}
	for _, tt := range tests {
		t.Run(tt.window.String(), func(t *testing.T) {
			size, unit := windowOf(tt.window)
			assert.Equal(t, tt.size, size)
			assert.Equal(t, tt.unit, unit)
			assert.Equal(t, tt.period, scheduleOf(tt.window))
		})
	}
}
