package elemtasetupextension // import "github.com/elemta/otelcol-elemta/extension/elemtasetupextension"

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/elemta/otelcol-elemta/extension/elemtasetupextension/internal/assets"
)

// AlertRulesConfig are the thresholds and windows of the Kibana alerting
// rules (`kibana::alert_rules`). The defaults are those of the Prometheus
// rules the distribution ships (prometheus/alerts.yaml), so that a number
// means the same in both places.
type AlertRulesConfig struct {
	// ErrorRate: lines Elemta logged at ERROR or FATAL (`error_rate`).
	ErrorRate AlertRule `mapstructure:"error_rate"`
	// ConnectionsRejected: SMTP connections the server's limits refused
	// (`connections_rejected`).
	ConnectionsRejected AlertRule `mapstructure:"connections_rejected"`
	// DeliveryDelay: the longest time, in seconds, from a message's
	// reception to its delivery (`delivery_delay`).
	DeliveryDelay AlertRule `mapstructure:"delivery_delay"`
	// AuthFailures: failed SMTP authentications (`auth_failures`).
	AuthFailures AlertRule `mapstructure:"auth_failures"`
}

// AlertRule is when a rule fires: more than Threshold within Window.
type AlertRule struct {
	Threshold float64       `mapstructure:"threshold"`
	Window    time.Duration `mapstructure:"window"`
}

func (r AlertRule) validate(key string) error {
	if r.Threshold < 0 || math.IsNaN(r.Threshold) || math.IsInf(r.Threshold, 0) {
		return fmt.Errorf("kibana::alert_rules::%s::threshold: %v is negative; use a count (or seconds for delivery_delay), for example 10", key, r.Threshold)
	}
	if r.Window < time.Second || r.Window%time.Second != 0 {
		return fmt.Errorf("kibana::alert_rules::%s::window: %s is not a whole number of seconds, at least 1s; for example 5m", key, r.Window)
	}
	return nil
}

func (c AlertRulesConfig) validate() error {
	return errors.Join(
		c.ErrorRate.validate("error_rate"),
		c.ConnectionsRejected.validate("connections_rejected"),
		c.DeliveryDelay.validate("delivery_delay"),
		c.AuthFailures.validate("auth_failures"),
	)
}

// defaultAlertRules are the thresholds and windows of the Prometheus
// rules of the same alerts (prometheus/alerts.yaml; a test holds them
// equal).
func defaultAlertRules() AlertRulesConfig {
	return AlertRulesConfig{
		ErrorRate:           AlertRule{Threshold: 10, Window: time.Minute},       // ElemtaErrorRateHigh
		ConnectionsRejected: AlertRule{Threshold: 10, Window: 5 * time.Minute},   // ElemtaConnectionsRejected
		DeliveryDelay:       AlertRule{Threshold: 600, Window: 15 * time.Minute}, // ElemtaDeliveryDelayHigh
		AuthFailures:        AlertRule{Threshold: 20, Window: 5 * time.Minute},   // ElemtaAuthFailureBurst
	}
}

// alertRule is one Kibana alerting rule of the Elasticsearch query type
// (.es-query, on the free Basic licence), without actions: operators
// attach their connectors.
type alertRule struct {
	id          string
	body        map[string]any // name, schedule, params: what the setup writes and compares, besides the tags
	fingerprint string         // of body
}

// ruleTag marks the rules the setup installs.
const ruleTag = "elemta"

// ruleFingerprintPrefix starts the tag that records what the setup wrote
// (its fingerprint): the thresholds come from the configuration, which may
// change, so "ours, unchanged" is judged against what was written then.
const ruleFingerprintPrefix = "otelcol-elemta:"

