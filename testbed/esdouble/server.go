// Package esdouble is an in-process test double of the Elasticsearch HTTP API,
// as much as otelcol-elemta uses: the product check on GET /, the _bulk API
// with per-item results (bulk.go), ILM policies and index templates
// (assets.go, the GET shapes of 8.13+ and 9.x), the write block ILM puts on
// aged indices (lifecycle.go), snapshots (backups.go), the statistics
// (stats.go), HTTPS (tls.go), and fault injection. It records every
// request so tests can assert on what arrived. Where releases differ, it
// answers as the harsher one does, and says which in a comment.
package esdouble // import "github.com/elemta/otelcol-elemta/testbed/esdouble"

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"maps"
	mathrand "math/rand/v2"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Document is one document indexed through _bulk.
type Document struct {
	Index  string
	ID     string
	Source map[string]any
	// Arrived is when the document was first indexed (a replacement keeps it).
	Arrived time.Time
}

// Request is one HTTP request the double received.
type Request struct {
	Method string
	Path   string
	// Status is the HTTP status the double answered with (0 for a dropped connection).
	Status int
	// Encoding is the request's Content-Encoding ("" for none).
	Encoding string
}

// Server is the Elasticsearch double. The zero value is not usable; call New.
type Server struct {
	srv *httptest.Server

	mu       sync.Mutex
	requests []Request
	caPEM    []byte // the CA of an HTTPS double
	lean     bool
	replaced int
	// docsPerSecond limits the indexing rate; throttle serialises the waits.
	docsPerSecond int
	throttle      sync.Mutex
	docs          []Document
	byID          map[string]int // index + "\x00" + id -> position in docs
	nextAutoID    int
	bulkFaults    []int // statuses answered to the next bulk calls, in order
	bulkFault     int   // status answered to every bulk call until cleared
	maxBulk       int   // bulk bodies larger than this (uncompressed) get a 413
	dropNext      int
	delay         time.Duration
	delaySpread   time.Duration // each response waits delay plus up to this much more
	bulkDelay     time.Duration // _bulk responses wait this much more
	bulksServing  int           // _bulk requests being served now
	maxBulks      int           // the most _bulk requests served at once
	rejectItems   func(Document) bool
	rejectAs      int // per-item status of a rejected document
	rejected      int
	outcomes      map[string]int // "action/result" -> documents
	policies      map[string]*asset
	templates     map[string]*asset
	indexMappings map[string]*mapping // by index, fixed when its first document created it
	slm           map[string]*asset
	repositories  map[string]map[string]any
	auth          string // the Authorization header every request must carry; "" for none
	malformed     []string
}

// New starts a double on a loopback port. Close it when done.
func New() *Server {
	s := newServer()
	s.srv = httptest.NewServer(http.HandlerFunc(s.serveHTTP))
	return s
}

func newServer() *Server {
	return &Server{
		byID: map[string]int{}, outcomes: map[string]int{}, indexMappings: map[string]*mapping{},
		policies: map[string]*asset{}, templates: map[string]*asset{},
		slm: map[string]*asset{}, repositories: map[string]map[string]any{},
	}
}

// NewAt starts a double on the given loopback address (for example the
// address of a double that was closed, to simulate a cluster coming back).
func NewAt(addr string) (*Server, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("esdouble: listen on %s: %w", addr, err)
	}
	s := newServer()
	s.srv = httptest.NewUnstartedServer(http.HandlerFunc(s.serveHTTP))
	s.srv.Listener = ln
	s.srv.Start()
	return s, nil
}

// URL is the base URL of the double, e.g. http://127.0.0.1:34567.
func (s *Server) URL() string { return s.srv.URL }

// Addr is the host:port the double listens on.
func (s *Server) Addr() string { return s.srv.Listener.Addr().String() }

// Close stops the double and closes open connections.
func (s *Server) Close() {
	s.srv.CloseClientConnections()
	s.srv.Close()
}

