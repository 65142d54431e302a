package smtpeventprocessor // import "github.com/elemta/otelcol-elemta/processor/smtpeventprocessor"

import (
	"crypto/sha256"
	"encoding/base64"
	"strconv"
	"time"

	"go.opentelemetry.io/collector/pdata/plog"
)

// Attributes the Elasticsearch exporter reads (contrib v0.156.0).
const (
	attrIndex       = "elasticsearch.index"
	attrDocumentID  = "elasticsearch.document_id"
	attrMappingMode = "elastic.mapping.mode"
	mappingBodyMap  = "bodymap"

	docTimestamp = "@timestamp"
	docMessage   = "message"
)

// document makes the record's body the Elasticsearch document: the
// attributes at the top level under the names the seed's queries use,
// `@timestamp` and `message` (the line). The exporter indexes it verbatim
// (bodymap mapping) in the index of the event's UTC date, under an id that
// a resend of the same line repeats. The attributes move into the body;
// the record keeps those that route or count it.
func (p *smtpEventProcessor) document(lr plog.LogRecord, r *record, s step, host string, b *batch) {
	attrs := lr.Attributes()
	ts := lr.Timestamp().AsTime().UTC()
	if lr.Timestamp() == 0 {
		ts = lr.ObservedTimestamp().AsTime().UTC()
	}
	line := lr.Body().AsString()

	for _, reserved := range [...]struct {
		key     string
		present bool
	}{{docTimestamp, r.hasTimestampKey}, {docMessage, r.hasMessageKey}} {
		if !reserved.present { // Elemta's own "message" key, say
			continue
		}
		if v, ok := attrs.Get(reserved.key); ok {
			v.CopyTo(attrs.PutEmpty("elemta_" + reserved.key))
		}
	}
	var stamp [40]byte
	attrs.PutStr(docTimestamp, string(ts.AppendFormat(stamp[:0], time.RFC3339Nano)))
	attrs.PutStr(docMessage, line)
	attrs.MoveTo(lr.Body().SetEmptyMap())

	// What routes and counts the record stays next to the document.
	attrs.EnsureCapacity(len(keptAttributes) + 2)
	putNonEmpty(attrs, "event_type", r.eventType)
	putNonEmpty(attrs, "level", r.level)
	attrs.PutStr("mta_flow", s.flow)
	attrs.PutStr("event.outcome", s.outcome)
	if failed := s.outcome == outcomeFailure; failed || r.hasIsError {
		attrs.PutBool("is_error", failed || r.isError)
	}
	if p.cfg.Document.IndexPrefix != "" {
		attrs.PutStr(attrIndex, b.indexFor(p.cfg.Document.IndexPrefix, ts))
	}
	attrs.PutStr(attrDocumentID, documentID(host, r, ts, line))
}

// keptAttributes stay on the record next to the document, for the
// pipeline's own use (signal_to_metrics counts by them).
var keptAttributes = []string{"event_type", "level", "mta_flow", "event.outcome", "is_error"}

// documentID identifies a line by where it was read (host, file, offset)
// and what it says; a line without a position by its host, time and text.
func documentID(host string, r *record, ts time.Time, line string) string {
	var stack [2048]byte // most lines fit: no allocation
	b := append(stack[:0], host...)
	b = append(b, 0)
	if r.path != "" && r.hasOffset {
		b = append(b, r.path...)
		b = append(b, 0)
		b = strconv.AppendInt(b, r.offset, 10)
	} else {
		b = strconv.AppendInt(b, ts.UnixNano(), 10)
	}
	b = append(b, 0)
	b = append(b, line...)
	sum := sha256.Sum256(b)
	return base64.RawURLEncoding.EncodeToString(sum[:18])
}