// alertRules are the rules of the configuration in a space (ids suffixed
// with a space other than the default, as the saved objects are).
func alertRules(c AlertRulesConfig, space string) ([]alertRule, error) {
	suffix := ""
	if space != "" && space != "default" {
		suffix = "-" + space
	}
	index := []any{assets.IndexTemplateName + "-*"}
	query := func(filters ...string) string {
		return `{"query":{"bool":{"filter":[` + strings.Join(filters, ",") + `]}}}`
	}
	exists := func(field string) string { return fmt.Sprintf(`{"exists":{"field":%q}}`, field) }
	term := func(field, value string) string { return fmt.Sprintf(`{"term":{%q:%q}}`, field, value) }
	rule := func(id, name string, r AlertRule, esQuery string, agg map[string]any) alertRule {
		size, unit := windowOf(r.Window)
		params := map[string]any{
			"searchType": "esQuery", "index": index, "timeField": "@timestamp", "esQuery": esQuery,
			"size": float64(0), "threshold": []any{r.Threshold}, "thresholdComparator": ">",
			"timeWindowSize": float64(size), "timeWindowUnit": unit, "groupBy": "all", "aggType": "count",
		}
		for k, v := range agg {
			params[k] = v
		}
		return alertRule{id: id + suffix, body: map[string]any{
			"name": name, "params": params,
			"schedule": map[string]any{"interval": scheduleOf(r.Window)},
		}}
	}
	rules := []alertRule{
		rule("elemta-error-rate", fmt.Sprintf("Elemta: more than %v errors in %s", c.ErrorRate.Threshold, c.ErrorRate.Window),
			c.ErrorRate, query(exists("error_component")), nil),
		rule("elemta-connections-rejected", fmt.Sprintf("Elemta: more than %v connections refused in %s", c.ConnectionsRejected.Threshold, c.ConnectionsRejected.Window),
			c.ConnectionsRejected, query(term("connection_result", "rejected")), nil),
		rule("elemta-delivery-delay", fmt.Sprintf("Elemta: a message took more than %vs to deliver, within %s", c.DeliveryDelay.Threshold, c.DeliveryDelay.Window),
			c.DeliveryDelay, query(exists("delivery_delay_seconds")), map[string]any{"aggType": "max", "aggField": "delivery_delay_seconds"}),
		rule("elemta-auth-failures", fmt.Sprintf("Elemta: more than %v failed SMTP logins in %s", c.AuthFailures.Threshold, c.AuthFailures.Window),
			c.AuthFailures, query(exists("auth_mechanism"), term("event.outcome", "failure")), nil),
	}
	for i := range rules {
		fp, err := fingerprintOf(rules[i].body)
		if err != nil {
			return nil, fmt.Errorf("alerting rule %s: %w", rules[i].id, err)
		}
		rules[i].fingerprint = fp
	}
	return rules, nil
}

// windowOf is a window as the rule's timeWindowSize and timeWindowUnit.
func windowOf(d time.Duration) (int64, string) {
	switch {
	case d%(24*time.Hour) == 0:
		return int64(d / (24 * time.Hour)), "d"
	case d%time.Hour == 0:
		return int64(d / time.Hour), "h"
	case d%time.Minute == 0:
		return int64(d / time.Minute), "m"
	}
	return int64(d / time.Second), "s"
}

// scheduleOf is how often a rule runs: every minute, as Prometheus
// evaluates its rules, or every window when that is shorter.
func scheduleOf(window time.Duration) string {
	if window < time.Minute {
		size, unit := windowOf(window)
		return fmt.Sprintf("%d%s", size, unit)
	}
	return "1m"
}

// written is what the setup writes of a rule: its body, tagged elemta and
// with its fingerprint, after the tags an operator added (kept).
func (r alertRule) written(installedTags ...any) map[string]any {
	out := make(map[string]any, len(r.body)+1)
	for k, v := range r.body {
		out[k] = v
	}
	tags := []any{ruleTag, ruleFingerprintPrefix + r.fingerprint}
	for _, t := range installedTags {
		if s, _ := t.(string); s != ruleTag && !strings.HasPrefix(s, ruleFingerprintPrefix) {
			tags = append(tags, t)
		}
	}
	out["tags"] = tags
	return out
}

// fingerprintOf hashes a rule's body, canonical JSON (sorted keys).
func fingerprintOf(body map[string]any) (string, error) {
	data, err := json.Marshal(body)
	if err != nil {
		return "", err
	}
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:6]), nil
}