// DropNextConnections makes the next n requests of any kind end with the
// connection closed and no response.
func (s *Server) DropNextConnections(n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.dropNext = n
}

// SetDelay delays every response by d.
func (s *Server) SetDelay(d time.Duration) {
	s.SetDelayBetween(d, d)
}

// SetBulkDelay delays every _bulk response by d (on top of SetDelay's):
// a cluster busy indexing answers its bulk requests slowly and the rest
// (templates, policies, health) as usual.
func (s *Server) SetBulkDelay(d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.bulkDelay = d
}

// MaxConcurrentBulks is the most _bulk requests the double served at once.
func (s *Server) MaxConcurrentBulks() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.maxBulks
}

// SetDelayBetween delays each response by a time drawn between least and
// most. Elasticsearch answers the bulk requests it serves at once
// independently, each when its shards have written it (the write thread
// pool, "Thread pools" in the Elasticsearch reference): concurrent requests
// are answered in any order, and a loaded cluster takes 100-1,000 ms.
func (s *Server) SetDelayBetween(least, most time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.delay, s.delaySpread = least, max(0, most-least)
}

// Documents returns a copy of every stored document, in indexing order.
// A document overwritten by a later index action appears once, updated.
func (s *Server) Documents() []Document {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Document, len(s.docs))
	copy(out, s.docs)
	return out
}

// RequireBasicAuth makes every request without these credentials get a
// 401, as a cluster with security on answers; empty user turns it off.
func (s *Server) RequireBasicAuth(user, password string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.auth = ""
	if user != "" {
		s.auth = "Basic " + base64.StdEncoding.EncodeToString([]byte(user+":"+password))
	}
}

// DocumentCount is the number of documents stored, without copying them.
func (s *Server) DocumentCount() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.docs)
}

// Requests returns a copy of every request received, in order.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Request, len(s.requests))
	copy(out, s.requests)
	return out
}

// Outcomes counts the documents of every bulk request by action and
// result: "create/created", "index/updated", "create/conflict",
// "index/rejected", ...
func (s *Server) Outcomes() map[string]int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return maps.Clone(s.outcomes)
}

// Rejected is the number of bulk items rejected with a per-item error.
func (s *Server) Rejected() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.rejected
}

func (s *Server) serveHTTP(w http.ResponseWriter, r *http.Request) {
	if strings.HasSuffix(r.URL.Path, "/_bulk") {
		s.mu.Lock()
		wait := s.bulkDelay
		s.bulksServing++
		s.maxBulks = max(s.maxBulks, s.bulksServing)
		s.mu.Unlock()
		defer func() {
			s.mu.Lock()
			s.bulksServing--
			s.mu.Unlock()
		}()
		if wait > 0 {
			select {
			case <-time.After(wait):
			case <-r.Context().Done():
				return
			}
		}
	}
	s.mu.Lock()
	delay := s.delay
	if s.delaySpread > 0 {
		delay += mathrand.N(s.delaySpread) //nolint:gosec // the jitter of a test double's answers, no secret
	}
	drop := s.dropNext > 0
	if drop {
		s.dropNext--
		s.requests = append(s.requests, Request{Method: r.Method, Path: r.URL.Path})
	}
	s.mu.Unlock()

	if drop {
		dropConnection(w)
		return
	}
	if delay > 0 {
		select {
		case <-time.After(delay):
		case <-r.Context().Done():
			return
		}
	}

	w.Header().Set("X-Elastic-Product", "Elasticsearch")
	w.Header().Set("Content-Type", "application/json")

	s.mu.Lock()
	auth := s.auth
	s.mu.Unlock()

	var status int
	var body any
	switch {
	case auth != "" && r.Header.Get("Authorization") != auth:
		status, body = http.StatusUnauthorized, faultBody(http.StatusUnauthorized)
	case r.URL.Path == "/" && (r.Method == http.MethodGet || r.Method == http.MethodHead):
		status, body = http.StatusOK, clusterInfo()
	case strings.HasSuffix(r.URL.Path, "/_bulk") && (r.Method == http.MethodPost || r.Method == http.MethodPut):
		status, body = s.bulk(r)
	default:
		var handled bool
		if status, body, handled = s.assets(r); handled {
			break
		}
		if status, body, handled = s.backups(r); handled {
			break
		}
		if status, body, handled = s.stats(r); handled {
			break
		}
		status, body = http.StatusNotFound, errorBody("resource_not_found_exception",
			fmt.Sprintf("no handler for %s %s in the test double", r.Method, r.URL.Path))
	}

	s.mu.Lock()
	s.requests = append(s.requests, Request{Method: r.Method, Path: r.URL.Path, Status: status, Encoding: r.Header.Get("Content-Encoding")})
	s.mu.Unlock()

	// Elasticsearch filters answers (filterPath), not errors: its REST
	// channel builds an error answer with filtering off
	// (AbstractRestChannel.newErrorBuilder).
	if filters := r.URL.Query().Get("filter_path"); filters != "" && status < http.StatusBadRequest {
		body = filterPath(body, filters)
	}
	w.WriteHeader(status)
	if r.Method != http.MethodHead {
		_ = json.NewEncoder(w).Encode(body)
	}
}

