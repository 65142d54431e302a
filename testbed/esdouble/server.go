// Package esdouble is an in-process test double of the Elasticsearch HTTP API,
// just large enough for the collector's Elasticsearch exporter: the product
// check on GET /, the _bulk API with per-item results, and fault injection.
// It records every request so tests can assert on what arrived.
package esdouble // import "github.com/elemta/otelcol-elemta/testbed/esdouble"

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"log"
	"maps"
	"math/big"
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

// NewTLS starts a double that answers over HTTPS, with a certificate for
// 127.0.0.1 signed by a CA made for this double alone; CAPEM returns it.
func NewTLS() *Server {
	s := newServer()
	ca, leaf, err := newCertificates()
	if err != nil {
		panic("esdouble: " + err.Error())
	}
	s.caPEM = ca
	s.srv = httptest.NewUnstartedServer(http.HandlerFunc(s.serveHTTP))
	s.srv.TLS = &tls.Config{Certificates: []tls.Certificate{leaf}, MinVersion: tls.VersionTLS12}
	s.srv.Config.ErrorLog = log.New(io.Discard, "", 0) // refused handshakes are what tests cause
	s.srv.StartTLS()
	return s
}

// CAPEM is the PEM of the CA that signed an HTTPS double's certificate:
// what a client's ca_file must hold to trust it.
func (s *Server) CAPEM() []byte { return s.caPEM }

// newCertificates makes a CA and a server certificate for 127.0.0.1 and
// localhost signed by it.
func newCertificates() (caPEM []byte, leaf tls.Certificate, err error) {
	caKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, leaf, err
	}
	now := time.Now()
	caTemplate := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "esdouble test CA"},
		NotBefore: now.Add(-time.Hour), NotAfter: now.Add(24 * time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign,
	}
	caDER, err := x509.CreateCertificate(rand.Reader, caTemplate, caTemplate, &caKey.PublicKey, caKey)
	if err != nil {
		return nil, leaf, err
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, leaf, err
	}
	template := &x509.Certificate{
		SerialNumber: big.NewInt(2), Subject: pkix.Name{CommonName: "esdouble"},
		NotBefore: now.Add(-time.Hour), NotAfter: now.Add(24 * time.Hour),
		IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)}, DNSNames: []string{"localhost"},
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, template, caTemplate, &key.PublicKey, caKey)
	if err != nil {
		return nil, leaf, err
	}
	leaf = tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: caDER}), leaf, nil
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

// FailNextBulk makes the next n _bulk calls fail as a whole with the given
// HTTP status (429, 503, ...), before any document is indexed.
func (s *Server) FailNextBulk(n, status int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for range n {
		s.bulkFaults = append(s.bulkFaults, status)
	}
}

// FailBulk makes every _bulk call fail as a whole with the given HTTP
// status until it is called with 0.
func (s *Server) FailBulk(status int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.bulkFault = status
}

