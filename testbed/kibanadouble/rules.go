package kibanadouble // import "github.com/elemta/otelcol-elemta/testbed/kibanadouble"

import (
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"time"
)

// The alerting rule API (Kibana 8.x and 9.x, "Create rule API", "Get rule
// API", "Update rule API"): POST /api/alerting/rule/<id> creates a rule
// under that id, GET reads it, PUT updates it. Rules are saved objects of
// a multiple-isolated type: an id is taken in every space once one space
// has it. Bodies are validated as Kibana's schemas validate them: a key a
// schema does not define is refused ("definition for this key is
// missing"), the update takes neither rule_type_id, consumer nor enabled,
// and an .es-query rule's params follow the Elasticsearch query rule
// type's schema (stack_alerts, es_query/rule_type_params.ts).

const rulePath = "/api/alerting/rule/"

var (
	createKeys = []string{"name", "rule_type_id", "consumer", "schedule", "params", "tags", "actions", "enabled", "throttle", "notify_when", "alert_delay", "flapping"}
	updateKeys = []string{"name", "tags", "schedule", "params", "actions", "throttle", "notify_when", "alert_delay", "flapping"}
	// esQueryParams are the keys of the .es-query params schema.
	esQueryParams = []string{
		"searchType", "size", "timeWindowSize", "timeWindowUnit", "threshold", "thresholdComparator", "esQuery", "index",
		"timeField", "aggType", "aggField", "groupBy", "termField", "termSize", "excludeHitsFromPreviousRun", "sourceFields", "searchConfiguration", "esqlQuery",
	}
	// esQueryConsumers may own an .es-query rule.
	esQueryConsumers = []string{"alerts", "stackAlerts", "discover", "logs", "infrastructure", "observability"}
	intervalPattern  = regexp.MustCompile(`^[1-9][0-9]*[smhd]$`)
)

// Rule returns an alerting rule of a space, as GET answers it.
func (s *Server) Rule(space, id string) (map[string]any, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	r, ok := s.rules[id]
	if !ok || r.space != space {
		return nil, false
	}
	return r.body, true
}

// Rules returns the alerting rules of a space.
func (s *Server) Rules(space string) []map[string]any {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []map[string]any
	for _, r := range s.rules {
		if r.space == space {
			out = append(out, r.body)
		}
	}
	return out
}

// EditRule changes a rule as an operator editing it in Kibana would.
func (s *Server) EditRule(space, id string, edit func(rule map[string]any)) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	r, ok := s.rules[id]
	if !ok || r.space != space {
		return false
	}
	edit(r.body)
	r.body["updated_at"] = now()
	r.body["revision"] = r.body["revision"].(float64) + 1
	return true
}

type rule struct {
	space string
	body  map[string]any
}