// state judges an installed rule by the one rule of the setup (holds):
// what this configuration writes, it is up to date; what the setup wrote
// before (the installed rule still holds the body its fingerprint tag
// records), it is updated; anything else is an operator's change.
func (r alertRule) state(installed map[string]any) string {
	tags, _ := installed["tags"].([]any)
	if holds(installed, r.written(tags...)) {
		return outcomeUpToDate
	}
	var recorded string
	for _, t := range tags {
		if s, _ := t.(string); strings.HasPrefix(s, ruleFingerprintPrefix) {
			recorded = strings.TrimPrefix(s, ruleFingerprintPrefix)
		}
	}
	if recorded == "" {
		return outcomeChanged
	}
	if shown, err := fingerprintOf(shownAs(installed, r.body)); err == nil && shown == recorded {
		return outcomeUpdated
	}
	return outcomeChanged
}

// shownAs is the part of what the product shows under the keys of
// written: what the product added beside them left out.
func shownAs(shown any, written any) map[string]any {
	out, _ := project(shown, written).(map[string]any)
	return out
}

func project(shown, written any) any {
	w, ok := written.(map[string]any)
	if !ok {
		return shown
	}
	s, _ := shown.(map[string]any)
	out := make(map[string]any, len(w))
	for k, wv := range w {
		if sv, present := s[k]; present {
			out[k] = project(sv, wv)
		}
	}
	return out
}

// rulesOutcome is what installRules did.
type rulesOutcome struct {
	created, upToDate  int
	updated, leftAlone []string
}

// installRules creates the rules that are not there, updates those the
// setup wrote that differ from this configuration's, and leaves the rest
// (an operator's change) alone, unless overwrite. Kibana's alerting API:
// POST /api/alerting/rule/<id> creates with an id, GET reads, PUT updates.
func (k *kibanaClient) installRules(ctx context.Context, rules []alertRule, overwrite bool) (rulesOutcome, error) {
	var out rulesOutcome
	for _, r := range rules {
		path := k.prefix() + "/api/alerting/rule/" + url.PathEscape(r.id)
		installed, code, err := k.request(ctx, http.MethodGet, path, "", nil)
		if err != nil {
			return out, err
		}
		switch {
		case code == http.StatusNotFound:
			body := r.written()
			body["rule_type_id"], body["consumer"], body["actions"], body["enabled"] = ".es-query", "stackAlerts", []any{}, true
			if err := k.writeRule(ctx, http.MethodPost, path, body); err != nil {
				return out, err
			}
			out.created++
			continue
		case code >= 300:
			if err := k.refusal(code, installed); err != nil {
				return out, err
			}
			return out, fmt.Errorf("reading the alerting rule %s: Kibana answered %d: %v", r.id, code, installed["message"])
		}
		state := r.state(installed)
		switch {
		case state == outcomeUpToDate && !overwrite:
			out.upToDate++
			continue
		case state == outcomeChanged && !overwrite:
			out.leftAlone = append(out.leftAlone, "rule/"+r.id)
			continue
		}
		tags, _ := installed["tags"].([]any)
		body := r.written(tags...)
		body["actions"] = installed["actions"] // the operator's connectors stay
		if body["actions"] == nil {
			body["actions"] = []any{}
		}
		if err := k.writeRule(ctx, http.MethodPut, path, body); err != nil {
			return out, err
		}
		out.updated = append(out.updated, "rule/"+r.id)
	}
	return out, nil
}

func (k *kibanaClient) writeRule(ctx context.Context, method, path string, body map[string]any) error {
	data, err := json.Marshal(body)
	if err != nil {
		return err
	}
	answer, code, err := k.request(ctx, method, path, "application/json", bytes.NewReader(data))
	if err != nil {
		return err
	}
	if code >= 300 {
		if err := k.refusal(code, answer); err != nil {
			return err
		}
		return fmt.Errorf("%s %s: Kibana answered %d: %v", method, path, code, answer["message"])
	}
	return nil
}
