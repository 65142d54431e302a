package durableelasticsearchexporter // import "github.com/elemta/otelcol-elemta/exporter/durableelasticsearchexporter"

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"slices"
	"strconv"
	"time"

	lru "github.com/hashicorp/golang-lru/v2"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"
	"go.uber.org/zap"

	"github.com/elemta/otelcol-elemta/exporter/durableelasticsearchexporter/internal/metadata"
)

// recentDeadLetters is how many dead-lettered document ids are remembered,
// so that a batch sent again does not write the same refusal twice.
const recentDeadLetters = 16384

// refusedDocuments reads Elasticsearch's answers to bulk requests: it
// records them in the batch's report and writes what Elasticsearch refused
// for good to the dead-letter store.
type refusedDocuments struct {
	store     *deadLetterStore
	retried   []int // statuses worth retrying, for a request or a document
	logger    *zap.Logger
	telemetry *metadata.TelemetryBuilder
	recent    *lru.Cache[string, struct{}]
}

func newRefusedDocuments(retried []int, logger *zap.Logger, tb *metadata.TelemetryBuilder) (*refusedDocuments, error) {
	recent, err := lru.New[string, struct{}](recentDeadLetters)
	if err != nil {
		return nil, err
	}
	return &refusedDocuments{retried: retried, logger: logger, telemetry: tb, recent: recent}, nil
}

var errorField = []byte(`"error"`)

// bulkAnswer is the part of a bulk response the exporter reads: each item's
// status and error, in the order of the request's documents.
type bulkAnswer struct {
	Items []map[string]struct {
		Status int      `json:"status"`
		Error  *refusal `json:"error"`
	} `json:"items"`
}

// actionMeta is the part of a bulk action line that names the document.
type actionMeta map[string]struct {
	Index string `json:"_index"`
	ID    string `json:"_id"`
}

func (a actionMeta) target() (index, id string) {
	for _, m := range a {
		return m.Index, m.ID
	}
	return "", ""
}

// bulkDocument is one document of a bulk request: its action line, its
// document line, and the index and id the action names.
type bulkDocument struct {
	action, doc []byte
	index, id   string
}

// bulkDocuments splits a bulk body into its documents.
func bulkDocuments(body []byte) []bulkDocument {
	lines := bytes.Split(bytes.TrimRight(body, "\n"), []byte{'\n'})
	docs := make([]bulkDocument, 0, len(lines)/2)
	for i := 0; i+1 < len(lines); i += 2 {
		var meta actionMeta
		_ = json.Unmarshal(lines[i], &meta)
		index, id := meta.target()
		docs = append(docs, bulkDocument{action: lines[i], doc: lines[i+1], index: index, id: id})
	}
	return docs
}

// documentKey names a document by its index and id.
func documentKey(index, id string) string { return index + "\x00" + id }

// key tells the document apart from the others of its batch: by index and
// id, or by its content when it has no id.
func (d bulkDocument) key() string {
	if d.id == "" {
		return string(d.doc)
	}
	return documentKey(d.index, d.id)
}

func (d bulkDocument) refused(status int, reason refusal) deadLetter {
	return deadLetter{Index: d.index, ID: d.id, Status: status, Error: reason, Action: d.action, Document: d.doc}
}

// inspect reads the answer to one bulk request. body returns the request
// as sent, uncompressed; only an answer that refuses something reads it.
func (r *refusedDocuments) inspect(ctx context.Context, rep *bulkReport, status int, body func() []byte, answer []byte) {
	if status < 300 {
		rep.requestAnswered()
		// The fast path: no item failed and none awaits a retry.
		if !bytes.Contains(answer, errorField) && !rep.hasPending() {
			return
		}
		r.items(ctx, rep, body(), answer)
		return
	}
	reason := requestRefusal(status, answer)
	rep.requestFailed(status, reason, firstIndex(body()))
	switch {
	case status == http.StatusRequestEntityTooLarge:
		if rep != nil && rep.single { // one document too large: it never fits
			r.deadLetterAll(ctx, rep, status, reason, body())
		}
	case status == http.StatusUnauthorized || status == http.StatusForbidden || r.retry(status):
		// kept and retried: the exporter reads the report
	default: // a request that can never succeed as it is
		r.deadLetterAll(ctx, rep, status, reason, body())
	}
}

func (r *refusedDocuments) retry(status int) bool { return slices.Contains(r.retried, status) }