func (s *Server) rulesAPI(r *http.Request, space, path string) (int, any) {
	id := strings.TrimPrefix(path, rulePath)
	if id == "" || strings.Contains(id, "/") {
		return http.StatusNotFound, errorBody(http.StatusNotFound, "Not Found")
	}
	notFound := errorBody(http.StatusNotFound, fmt.Sprintf("Saved object [alert/%s] not found", id))
	switch r.Method {
	case http.MethodGet:
		if body, ok := s.Rule(space, id); ok {
			return http.StatusOK, body
		}
		return http.StatusNotFound, notFound
	case http.MethodPost, http.MethodPut:
	default:
		return http.StatusNotFound, errorBody(http.StatusNotFound, "Not Found")
	}
	var body map[string]any
	if err := json.NewDecoder(r.Body).Decode(&body); err != nil {
		return http.StatusBadRequest, errorBody(http.StatusBadRequest, "[request body]: "+err.Error())
	}
	allowed := createKeys
	if r.Method == http.MethodPut {
		allowed = updateKeys
	}
	for k := range body {
		if !slices.Contains(allowed, k) {
			return http.StatusBadRequest, errorBody(http.StatusBadRequest, "[request body."+k+"]: definition for this key is missing")
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	existing, exists := s.rules[id]
	if r.Method == http.MethodPost && exists {
		return http.StatusConflict, errorBody(http.StatusConflict, fmt.Sprintf("Saved object [alert/%s] conflict", id))
	}
	if r.Method == http.MethodPut && (!exists || existing.space != space) {
		return http.StatusNotFound, notFound
	}
	typeID := body["rule_type_id"]
	if r.Method == http.MethodPut {
		typeID = existing.body["rule_type_id"]
	}
	if msg := validateRule(body, typeID, r.Method == http.MethodPost); msg != "" {
		return http.StatusBadRequest, errorBody(http.StatusBadRequest, msg)
	}
	params := body["params"].(map[string]any)
	if _, set := params["excludeHitsFromPreviousRun"]; !set {
		params["excludeHitsFromPreviousRun"] = true // the schema's default
	}
	stamp := now()
	if r.Method == http.MethodPost {
		stored := map[string]any{
			"id": id, "enabled": true, "tags": []any{}, "actions": []any{}, "throttle": nil, "notify_when": nil,
			"mute_all": false, "muted_alert_ids": []any{}, "created_at": stamp, "created_by": "elastic", "updated_by": "elastic",
			"api_key_owner": "elastic", "revision": float64(0), "execution_status": map[string]any{"status": "pending", "last_execution_date": stamp},
		}
		for k, v := range body {
			stored[k] = v
		}
		stored["updated_at"] = stamp
		s.rules[id] = &rule{space: space, body: stored}
		return http.StatusOK, stored
	}
	for k, v := range body {
		existing.body[k] = v
	}
	existing.body["updated_at"] = stamp
	existing.body["revision"] = existing.body["revision"].(float64) + 1
	return http.StatusOK, existing.body
}

// validateRule returns Kibana's message for a rule its schemas refuse, or "".
func validateRule(body map[string]any, typeID any, create bool) string {
	if create {
		for _, k := range []string{"name", "rule_type_id", "consumer", "schedule", "params"} {
			if _, ok := body[k]; !ok {
				return "[request body." + k + "]: expected value of type [" + map[bool]string{true: "object", false: "string"}[k == "schedule" || k == "params"] + "] but got [undefined]"
			}
		}
		if typeID != ".es-query" {
			return fmt.Sprintf("Rule type %q is not registered.", typeID)
		}
		if c, _ := body["consumer"].(string); !slices.Contains(esQueryConsumers, c) {
			return fmt.Sprintf("Unauthorized by %q to create %q rule", c, typeID)
		}
	}
	if name, ok := body["name"]; ok {
		if n, _ := name.(string); strings.TrimSpace(n) == "" {
			return "[request body.name]: value has length [0] but it must have a minimum length of [1]."
		}
	}
	if schedule, ok := body["schedule"]; ok {
		interval, _ := schedule.(map[string]any)["interval"].(string)
		if !intervalPattern.MatchString(interval) {
			return "[request body.schedule.interval]: string is not a valid duration: " + interval
		}
	}
	if tags, ok := body["tags"]; ok {
		list, isList := tags.([]any)
		if !isList {
			return "[request body.tags]: expected value of type [array]"
		}
		for _, t := range list {
			if _, isString := t.(string); !isString {
				return "[request body.tags.0]: expected value of type [string]"
			}
		}
	}
	if params, ok := body["params"]; ok {
		p, isMap := params.(map[string]any)
		if !isMap {
			return "[request body.params]: expected value of type [object]"
		}
		return validateEsQueryParams(p)
	}
	return ""
}

// validateEsQueryParams checks the params of an Elasticsearch query rule
// as its schema does, and returns the message of the first refusal.
func validateEsQueryParams(p map[string]any) string {
	fail := func(msg string) string { return "params invalid: " + msg }
	for k := range p {
		if !slices.Contains(esQueryParams, k) {
			return fail("[" + k + "]: definition for this key is missing")
		}
	}
	number := func(k string) (float64, bool) { v, ok := p[k].(float64); return v, ok }
	if searchType, _ := p["searchType"].(string); searchType != "" && searchType != "esQuery" {
		return fail("[searchType]: only esQuery is answered by this double")
	}
	if size, ok := number("size"); !ok || size < 0 || size > 10000 {
		return fail("[size]: must be a number from 0 to 10000")
	}
	if size, ok := number("timeWindowSize"); !ok || size < 1 || size != float64(int64(size)) {
		return fail("[timeWindowSize]: must be a whole number of at least 1")
	}
	if unit, _ := p["timeWindowUnit"].(string); !slices.Contains([]string{"s", "m", "h", "d"}, unit) {
		return fail("[timeWindowUnit]: invalid timeWindowUnit: \"" + unit + "\"")
	}
	comparator, _ := p["thresholdComparator"].(string)
	if !slices.Contains([]string{">", "<", ">=", "<=", "between", "notBetween"}, comparator) {
		return fail("[thresholdComparator]: invalid thresholdComparator specified: " + comparator)
	}
	threshold, _ := p["threshold"].([]any)
	if len(threshold) < 1 || len(threshold) > 2 {
		return fail("[threshold]: array size is [" + fmt.Sprint(len(threshold)) + "], but cannot be smaller than [1] or greater than [2]")
	}
	for _, t := range threshold {
		if _, ok := t.(float64); !ok {
			return fail("[threshold]: expected value of type [number]")
		}
	}
	if (comparator == "between" || comparator == "notBetween") && len(threshold) != 2 {
		return fail("[threshold]: must have two elements for the \"" + comparator + "\" comparator")
	}
	esQuery, _ := p["esQuery"].(string)
	var query map[string]any
	if json.Unmarshal([]byte(esQuery), &query) != nil {
		return fail("[esQuery]: must be valid JSON")
	}
	if _, ok := query["query"]; !ok {
		return fail("[esQuery]: must contain \"query\"")
	}
	if index, _ := p["index"].([]any); len(index) == 0 {
		return fail("[index]: must have at least one index")
	}
	if tf, _ := p["timeField"].(string); tf == "" {
		return fail("[timeField]: must not be empty")
	}
	aggType, _ := p["aggType"].(string)
	if aggType == "" {
		aggType = "count"
	}
	if !slices.Contains([]string{"count", "avg", "min", "max", "sum"}, aggType) {
		return fail("[aggType]: invalid aggType: \"" + aggType + "\"")
	}
	if field, _ := p["aggField"].(string); aggType != "count" && field == "" {
		return fail("[aggField]: must have a value when [aggType] is \"" + aggType + "\"")
	}
	if groupBy, _ := p["groupBy"].(string); groupBy == "top" {
		if field, _ := p["termField"].(string); field == "" {
			return fail("[termField]: termField required when [groupBy] is top")
		}
	} else if groupBy != "" && groupBy != "all" {
		return fail("[groupBy]: invalid groupBy: \"" + groupBy + "\"")
	}
	return ""
}

func now() string { return time.Now().UTC().Format("2006-01-02T15:04:05.000Z") }
