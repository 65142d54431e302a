package esdouble // import "github.com/elemta/otelcol-elemta/testbed/esdouble"

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Paths of the ILM policy and index template APIs.
const (
	ilmPolicyPath     = "/_ilm/policy/"
	indexTemplatePath = "/_index_template/"
)

// asset is an ILM policy or an index template as stored: what was put,
// with the server's own version counter.
type asset struct {
	body     map[string]any
	version  int
	created  time.Time
	modified time.Time
}

// assets answers the ILM policy and index template APIs: GET, PUT and
// DELETE of one named asset. It reports false for other paths.
func (s *Server) assets(r *http.Request) (status int, body any, ok bool) {
	var store map[string]*asset
	var name string
	switch {
	case strings.HasPrefix(r.URL.Path, ilmPolicyPath):
		store, name = s.policies, strings.TrimPrefix(r.URL.Path, ilmPolicyPath)
	case strings.HasPrefix(r.URL.Path, indexTemplatePath):
		store, name = s.templates, strings.TrimPrefix(r.URL.Path, indexTemplatePath)
	default:
		return 0, nil, false
	}
	if name == "" || strings.Contains(name, "/") {
		return http.StatusBadRequest, errorBody("illegal_argument_exception", "one name is needed"), true
	}
	policy := strings.HasPrefix(r.URL.Path, ilmPolicyPath)

	s.mu.Lock()
	defer s.mu.Unlock()
	switch r.Method {
	case http.MethodGet:
		a, found := store[name]
		if !found {
			return http.StatusNotFound, notFound(policy, name), true
		}
		if policy {
			return http.StatusOK, map[string]any{name: map[string]any{
				"version": a.version, "modified_date": a.modified.UTC().Format(time.RFC3339Nano),
				"policy": normalisePolicy(a.body), "in_use_by": map[string]any{"indices": []any{}, "data_streams": []any{}, "composable_templates": []any{}},
			}}, true
		}
		tmpl := normaliseTemplate(a.body)
		// Elasticsearch 8.13 and later always show composed_of
		// (elastic/elasticsearch#105315); 9.2 and later show when the
		// template was created and last modified (#132083). The harsher
		// shape, the 9.x one, is answered.
		if _, ok := tmpl["composed_of"]; !ok {
			tmpl["composed_of"] = []any{}
		}
		tmpl["created_date_millis"] = a.created.UnixMilli()
		tmpl["modified_date_millis"] = a.modified.UnixMilli()
		if r.URL.Query().Get("human") == "true" {
			tmpl["created_date"] = a.created.UTC().Format(time.RFC3339Nano)
			tmpl["modified_date"] = a.modified.UTC().Format(time.RFC3339Nano)
		}
		return http.StatusOK, map[string]any{"index_templates": []any{map[string]any{"name": name, "index_template": tmpl}}}, true
	case http.MethodPut:
		var put map[string]any
		if err := json.NewDecoder(r.Body).Decode(&put); err != nil {
			return http.StatusBadRequest, errorBody("parse_exception", err.Error()), true
		}
		if !policy {
			// 9.2 refuses the dates it shows in a PUT (#132083).
			for _, k := range []string{"created_date", "created_date_millis", "modified_date", "modified_date_millis"} {
				if _, set := put[k]; set {
					return http.StatusBadRequest, errorBody("x_content_parse_exception", "[index_template] unknown field ["+k+"]"), true
				}
			}
		}
		if policy {
			p, isMap := put["policy"].(map[string]any)
			if !isMap {
				return http.StatusBadRequest, errorBody("parse_exception", "request body is required to have a [policy] object"), true
			}
			put = p
		}
		a := store[name]
		if a == nil {
			a = &asset{created: time.Now()}
			store[name] = a
		}
		a.body, a.version, a.modified = put, a.version+1, time.Now()
		return http.StatusOK, map[string]any{"acknowledged": true}, true
	case http.MethodDelete:
		if _, found := store[name]; !found {
			return http.StatusNotFound, notFound(policy, name), true
		}
		delete(store, name)
		return http.StatusOK, map[string]any{"acknowledged": true}, true
	}
	return http.StatusMethodNotAllowed, errorBody("illegal_argument_exception", r.Method+" is not allowed"), true
}

func notFound(policy bool, name string) map[string]any {
	reason := fmt.Sprintf("index template matching [%s] not found", name)
	if policy {
		reason = fmt.Sprintf("Lifecycle policy not found: %s", name)
	}
	body := errorBody("resource_not_found_exception", reason)
	body["status"] = http.StatusNotFound
	return body
}

// normalisePolicy returns a policy as Elasticsearch shows it: a delete
// action gains its default delete_searchable_snapshot.
func normalisePolicy(p map[string]any) map[string]any {
	out := deepCopy(p).(map[string]any)
	if phases, ok := out["phases"].(map[string]any); ok {
		for _, phase := range phases {
			actions, _ := phase.(map[string]any)["actions"].(map[string]any)
			if del, ok := actions["delete"].(map[string]any); ok {
				if _, set := del["delete_searchable_snapshot"]; !set {
					del["delete_searchable_snapshot"] = true
				}
			}
		}
	}
	return out
}

// normaliseTemplate returns a template as Elasticsearch shows it: index
// settings are strings.
func normaliseTemplate(t map[string]any) map[string]any {
	out := deepCopy(t).(map[string]any)
	if tmpl, ok := out["template"].(map[string]any); ok {
		if settings, ok := tmpl["settings"].(map[string]any); ok {
			stringLeaves(settings)
		}
	}
	return out
}

func stringLeaves(m map[string]any) {
	for k, v := range m {
		switch v := v.(type) {
		case map[string]any:
			stringLeaves(v)
		case float64:
			m[k] = strconv.FormatFloat(v, 'f', -1, 64)
		case bool:
			m[k] = strconv.FormatBool(v)
		}
	}
}

func deepCopy(v any) any {
	switch v := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(v))
		for k, x := range v {
			out[k] = deepCopy(x)
		}
		return out
	case []any:
		out := make([]any, len(v))
		for i, x := range v {
			out[i] = deepCopy(x)
		}
		return out
	}
	return v
}

// ILMPolicy returns the policy stored under name, as it was put.
func (s *Server) ILMPolicy(name string) (map[string]any, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	a, ok := s.policies[name]
	if !ok {
		return nil, false
	}
	return deepCopy(a.body).(map[string]any), true
}

// IndexTemplate returns the index template stored under name, as it was put.
func (s *Server) IndexTemplate(name string) (map[string]any, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	a, ok := s.templates[name]
	if !ok {
		return nil, false
	}
	return deepCopy(a.body).(map[string]any), true
}

// EditILMPolicy changes a stored policy as an operator would (Kibana's
// ILM page, a PUT of their own).
func (s *Server) EditILMPolicy(name string, edit func(policy map[string]any)) {
	s.editAsset(s.policies, name, edit)
}

// EditIndexTemplate changes a stored index template as an operator would.
func (s *Server) EditIndexTemplate(name string, edit func(template map[string]any)) {
	s.editAsset(s.templates, name, edit)
}

// editAsset changes a stored asset as a PUT would: a new version, now.
func (s *Server) editAsset(store map[string]*asset, name string, edit func(body map[string]any)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if a, ok := store[name]; ok {
		edit(a.body)
		a.version++
		a.modified = time.Now()
	}
}
