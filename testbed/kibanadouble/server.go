// Package kibanadouble is an in-process test double of the Kibana HTTP API,
// as much as otelcol-elemta's setup uses: the status, saved objects (get
// one, import NDJSON with overwrite), spaces in the URL (/s/<space>/api/…),
// the kbn-xsrf header Kibana requires on writes, and basic authentication.
package kibanadouble // import "github.com/elemta/otelcol-elemta/testbed/kibanadouble"

import (
	"bufio"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
)

// Object is a saved object as imported.
type Object struct {
	Type       string         `json:"type"`
	ID         string         `json:"id"`
	Attributes map[string]any `json:"attributes"`
	References []any          `json:"references"`
	Raw        map[string]any `json:"-"`
}

// Request is one request the double received.
type Request struct {
	Method, Path string
	Status       int
}

// Server is the Kibana double; call New.
type Server struct {
	srv *httptest.Server

	mu       sync.Mutex
	version  string
	spaces   map[string]bool
	objects  map[string]Object // space/type/id
	requests []Request
	auth     string
}

// New starts a double of Kibana 8.17.0 with the default space.
func New() *Server {
	s := newServer()
	s.srv = httptest.NewServer(http.HandlerFunc(s.serveHTTP))
	return s
}

// NewAt starts a double on the given loopback address.
func NewAt(addr string) (*Server, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("kibanadouble: listen on %s: %w", addr, err)
	}
	s := newServer()
	s.srv = httptest.NewUnstartedServer(http.HandlerFunc(s.serveHTTP))
	s.srv.Listener = ln
	s.srv.Start()
	return s, nil
}

func newServer() *Server {
	return &Server{version: "8.17.0", spaces: map[string]bool{"default": true}, objects: map[string]Object{}}
}

// URL is the base URL of the double.
func (s *Server) URL() string { return s.srv.URL }

// Addr is the double's host:port.
func (s *Server) Addr() string { return s.srv.Listener.Addr().String() }

// Close stops the double.
func (s *Server) Close() { s.srv.Close() }

// SetVersion sets the version /api/status reports.
func (s *Server) SetVersion(v string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.version = v
}

// AddSpace creates a space.
func (s *Server) AddSpace(id string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.spaces[id] = true
}

// RequireBasicAuth makes requests without these credentials get a 401.
func (s *Server) RequireBasicAuth(user, password string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.auth = "Basic " + base64.StdEncoding.EncodeToString([]byte(user+":"+password))
}

// Object returns a saved object of a space.
func (s *Server) Object(space, typ, id string) (Object, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	o, ok := s.objects[space+"/"+typ+"/"+id]
	return o, ok
}

// Objects returns every saved object of a space.
func (s *Server) Objects(space string) []Object {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Object
	for k, o := range s.objects {
		if strings.HasPrefix(k, space+"/") {
			out = append(out, o)
		}
	}
	return out
}

// Requests returns every request received, in order.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Request(nil), s.requests...)
}

func (s *Server) serveHTTP(w http.ResponseWriter, r *http.Request) {
	status, body := s.handle(r)
	if ndjson, ok := body.(exported); ok {
		s.mu.Lock()
		s.requests = append(s.requests, Request{Method: r.Method, Path: r.URL.Path, Status: status})
		s.mu.Unlock()
		w.Header().Set("Content-Type", "application/ndjson")
		w.WriteHeader(status)
		_, _ = w.Write(ndjson) //nolint:gosec // a test double answering with the objects it was given
		return
	}
	s.mu.Lock()
	s.requests = append(s.requests, Request{Method: r.Method, Path: r.URL.Path, Status: status})
	s.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(body)
}

func errorBody(status int, msg string) map[string]any {
	return map[string]any{"statusCode": status, "error": http.StatusText(status), "message": msg}
}

