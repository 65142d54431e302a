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
	// `message` (what the line says: its log_message, or the line), in the
	// index of the event's UTC date, under the record's stable id
	// (log.record.uid); with `document::original`, `event.original` (the
	// line) too.
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
// for itself (`message`, `@timestamp`, `event.original`).
const renamedPrefix = "elemta_"

// flatDocuments makes flat Elasticsearch documents of OTel log records,
// as contrib's bodymap mapping mode indexes them verbatim.
type flatDocuments struct {
	// indexPrefix is followed by the event's UTC date; empty leaves the
	// index to contrib's settings.
	indexPrefix string
	// original keeps the line in `event.original`.
	original bool
}

// build returns the documents of ld's records, one record each, in a new
// batch: ld is left as it is, so that the pipeline need not copy it for
// this exporter beside other consumers. A record whose body is already a
// map is taken as a document. The documents of one day share a scope that
// names their index, so that a document carries only its id.
func (f flatDocuments) build(ld plog.Logs) plog.Logs {
	days := dailyIndex{prefix: f.indexPrefix}
	out := plog.NewLogs()
	out.ResourceLogs().EnsureCapacity(ld.ResourceLogs().Len())
	for _, rl := range ld.ResourceLogs().All() {
		orl := out.ResourceLogs().AppendEmpty()
		rl.Resource().CopyTo(orl.Resource())
		orl.SetSchemaUrl(rl.SchemaUrl())
		for _, sl := range rl.ScopeLogs().All() {
			scopes := indexScopes{out: orl.ScopeLogs(), from: sl}
			for _, lr := range sl.LogRecords().All() {
				if lr.Body().Type() == pcommon.ValueTypeMap {
					lr.CopyTo(scopes.of("").AppendEmpty())
					continue
				}
				at := eventTime(lr)
				index := ""
				if days.prefix != "" {
					index = days.name(at)
				}
				f.document(lr, scopes.of(index).AppendEmpty(), at)
			}
		}
	}
	return out
}

// indexScopes hands out, for the records of one scope, the documents of
// each index: a copy of the scope naming contrib's bodymap mode and the
// index (none for ""), made when first asked for.
type indexScopes struct {
	out  plog.ScopeLogsSlice
	from plog.ScopeLogs
	made []indexScope
}

type indexScope struct {
	index   string
	records plog.LogRecordSlice
}

func (s *indexScopes) of(index string) plog.LogRecordSlice {
	for i := len(s.made) - 1; i >= 0; i-- { // the last one, mostly
		if s.made[i].index == index {
			return s.made[i].records
		}
	}
	sl := s.out.AppendEmpty()
	s.from.Scope().CopyTo(sl.Scope())
	sl.SetSchemaUrl(s.from.SchemaUrl())
	attrs := sl.Scope().Attributes()
	attrs.PutStr(attrMappingMode, mappingBodyMap)
	if index != "" {
		attrs.PutStr(attrIndex, index)
	}
	if len(s.made) == 0 { // a batch is mostly of one day
		sl.LogRecords().EnsureCapacity(s.from.LogRecords().Len())
	}
	s.made = append(s.made, indexScope{index: index, records: sl.LogRecords()})
	return sl.LogRecords()
}

// madeDocuments reports whether ld holds documents already (made by build):
// their scope names contrib's bodymap mapping mode.
func madeDocuments(ld plog.Logs) bool {
	for _, rl := range ld.ResourceLogs().All() {
		for _, sl := range rl.ScopeLogs().All() {
			v, ok := sl.Scope().Attributes().Get(attrMappingMode)
			return ok && v.Str() == mappingBodyMap
		}
	}
	return true // nothing to make
}

// eventTime is when lr's event happened: its time, or when it was read.
func eventTime(lr plog.LogRecord) time.Time {
	ts := lr.Timestamp()
	if ts == 0 {
		ts = lr.ObservedTimestamp()
	}
	return ts.AsTime().UTC()
}

