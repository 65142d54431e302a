package smtpeventprocessor // import "github.com/elemta/otelcol-elemta/processor/smtpeventprocessor"

import (
	"crypto/sha256"
	"encoding/base64"
	"strconv"
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"
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
func (p *smtpEventProcessor) document(lr plog.LogRecord, host string) {
	attrs := lr.Attributes()
	ts := lr.Timestamp().AsTime()
	if lr.Timestamp() == 0 {
		ts = lr.ObservedTimestamp().AsTime()
	}
	line := lr.Body().AsString()
	index := p.cfg.Document.IndexPrefix + ts.UTC().Format("2006.01.02")
	id := documentID(host, attrs, ts, line)

	doc := pcommon.NewMap()
	attrs.MoveTo(doc)
	for _, reserved := range []string{docTimestamp, docMessage} {
		if v, ok := doc.Get(reserved); ok { // Elemta's own "message" key, say
			v.CopyTo(doc.PutEmpty("elemta_" + reserved))
		}
	}
	for _, k := range keptAttributes {
		if v, ok := doc.Get(k); ok {
			v.CopyTo(attrs.PutEmpty(k))
		}
	}
	doc.PutStr(docTimestamp, ts.UTC().Format(time.RFC3339Nano))
	doc.PutStr(docMessage, line)
	if p.cfg.Document.IndexPrefix != "" {
		attrs.PutStr(attrIndex, index)
	}
	attrs.PutStr(attrDocumentID, id)
	doc.MoveTo(lr.Body().SetEmptyMap())
}

// keptAttributes stay on the record next to the document, for the
// pipeline's own use (signal_to_metrics counts by them).
var keptAttributes = []string{"event_type", "level", "mta_flow", "event.outcome", "is_error"}

// documentID identifies a line by where it was read (host, file, offset)
// and what it says; a line without a position by its host, time and text.
func documentID(host string, attrs pcommon.Map, ts time.Time, line string) string {
	h := sha256.New()
	h.Write([]byte(host))
	h.Write([]byte{0})
	path, hasPath := attrs.Get("log.file.path")
	offset, hasOffset := attrs.Get("log.file.record_offset")
	if hasPath && hasOffset {
		h.Write([]byte(path.AsString()))
		h.Write([]byte{0})
		h.Write([]byte(strconv.FormatInt(offset.Int(), 10)))
	} else {
		h.Write([]byte(strconv.FormatInt(ts.UnixNano(), 10)))
	}
	h.Write([]byte{0})
	h.Write([]byte(line))
	return base64.RawURLEncoding.EncodeToString(h.Sum(nil)[:18])
}