func (s *Server) handle(r *http.Request) (int, any) {
	s.mu.Lock()
	auth, version := s.auth, s.version
	s.mu.Unlock()
	if auth != "" && r.Header.Get("Authorization") != auth {
		return http.StatusUnauthorized, errorBody(http.StatusUnauthorized, "[security_exception]: unable to authenticate user")
	}
	path := r.URL.Path
	space := "default"
	if rest, ok := strings.CutPrefix(path, "/s/"); ok {
		space, path, _ = strings.Cut(rest, "/")
		path = "/" + path
		s.mu.Lock()
		known := s.spaces[space]
		s.mu.Unlock()
		if !known {
			return http.StatusNotFound, errorBody(http.StatusNotFound, "Not Found")
		}
	}
	if r.Method != http.MethodGet && r.Header.Get("kbn-xsrf") == "" {
		return http.StatusBadRequest, errorBody(http.StatusBadRequest, "Request must contain a kbn-xsrf header.")
	}
	switch {
	case path == "/api/status" && r.Method == http.MethodGet:
		return http.StatusOK, map[string]any{
			"name": "kibanadouble", "version": map[string]any{"number": version, "build_flavor": "traditional"},
			"status": map[string]any{"overall": map[string]any{"level": "available"}},
		}
	case path == "/api/saved_objects/_import" && r.Method == http.MethodPost:
		return s.importObjects(r, space)
	case path == "/api/saved_objects/_export" && r.Method == http.MethodPost:
		return s.exportObjects(r, space)
	case strings.HasPrefix(path, "/api/saved_objects/") && r.Method == http.MethodGet:
		typ, id, _ := strings.Cut(strings.TrimPrefix(path, "/api/saved_objects/"), "/")
		o, ok := s.Object(space, typ, id)
		if !ok {
			return http.StatusNotFound, errorBody(http.StatusNotFound, fmt.Sprintf("Saved object [%s/%s] not found", typ, id))
		}
		return http.StatusOK, o.Raw
	}
	return http.StatusNotFound, errorBody(http.StatusNotFound, "Not Found")
}

func (s *Server) importObjects(r *http.Request, space string) (int, any) {
	overwrite := r.URL.Query().Get("overwrite") == "true"
	file, _, err := r.FormFile("file")
	if err != nil {
		return http.StatusBadRequest, errorBody(http.StatusBadRequest, "[request body.file]: expected value of type [Stream]: "+err.Error())
	}
	defer file.Close()
	data, err := io.ReadAll(file)
	if err != nil {
		return http.StatusBadRequest, errorBody(http.StatusBadRequest, err.Error())
	}
	var objs []Object
	sc := bufio.NewScanner(strings.NewReader(string(data)))
	sc.Buffer(make([]byte, 0, 1<<20), 16<<20)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" {
			continue
		}
		var o Object
		if err := json.Unmarshal([]byte(line), &o); err != nil {
			return http.StatusBadRequest, errorBody(http.StatusBadRequest, "Unexpected token in JSON: "+err.Error())
		}
		if err := json.Unmarshal([]byte(line), &o.Raw); err != nil {
			return http.StatusBadRequest, errorBody(http.StatusBadRequest, err.Error())
		}
		objs = append(objs, o)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	var errs []any
	success := 0
	for _, o := range objs {
		key := space + "/" + o.Type + "/" + o.ID
		if _, exists := s.objects[key]; exists && !overwrite {
			errs = append(errs, map[string]any{"id": o.ID, "type": o.Type, "error": map[string]any{"type": "conflict"}})
			continue
		}
		s.objects[key] = o
		success++
	}
	return http.StatusOK, map[string]any{"success": len(errs) == 0, "successCount": success, "errors": errs}
}

// exported is the NDJSON answer of an export.
type exported []byte

// exportObjects answers an export of named objects: each object a line,
// then the summary line Kibana ends an export with.
func (s *Server) exportObjects(r *http.Request, space string) (int, any) {
	var req struct {
		Objects []struct {
			Type string `json:"type"`
			ID   string `json:"id"`
		} `json:"objects"`
	}
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		return http.StatusBadRequest, errorBody(http.StatusBadRequest, err.Error())
	}
	var out []byte
	var missing []any
	count := 0
	for _, ref := range req.Objects {
		o, ok := s.Object(space, ref.Type, ref.ID)
		if !ok {
			missing = append(missing, map[string]any{"type": ref.Type, "id": ref.ID})
			continue
		}
		line, err := json.Marshal(o.Raw)
		if err != nil {
			return http.StatusInternalServerError, errorBody(http.StatusInternalServerError, err.Error())
		}
		out = append(append(out, line...), '\n')
		count++
	}
	if len(missing) > 0 {
		return http.StatusBadRequest, errorBody(http.StatusBadRequest, fmt.Sprintf("Error fetching objects to export: %v", missing))
	}
	summary, _ := json.Marshal(map[string]any{"exportedCount": count, "missingRefCount": 0, "missingReferences": []any{}})
	return http.StatusOK, exported(append(append(out, summary...), '\n'))
}
