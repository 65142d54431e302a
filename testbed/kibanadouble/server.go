// Package kibanadouble is an in-process test double of the Kibana HTTP API,
// as much as otelcol-elemta's setup uses, answering as Kibana 8.17 (the
// default) or 9.x answers: the status, the spaces API, saved objects (get
// one, _bulk_get, import NDJSON with overwrite, export), spaces in the URL
// (/s/<space>/api/…), the kbn-xsrf header Kibana requires on writes, and
// basic authentication.
//
// Where the real product is harsher than an ideal API, so is the double:
//   - /s/<space>/api/… answers for any space, existing or not: Kibana's
//     spaces interceptor checks only /app paths (elastic/kibana#67164); the
//     spaces API (GET /api/spaces/space/<id>) alone tells a missing space.
//   - Data views, searches, maps, dashboards and Lens objects share one id
//     space across all spaces (namespaceType multiple-isolated since 8.0):
//     importing an id that exists in another space gives the object a new
//     random id (the import's destinationId), and rewrites the references
//     of the import to it (Kibana's import, "regenerate ids" of
//     checkOriginConflicts / checkConflicts).
//   - An import is migrated (Kibana's document migrator runs on import):
//     coreMigrationVersion and typeMigrationVersion are raised to this
//     release's; a dashboard's panelsJSON is parsed and written again, and
//     its by-value panels stamped with the version of their last migration
//     (migrate_by_value_dashboard_panels, Lens 8.9.0); from 9.1 a saved
//     search gains tabs holding its state (elastic/kibana#221329).
//   - Each write stamps the object's updated_at and version.
package kibanadouble // import "github.com/elemta/otelcol-elemta/testbed/kibanadouble"

import (
	"bufio"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
)

// Object is a saved object as Kibana keeps it: migrated, stamped, in one
// space.
type Object struct {
	Type       string         `json:"type"`
	ID         string         `json:"id"`
	Attributes map[string]any `json:"attributes"`
	References []any          `json:"references"`
	// Raw is the object as Kibana answers a GET of it.
	Raw   map[string]any `json:"-"`
	space string
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
	objects  map[string]Object // type/id: one id space across spaces
	rules    map[string]*rule  // by id: one id space across spaces
	writes   int               // stamps each write's version
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
	return &Server{version: "8.17.0", spaces: map[string]bool{"default": true}, objects: map[string]Object{}, rules: map[string]*rule{}}
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
	return s.objectIn(space, typ, id)
}

// objectIn is the object of a space; the caller holds s.mu.
func (s *Server) objectIn(space, typ, id string) (Object, bool) {
	o, ok := s.objects[typ+"/"+id]
	if !ok || o.space != space {
		return Object{}, false
	}
	return o, true
}

// Objects returns every saved object of a space.
func (s *Server) Objects(space string) []Object {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Object
	for _, o := range s.objects {
		if o.space == space {
			out = append(out, o)
		}
	}
	return out
}

// EditObject changes a saved object's attributes as an operator saving it
// in Kibana would: the write stamps it.
func (s *Server) EditObject(space, typ, id string, edit func(attributes map[string]any)) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	o, ok := s.objectIn(space, typ, id)
	if !ok {
		return false
	}
	edit(o.Attributes)
	s.stamp(&o)
	s.objects[typ+"/"+id] = o
	return true
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
		// Any space: the API routes do not check that it exists.
		space, path, _ = strings.Cut(rest, "/")
		path = "/" + path
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
	case strings.HasPrefix(path, "/api/spaces/space/") && r.Method == http.MethodGet:
		id := strings.TrimPrefix(path, "/api/spaces/space/")
		s.mu.Lock()
		known := s.spaces[id]
		s.mu.Unlock()
		if !known {
			return http.StatusNotFound, errorBody(http.StatusNotFound, "Not Found")
		}
		return http.StatusOK, map[string]any{"id": id, "name": id, "disabledFeatures": []any{}, "_reserved": id == "default"}
	case strings.HasPrefix(path, rulePath):
		return s.rulesAPI(r, space, path)
	case path == "/api/saved_objects/_bulk_get" && r.Method == http.MethodPost:
		return s.bulkGet(r, space)
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

// bulkGet answers _bulk_get: each object asked for, in order, or an error
// in its place.
func (s *Server) bulkGet(r *http.Request, space string) (int, any) {
	var refs []struct {
		Type string `json:"type"`
		ID   string `json:"id"`
	}
	if err := json.NewDecoder(r.Body).Decode(&refs); err != nil {
		return http.StatusBadRequest, errorBody(http.StatusBadRequest, "[request body]: "+err.Error())
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]any, 0, len(refs))
	for _, ref := range refs {
		o, ok := s.objectIn(space, ref.Type, ref.ID)
		if !ok {
			out = append(out, map[string]any{"id": ref.ID, "type": ref.Type, "error": map[string]any{
				"statusCode": http.StatusNotFound, "error": "Not Found", "message": fmt.Sprintf("Saved object [%s/%s] not found", ref.Type, ref.ID),
			}})
			continue
		}
		out = append(out, o.Raw)
	}
	return http.StatusOK, map[string]any{"saved_objects": out}
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
	return s.importNDJSON(data, space, overwrite)
}

