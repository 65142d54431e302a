package esdouble // import "github.com/elemta/otelcol-elemta/testbed/esdouble"

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// The _bulk API: parsing a request (NDJSON, gzip or not), indexing each
// document as Elasticsearch does (create and index, a 409 for a create of
// an id already there, the index's mapping and write block), the answer's
// items, and the faults a test injects.

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

// leanSource is what a lean double keeps of a document: what tells its
// line (Line) and its event type.
type leanSource struct {
	Message   any `json:"message"`
	Original  any `json:"event.original"`
	LineID    any `json:"tbid"`
	EventType any `json:"event_type"`
	Body      any `json:"body"`
}

// source is the document a lean double keeps.
func (l leanSource) source() map[string]any {
	src := map[string]any{"message": l.Message, "event_type": l.EventType}
	if l.Original != nil {
		src["event.original"] = l.Original
	}
	if l.LineID != nil {
		src["tbid"] = l.LineID
	}
	if l.Body != nil {
		src["body"] = l.Body
	}
	return src
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
			op.source = src.source()
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
	blocks := map[string]string{} // each index's write block, read once a request
	for _, op := range ops {
		if op.parseErr != nil {
			items = append(items, itemResult(op.action, http.StatusBadRequest, "", errorBody("mapper_parsing_exception", op.parseErr.Error())["error"]))
			hasErrors = true
			continue
		}
		block, known := blocks[op.action.index]
		if !known {
			block = s.writeBlock(op.action.index, s.mappingOf(op.action.index))
			blocks[op.action.index] = block
		}
		item, outcome, failed := s.store(op.action, op.source, block)
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

// SetLean makes the double keep of each document only what tells its line
// and its event type, for load tests that index millions of them.
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

// store indexes one document, refused with block when ILM has blocked
// writes to its index; the caller holds s.mu.
func (s *Server) store(action bulkAction, source map[string]any, block string) (item any, outcome string, failed bool) {
	if action.id == "" {
		s.nextAutoID++
		action.id = "auto-" + strconv.Itoa(s.nextAutoID)
	}
	if s.lean { // already cut down by parseBulk, unless it was parsed before SetLean
		source = leanSource{
			Message: source["message"], Original: source["event.original"], LineID: source["tbid"],
			EventType: source["event_type"], Body: source["body"],
		}.source()
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
	if block != "" {
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