// SetMaxBulkBytes makes _bulk calls whose uncompressed body is larger than
// n bytes fail with 413, as Elasticsearch's http.max_content_length does;
// 0 lifts the limit.
func (s *Server) SetMaxBulkBytes(n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.maxBulk = n
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

// RejectItems makes every bulk item for which reject returns true fail with
// a per-item 400 mapper_parsing_exception; nil stops rejecting.
func (s *Server) RejectItems(reject func(Document) bool) {
	s.RejectItemsWithStatus(http.StatusBadRequest, reject)
}

// RejectItemsWithStatus makes every bulk item for which reject returns true
// fail with the given per-item status: 400 is a mapper_parsing_exception,
// 429 an es_rejected_execution_exception; nil stops rejecting.
func (s *Server) RejectItemsWithStatus(status int, reject func(Document) bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.rejectItems, s.rejectAs = reject, status
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

type bulkAction struct {
	name  string
	index string
	id    string
}

// bulkOp is one action of a bulk body with its parsed source.
type bulkOp struct {
	action   bulkAction
	source   map[string]any
	parseErr error // the source is not a JSON object: this item fails
}

// leanSource is what a lean double keeps of a document.
type leanSource struct {
	Message   any `json:"message"`
	EventType any `json:"event_type"`
	Body      any `json:"body"`
}

// parseBulk reads a bulk body; a malformed body is answered as a whole
// with status and the fault's body. lean reads of each source only what a
// lean double keeps.
func parseBulk(body []byte, defaultIndex string, lean bool) (ops []bulkOp, status int, fault map[string]any) {
	sc := bufio.NewScanner(bytes.NewReader(body))
	sc.Buffer(make([]byte, 0, 64*1024), 64<<20)
	for sc.Scan() {
		line := bytes.TrimSpace(sc.Bytes())
		if len(line) == 0 {
			continue
		}
		action, err := parseAction(line, defaultIndex)
		if err != nil {
			return nil, http.StatusBadRequest, errorBody("illegal_argument_exception", err.Error())
		}
		if !sc.Scan() {
			return nil, http.StatusBadRequest, errorBody("illegal_argument_exception", "bulk action without a source line")
		}
		op := bulkOp{action: action}
		if lean {
			var src leanSource
			op.parseErr = json.Unmarshal(sc.Bytes(), &src)
			op.source = map[string]any{"message": src.Message, "event_type": src.EventType}
			if src.Body != nil {
				op.source["body"] = src.Body
			}
		} else {
			op.parseErr = json.Unmarshal(sc.Bytes(), &op.source)
		}
		ops = append(ops, op)
	}
	if err := sc.Err(); err != nil {
		return nil, http.StatusBadRequest, errorBody("parse_exception", err.Error())
	}
	return ops, 0, nil
}

func (s *Server) bulk(r *http.Request) (int, any) {
	body, err := readBody(r)
	if err != nil {
		return http.StatusBadRequest, errorBody("parse_exception", err.Error())
	}
	// Elasticsearch parses the bulk requests it serves at once in parallel,
	// on its write thread pool ("Thread pools" in the Elasticsearch
	// reference); the double parses before it takes its lock likewise.
	defaultIndex := strings.TrimSuffix(strings.TrimPrefix(r.URL.Path, "/"), "/_bulk")
	s.mu.Lock()
	lean, rate := s.lean, s.docsPerSecond
	s.mu.Unlock()
	ops, status, fault := parseBulk(body, defaultIndex, lean)
	if rate > 0 {
		// As a cluster that indexes so many documents a second: a batch's
		// documents are indexed, and answered, once its share of time has
		// passed, one batch at a time, so that parallel requests do not
		// add up.
		s.throttle.Lock()
		time.Sleep(time.Duration(len(ops)) * time.Second / time.Duration(rate))
		s.throttle.Unlock()
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.bulkFaults) > 0 {
		status := s.bulkFaults[0]
		s.bulkFaults = s.bulkFaults[1:]
		return status, faultBody(status)
	}
	if s.bulkFault != 0 {
		return s.bulkFault, faultBody(s.bulkFault)
	}
	if s.maxBulk > 0 && len(body) > s.maxBulk {
		return http.StatusRequestEntityTooLarge, faultBody(http.StatusRequestEntityTooLarge)
	}
	if fault != nil {
		return status, fault
	}

	items := make([]any, 0, len(ops))
	hasErrors := false
	for _, op := range ops {
		if op.parseErr != nil {
			items = append(items, itemResult(op.action, http.StatusBadRequest, "", errorBody("mapper_parsing_exception", op.parseErr.Error())["error"]))
			hasErrors = true
			continue
		}
		item, outcome, failed := s.store(op.action, op.source)
		s.outcomes[op.action.name+"/"+outcome]++
		items = append(items, item)
		hasErrors = hasErrors || failed
	}
	return http.StatusOK, map[string]any{"took": 1, "errors": hasErrors, "items": items}
}

// SetDocumentsPerSecond makes the double take at most n documents a
// second (0: no limit), answering each bulk request after the time its
// documents take.
func (s *Server) SetDocumentsPerSecond(n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.docsPerSecond = n
}

// SetLean makes the double keep of each document only its message and
// event type, for load tests that index millions of them.
func (s *Server) SetLean(lean bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.lean = lean
}

// Replaced counts the documents indexed again under an id they had.
func (s *Server) Replaced() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.replaced
}

// store indexes one document; the caller holds s.mu.
func (s *Server) store(action bulkAction, source map[string]any) (item any, outcome string, failed bool) {
	if action.id == "" {
		s.nextAutoID++
		action.id = "auto-" + strconv.Itoa(s.nextAutoID)
	}
	if s.lean { // already cut down by parseBulk, unless it was parsed before SetLean
		source = map[string]any{"message": Message(Document{Source: source}), "event_type": source["event_type"]}
	}
	doc := Document{Index: action.index, ID: action.id, Source: source, Arrived: time.Now()}
	if s.rejectItems != nil && s.rejectItems(doc) {
		s.rejected++
		typ := "mapper_parsing_exception"
		if s.rejectAs == http.StatusTooManyRequests {
			typ = "es_rejected_execution_exception"
		}
		return itemResult(action, s.rejectAs, "", map[string]any{
			"type": typ, "reason": "injected rejection",
		}), "rejected", true
	}
	if block := s.writeBlock(action.index, s.mappingOf(action.index)); block != "" {
		return blockedItem(action, block), "blocked", true
	}
	if m := s.mappingOf(action.index); m != nil {
		aliases, malformed := m.check(source)
		if len(aliases) > 0 {
			return itemResult(action, http.StatusBadRequest, "", map[string]any{
				"type": "mapper_parsing_exception", "reason": "Cannot write to a field alias [" + aliases[0] + "].",
			}), "rejected", true
		}
		if len(malformed) > 0 && !m.ignoreMalformed {
			return itemResult(action, http.StatusBadRequest, "", map[string]any{
				"type": "document_parsing_exception", "reason": "failed to parse field " + malformed[0],
			}), "rejected", true
		}
		for _, f := range malformed {
			s.malformed = append(s.malformed, action.index+"/"+action.id+" "+f)
		}
	}
	key := action.index + "\x00" + action.id
	if pos, exists := s.byID[key]; exists {
		if action.name == "create" {
			return itemResult(action, http.StatusConflict, "", map[string]any{
				"type":   "version_conflict_engine_exception",
				"reason": "[" + action.id + "]: version conflict, document already exists",
			}), "conflict", true
		}
		doc.Arrived = s.docs[pos].Arrived
		s.docs[pos] = doc
		s.replaced++
		return itemResult(action, http.StatusOK, "updated", nil), "updated", false
	}
	s.byID[key] = len(s.docs)
	s.docs = append(s.docs, doc)
	return itemResult(action, http.StatusCreated, "created", nil), "created", false
}

func parseAction(line []byte, defaultIndex string) (bulkAction, error) {
	var meta map[string]struct {
		Index string `json:"_index"`
		ID    string `json:"_id"`
	}
	if err := json.Unmarshal(line, &meta); err != nil {
		return bulkAction{}, fmt.Errorf("malformed action line: %w", err)
	}
	if len(meta) != 1 {
		return bulkAction{}, fmt.Errorf("action line must hold exactly one action, got %d", len(meta))
	}
	for name, m := range meta {
		if name != "create" && name != "index" {
			return bulkAction{}, fmt.Errorf("unsupported bulk action %q", name)
		}
		a := bulkAction{name: name, index: m.Index, id: m.ID}
		if a.index == "" {
			a.index = defaultIndex
		}
		if a.index == "" {
			return bulkAction{}, fmt.Errorf("bulk action %q without an index", name)
		}
		return a, nil
	}
	return bulkAction{}, errors.New("empty action line")
}

func itemResult(a bulkAction, status int, result string, errObj any) map[string]any {
	res := map[string]any{"_index": a.index, "_id": a.id, "status": status}
	if result != "" {
		res["result"] = result
	}
	if errObj != nil {
		res["error"] = errObj
	}
	return map[string]any{a.name: res}
}

func readBody(r *http.Request) ([]byte, error) {
	var rd io.Reader = r.Body
	if r.Header.Get("Content-Encoding") == "gzip" {
		gz, err := gzip.NewReader(r.Body)
		if err != nil {
			return nil, fmt.Errorf("gzip body: %w", err)
		}
		defer gz.Close()
		rd = gz
	}
	return io.ReadAll(rd)
}

// Message returns the log line a document carries: the ECS `message` field,
// or the OTel mapping's `body.text`.
func Message(d Document) string {
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