// Import imports NDJSON saved objects into a space with overwrite, as
// POST /s/<space>/api/saved_objects/_import?overwrite=true does: an
// earlier installation, or an operator's.
func (s *Server) Import(space string, ndjson []byte) error {
	status, answer := s.importNDJSON(ndjson, space, true)
	if status != http.StatusOK {
		return fmt.Errorf("kibanadouble: import answered %d: %v", status, answer)
	}
	return nil
}

func (s *Server) importNDJSON(data []byte, space string, overwrite bool) (int, any) {
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
	// Ids that exist in another space are given new ones, and the
	// references of the import follow them.
	newIDs := map[string]string{}
	for _, o := range objs {
		if there, exists := s.objects[o.Type+"/"+o.ID]; exists && there.space != space {
			newIDs[o.Type+"/"+o.ID] = randomID()
		}
	}
	var errs, results []any
	for _, o := range objs {
		key := o.Type + "/" + o.ID
		if there, exists := s.objects[key]; exists && there.space == space && !overwrite {
			errs = append(errs, map[string]any{"id": o.ID, "type": o.Type, "error": map[string]any{"type": "conflict"}})
			continue
		}
		result := map[string]any{"id": o.ID, "type": o.Type, "meta": map[string]any{"title": o.Attributes["title"]}}
		if id, renamed := newIDs[key]; renamed {
			o.ID, result["destinationId"] = id, id
			o.Raw["id"] = id
		}
		for _, r := range o.References {
			ref, _ := r.(map[string]any)
			if id, renamed := newIDs[fmt.Sprint(ref["type"])+"/"+fmt.Sprint(ref["id"])]; renamed {
				ref["id"] = id
			}
		}
		o.space = space
		s.migrate(&o)
		s.stamp(&o)
		s.objects[o.Type+"/"+o.ID] = o
		results = append(results, result)
	}
	return http.StatusOK, map[string]any{"success": len(errs) == 0, "successCount": len(results), "successResults": results, "errors": errs}
}

// typeMigrationVersions are the newest migrations of each type in the
// releases the double answers as (Kibana's registered migrations and model
// versions; a model version n shows as 10.n.0).
var typeMigrationVersions = map[string]map[string]string{
	"8": {"index-pattern": "8.0.0", "search": "8.0.0", "map": "8.4.0", "dashboard": "8.9.0", "lens": "8.9.0"},
	"9": {"index-pattern": "8.0.0", "search": "10.6.0", "map": "8.4.0", "dashboard": "10.3.0", "lens": "8.9.0"},
}

// migrate does to an imported object what Kibana's migrations do; the
// caller holds s.mu.
func (s *Server) migrate(o *Object) {
	major, rest, _ := strings.Cut(s.version, ".")
	minorText, _, _ := strings.Cut(rest, ".")
	minor, _ := strconv.Atoi(minorText)
	versions := typeMigrationVersions[major]
	if versions == nil {
		versions = typeMigrationVersions["9"]
	}
	o.Raw["coreMigrationVersion"] = "8.8.0"
	if v, ok := versions[o.Type]; ok {
		o.Raw["typeMigrationVersion"] = v
	}
	switch o.Type {
	case "dashboard":
		// Parsed and written again, by-value panels stamped.
		if panelsJSON, ok := o.Attributes["panelsJSON"].(string); ok {
			var panels []map[string]any
			if json.Unmarshal([]byte(panelsJSON), &panels) == nil {
				for _, p := range panels {
					if config, _ := p["embeddableConfig"].(map[string]any); config["attributes"] != nil {
						p["version"] = "8.9.0"
					}
				}
				if data, err := json.MarshalIndent(panels, "", " "); err == nil {
					o.Attributes["panelsJSON"] = string(data)
				}
			}
		}
	case "search":
		if major != "8" && (major != "9" || minor >= 1) {
			state := map[string]any{}
			for k, v := range o.Attributes {
				if k != "title" && k != "description" {
					state[k] = v
				}
			}
			o.Attributes["tabs"] = []any{map[string]any{"id": randomID(), "label": "Untitled", "attributes": state}}
		}
	}
	o.Raw["attributes"] = o.Attributes
	o.Raw["references"] = o.References
}

// stamp marks a write of o as Kibana does: updated_at and the version
// (Elasticsearch's sequence number and primary term, base64-encoded);
// the caller holds s.mu.
func (s *Server) stamp(o *Object) {
	s.writes++
	o.Raw["updated_at"] = now()
	o.Raw["version"] = base64.StdEncoding.EncodeToString(fmt.Appendf(nil, "[%d,1]", s.writes))
	o.Raw["namespaces"] = []any{o.space}
	o.Raw["attributes"] = o.Attributes
}

// randomID is a new object id, as Kibana makes them (a UUID v4).
func randomID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b[:])
	return h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
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