// ownKeys are the keys a flat document uses for itself.
var ownKeys = [...]string{vocabulary.AttrTimestamp, vocabulary.AttrMessage, vocabulary.AttrEventOriginal}

// document writes the document of lr, whose event happened at, into doc:
// its body the attributes, @timestamp, message and, if kept,
// event.original; its attributes the id contrib's exporter indexes it
// under.
//
// message is what the line says, its log_message (a JSON or key=value
// line's msg, a text line's words after its time and level), as ECS has
// it: the line itself repeats every field, and for a JSON line it is a
// third of the document's bytes, escaped quote by quote. A line without a
// log_message (key=value fields only, unparsed) is its own message.
func (f flatDocuments) document(lr, doc plog.LogRecord, at time.Time) {
	doc.SetTimestamp(lr.Timestamp())
	doc.SetObservedTimestamp(lr.ObservedTimestamp())
	doc.SetSeverityNumber(lr.SeverityNumber())
	doc.SetSeverityText(lr.SeverityText())
	doc.SetFlags(lr.Flags())
	doc.SetTraceID(lr.TraceID())
	doc.SetSpanID(lr.SpanID())

	body := doc.Body().SetEmptyMap()
	// Room for the fields added (@timestamp, message, and event.original
	// when kept), so that the attributes are copied into the document's one
	// allocation.
	added := 2
	if f.original {
		added++
	}
	body.EnsureCapacity(lr.Attributes().Len() + added)
	lr.Attributes().CopyTo(body)
	// One look through the fields: the id leaves the body, the message is
	// found, and a key the document uses for itself (Elemta's own
	// "message", say: rare) is kept under another name.
	var id, message string
	clash := false
	body.RemoveIf(func(k string, v pcommon.Value) bool {
		switch k {
		case vocabulary.AttrRecordUID:
			id = v.AsString()
			return true
		case vocabulary.AttrLogMessage:
			if v.Type() == pcommon.ValueTypeStr {
				message = v.Str()
			}
		case vocabulary.AttrTimestamp, vocabulary.AttrMessage, vocabulary.AttrEventOriginal:
			clash = true
		}
		return false
	})
	if clash {
		for _, key := range ownKeys {
			if v, ok := body.Get(key); ok {
				v.CopyTo(body.PutEmpty(renamedPrefix + key))
				body.Remove(key)
			}
		}
	}
	var stamp [40]byte
	body.PutStr(vocabulary.AttrTimestamp, string(at.AppendFormat(stamp[:0], time.RFC3339Nano)))
	line := lr.Body().AsString()
	if message == "" {
		message = line
	}
	body.PutStr(vocabulary.AttrMessage, message)
	if f.original {
		body.PutStr(vocabulary.AttrEventOriginal, line)
	}

	if id != "" {
		doc.Attributes().PutStr(attrDocumentID, id)
	}
}

// dailyIndex names the index of a day: the prefix and YYYY.MM.dd. It
// remembers the last few names: a batch is mostly of one day, or two
// taking turns (lines with their own time and lines timed when read, while
// a backlog is read).
type dailyIndex struct {
	prefix string
	known  [4]dayIndex // the most recent first
}

type dayIndex struct {
	day   int64 // days since 1970-01-01 (UTC)
	index string
}

const secondsPerDay = 24 * 60 * 60 // Go time has no leap seconds

// name names the index of the UTC day of at.
func (d *dailyIndex) name(at time.Time) string {
	sec := at.Unix()
	day := sec / secondsPerDay
	if sec%secondsPerDay < 0 { // before 1970: division rounds toward the next day
		day--
	}
	for i, k := range d.known {
		if k.index != "" && k.day == day {
			if i > 0 {
				copy(d.known[1:i+1], d.known[:i])
				d.known[0] = k
			}
			return k.index
		}
	}
	copy(d.known[1:], d.known[:len(d.known)-1])
	d.known[0] = dayIndex{day: day, index: d.prefix + at.UTC().Format("2006.01.02")}
	return d.known[0].index
}