func dropConnection(w http.ResponseWriter) {
	hj, ok := w.(http.Hijacker)
	if !ok {
		panic("esdouble: response writer cannot be hijacked")
	}
	conn, _, err := hj.Hijack()
	if err == nil {
		_ = conn.Close()
	}
}

func clusterInfo() map[string]any {
	return map[string]any{
		"name":         "esdouble",
		"cluster_name": "otelcol-elemta-testbed",
		"version": map[string]any{
			"number":                              "8.17.0",
			"build_flavor":                        "default",
			"minimum_wire_compatibility_version":  "7.17.0",
			"minimum_index_compatibility_version": "7.0.0",
		},
		"tagline": "You Know, for Search",
	}
}

// faultBody is the error Elasticsearch answers a request refused as a
// whole with.
func faultBody(status int) map[string]any {
	var body map[string]any
	switch status {
	case http.StatusUnauthorized:
		body = errorBody("security_exception", "unable to authenticate user [elastic] for REST request [/_bulk]")
	case http.StatusForbidden:
		body = errorBody("security_exception", "action [indices:data/write/bulk[s]] is unauthorized for user [elemta] with effective roles [viewer] on indices [elemta-logs-2024.01.15], this action is granted by the index privileges [create_doc,create,index,write,all]")
	case http.StatusRequestEntityTooLarge:
		body = errorBody("content_too_long_exception", "request body is too large")
	default:
		body = errorBody("es_rejected_execution_exception", "injected fault: "+strconv.Itoa(status))
	}
	body["status"] = status
	return body
}

func errorBody(typ, reason string) map[string]any {
	return map[string]any{"error": map[string]any{"type": typ, "reason": reason}}
}

// Message returns the log line a document carries: ECS's `event.original`
// when the document keeps the line, else its `message` (the line itself,
// or what it says), else the OTel mapping's `body.text`.
func Message(d Document) string {
	if line, ok := d.Source["event.original"].(string); ok {
		return line
	}
	if msg, ok := d.Source["message"].(string); ok {
		return msg
	}
	if body, ok := d.Source["body"].(map[string]any); ok {
		if text, ok := body["text"].(string); ok {
			return text
		}
	}
	return ""
}

// Attribute returns a log attribute of a document: a top-level field, or
// one under `attributes` as the OTel mapping nests them.
func Attribute(d Document, key string) (any, bool) {
	if v, ok := d.Source[key]; ok {
		return v, true
	}
	if attrs, ok := d.Source["attributes"].(map[string]any); ok {
		v, ok := attrs[key]
		return v, ok
	}
	return nil, false
}
