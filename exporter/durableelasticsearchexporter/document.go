package durableelasticsearchexporter // import "github.com/elemta/otelcol-elemta/exporter/durableelasticsearchexporter"

import (
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"

	"github.com/elemta/otelcol-elemta/internal/vocabulary"
)

// Document shapes (`document::shape`).
const (
	// ShapeFlat makes each record a flat document: its attributes at the
	// top level under their own names, `@timestamp` (the event time) and
	// `message` (the line), in the index of the event's UTC date, under the
	// record's stable id (log.record.uid).
	ShapeFlat = "flat"
	// ShapeNone hands records to contrib's exporter as they are: its
	// mapping modes decide the document.
	ShapeNone = "none"
)

// What contrib's Elasticsearch exporter (v0.156.0) reads besides the body.
const (
	attrIndex       = "elasticsearch.index"
	attrDocumentID  = "elasticsearch.document_id"
	attrMappingMode = "elastic.mapping.mode"
	mappingBodyMap  = "bodymap"
)

// renamedPrefix is put before a key Elemta wrote that the document uses
// for itself (`message`, `@timestamp`).
const renamedPrefix = "elemta_"

// flatDocuments turns OTel log records into flat Elasticsearch documents
// in place, as contrib's bodymap mapping mode indexes them verbatim.
type flatDocuments struct {
	// indexPrefix is followed by the event's UTC date; empty leaves the
	// index to contrib's settings.
	indexPrefix string
}

// shape makes every record of ld a document. A record whose body is
// already a map is taken as a document: a batch shaped before (a retry)
// is left as it is.
func (f flatDocuments) shape(ld plog.Logs) {
	days := dailyIndex{prefix: f.indexPrefix}
	for _, rl := range ld.ResourceLogs().All() {
		for _, sl := range rl.ScopeLogs().All() {
			sl.Scope().Attributes().PutStr(attrMappingMode, mappingBodyMap)
			for _, lr := range sl.LogRecords().All() {
				if lr.Body().Type() != pcommon.ValueTypeMap {
					document(lr, &days)
				}
			}
		}
	}
}

func document(lr plog.LogRecord, days *dailyIndex) {
	attrs := lr.Attributes()
	ts := lr.Timestamp()
	if ts == 0 {
		ts = lr.ObservedTimestamp()
	}
	at := ts.AsTime().UTC()

	var id string
	if v, ok := attrs.Get(vocabulary.AttrRecordUID); ok {
		id = v.AsString()
		attrs.Remove(vocabulary.AttrRecordUID)
	}
	for _, key := range [...]string{vocabulary.AttrTimestamp, vocabulary.AttrMessage} {
		if v, ok := attrs.Get(key); ok { // Elemta's own "message" key, say
			v.CopyTo(attrs.PutEmpty(renamedPrefix + key))
		}
	}
	var stamp [40]byte
	line := lr.Body().AsString()
	body := lr.Body().SetEmptyMap()
	attrs.MoveTo(body)
	// One allocation for the two fields added: the attributes were copied
	// for this exporter without room to spare.
	body.EnsureCapacity(body.Len() + 2)
	body.PutStr(vocabulary.AttrTimestamp, string(at.AppendFormat(stamp[:0], time.RFC3339Nano)))
	body.PutStr(vocabulary.AttrMessage, line)

	// What contrib's exporter routes by stays on the record.
	attrs.EnsureCapacity(2)
	if days.prefix != "" {
		attrs.PutStr(attrIndex, days.of(at))
	}
	if id != "" {
		attrs.PutStr(attrDocumentID, id)
	}
}

// dailyIndex names the index of a day: the prefix and YYYY.MM.dd. It
// remembers the last name: a batch is mostly of one day.
type dailyIndex struct {
	prefix string
	day    time.Time
	index  string
}

// of names the index of the UTC day of at.
func (d *dailyIndex) of(at time.Time) string {
	day := at.Truncate(24 * time.Hour) // Go time has no leap seconds
	if d.index == "" || !day.Equal(d.day) {
		d.day, d.index = day, d.prefix+at.Format("2006.01.02")
	}
	return d.index
}
