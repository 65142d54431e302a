package esdouble // import "github.com/elemta/otelcol-elemta/testbed/esdouble"

import (
	"encoding/json"
	"net/http"
	"strings"
	"time"
)

// Paths of the snapshot repository and snapshot lifecycle (SLM) APIs.
const (
	snapshotPath = "/_snapshot/"
	slmPath      = "/_slm/policy/"
)

// backups answers GET and PUT of one snapshot repository or SLM policy.
// An SLM policy naming a repository that does not exist is refused, as
// Elasticsearch does. It reports false for other paths.
func (s *Server) backups(r *http.Request) (status int, body any, ok bool) {
	var name string
	repository := strings.HasPrefix(r.URL.Path, snapshotPath)
	switch {
	case repository:
		name = strings.TrimPrefix(r.URL.Path, snapshotPath)
	case strings.HasPrefix(r.URL.Path, slmPath):
		name = strings.TrimPrefix(r.URL.Path, slmPath)
	default:
		return 0, nil, false
	}
	if name == "" || strings.Contains(name, "/") {
		return http.StatusBadRequest, errorBody("illegal_argument_exception", "one name is needed"), true
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	switch r.Method {
	case http.MethodGet:
		if repository {
			repo, found := s.repositories[name]
			if !found {
				b := errorBody("repository_missing_exception", "["+name+"] missing")
				b["status"] = http.StatusNotFound
				return http.StatusNotFound, b, true
			}
			return http.StatusOK, map[string]any{name: deepCopy(repo)}, true
		}
		a, found := s.slm[name]
		if !found {
			b := errorBody("resource_not_found_exception", "snapshot lifecycle policy or policies ["+name+"] not found")
			b["status"] = http.StatusNotFound
			return http.StatusNotFound, b, true
		}
		return http.StatusOK, map[string]any{name: map[string]any{
			"version": a.version, "modified_date_millis": a.modified.UnixMilli(), "policy": deepCopy(a.body),
		}}, true
	case http.MethodPut:
		var put map[string]any
		if err := json.NewDecoder(r.Body).Decode(&put); err != nil {
			return http.StatusBadRequest, errorBody("parse_exception", err.Error()), true
		}
		if repository {
			s.repositories[name] = put
			return http.StatusOK, map[string]any{"acknowledged": true}, true
		}
		repo, _ := put["repository"].(string)
		if _, exists := s.repositories[repo]; !exists {
			return http.StatusBadRequest, errorBody("illegal_argument_exception", "no such repository ["+repo+"]"), true
		}
		a := s.slm[name]
		if a == nil {
			a = &asset{}
			s.slm[name] = a
		}
		a.body, a.version, a.modified = put, a.version+1, time.Now()
		return http.StatusOK, map[string]any{"acknowledged": true}, true
	}
	return http.StatusMethodNotAllowed, errorBody("illegal_argument_exception", r.Method+" is not allowed"), true
}

// SnapshotRepository returns the repository stored under name.
func (s *Server) SnapshotRepository(name string) (map[string]any, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	repo, ok := s.repositories[name]
	if !ok {
		return nil, false
	}
	return deepCopy(repo).(map[string]any), true
}

// SLMPolicy returns the snapshot lifecycle policy stored under name.
func (s *Server) SLMPolicy(name string) (map[string]any, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	a, ok := s.slm[name]
	if !ok {
		return nil, false
	}
	return deepCopy(a.body).(map[string]any), true
}