// items reads the per-document results of an answered request.
func (r *refusedDocuments) items(ctx context.Context, rep *bulkReport, body, answer []byte) {
	var parsed bulkAnswer
	if err := json.Unmarshal(answer, &parsed); err != nil {
		r.logger.Warn("The answer to a bulk request could not be read; refused documents are not dead-lettered", zap.Error(err))
		return
	}
	docs := bulkDocuments(body)
	var refused []deadLetter
	for i, item := range parsed.Items {
		if i >= len(docs) {
			break
		}
		d := docs[i]
		for action, res := range item {
			switch {
			case res.Status < 300:
				rep.document(d.key(), res.Status, false)
			case res.Status == http.StatusConflict && action == "create":
				// A resent document already there: it is indexed.
				rep.document(d.key(), res.Status, false)
			case r.retry(res.Status):
				rep.document(d.key(), res.Status, true)
			default:
				rep.document(d.key(), res.Status, false)
				reason := refusal{Type: "http_" + strconv.Itoa(res.Status)}
				if res.Error != nil {
					reason = *res.Error
				}
				refused = append(refused, d.refused(res.Status, reason))
			}
		}
	}
	r.write(ctx, rep, refused)
}

// deadLetterAll dead-letters every document of a request refused as a whole.
func (r *refusedDocuments) deadLetterAll(ctx context.Context, rep *bulkReport, status int, reason refusal, body []byte) {
	docs := bulkDocuments(body)
	refused := make([]deadLetter, 0, len(docs))
	for _, d := range docs {
		refused = append(refused, d.refused(status, reason))
	}
	r.write(ctx, rep, refused)
}

// write appends refused documents to the dead-letter store, counts them by
// error type and logs the request's refusals in one line.
func (r *refusedDocuments) write(ctx context.Context, rep *bulkReport, refused []deadLetter) {
	now := time.Now().UTC()
	fresh := refused[:0]
	for _, d := range refused {
		if d.ID != "" {
			if _, seen := r.recent.Get(documentKey(d.Index, d.ID)); seen {
				continue // refused before, when this batch was first sent
			}
		}
		d.Time = now
		fresh = append(fresh, d)
	}
	if len(fresh) == 0 {
		return
	}
	if err := r.store.write(fresh); err != nil {
		r.logger.Error("Documents Elasticsearch refused could not be written to the dead-letter file; their batch is kept and sent again",
			zap.Int("documents", len(fresh)), zap.Error(err))
		r.telemetry.ExporterDurableElasticsearchDeadLetterFailed.Add(ctx, int64(len(fresh)))
		rep.deadLetterWritten(0, err)
		return
	}
	byType := map[string]int64{}
	for _, d := range fresh {
		if d.ID != "" {
			r.recent.Add(documentKey(d.Index, d.ID), struct{}{})
		}
		byType[d.Error.Type]++
	}
	for typ, n := range byType {
		r.telemetry.ExporterDurableElasticsearchDeadLettered.Add(ctx, n,
			metric.WithAttributeSet(attribute.NewSet(attribute.String("error_type", typ))))
	}
	rep.deadLetterWritten(len(fresh), nil)
	first := fresh[0]
	r.logger.Error("Elasticsearch refused documents for good; they are kept in the dead-letter file",
		zap.Int("documents", len(fresh)), zap.String("file", r.store.path()),
		zap.String("index", first.Index), zap.String("id", first.ID), zap.Int("status", first.Status),
		zap.String("error.type", first.Error.Type), zap.String("error.reason", first.Error.Reason))
}

// requestRefusal reads the error of a request Elasticsearch refused as a
// whole; an answer without one is named by its status.
func requestRefusal(status int, answer []byte) refusal {
	var parsed struct {
		Error json.RawMessage `json:"error"`
	}
	if json.Unmarshal(answer, &parsed) == nil && len(parsed.Error) > 0 {
		var r refusal
		if json.Unmarshal(parsed.Error, &r) == nil && r.Type != "" {
			return r
		}
		var text string
		if json.Unmarshal(parsed.Error, &text) == nil && text != "" {
			return refusal{Type: "http_" + strconv.Itoa(status), Reason: text}
		}
	}
	return refusal{Type: "http_" + strconv.Itoa(status), Reason: http.StatusText(status)}
}

// firstIndex is the index the first document of a bulk request goes to.
func firstIndex(body []byte) string {
	end := bytes.IndexByte(body, '\n')
	if end < 0 {
		end = len(body)
	}
	var meta actionMeta
	_ = json.Unmarshal(body[:end], &meta)
	index, _ := meta.target()
	return index
}
