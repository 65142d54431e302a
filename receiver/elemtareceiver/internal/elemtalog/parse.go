package elemtalog // import "github.com/elemta/otelcol-elemta/receiver/elemtareceiver/internal/elemtalog"

import (
	"strings"
	"time"
	"unicode/utf8"
	"unsafe"

	"github.com/elemta/otelcol-elemta/internal/jsonvalue"
	"github.com/elemta/otelcol-elemta/internal/vocabulary"

	"github.com/valyala/fastjson"
	"go.opentelemetry.io/collector/pdata/pcommon"
)

// Parser parses Elemta log lines. It is safe for concurrent use.
type Parser struct {
	// Room is how many attribute slots ParseInto leaves free after the
	// fields it parses, so that what the pipeline adds later (the file's
	// name and offset, enrichment) does not grow the attribute list again.
	Room int

	loc   *time.Location
	json  fastjson.ParserPool
	names names // the keys of JSON lines
}

// NewParser returns a parser that reads times without a zone in loc.
func NewParser(loc *time.Location) *Parser {
	if loc == nil {
		loc = time.UTC
	}
	return &Parser{loc: loc}
}

// textFields is room for the fields of a text line: the most a text
// format gives (7, an SMTP command line's), a continuation and the UTF-8
// repair mark.
const textFields = 9

// structuredAdded is room for the fields the parser adds to those a JSON or
// key=value line names: the seed's names beside Elemta's, the level, the
// format, whether it is an error.
const structuredAdded = 8

// maxKeyValueFields bounds the room made for a key=value line's own fields.
const maxKeyValueFields = 64

// keyValueFields is room for the fields of a key=value line: one for each
// word at most (a quoted value may hold spaces), and what the parser adds.
func keyValueFields(head string) int {
	return min(strings.Count(head, " ")+1, maxKeyValueFields) + structuredAdded
}

// Parse parses one line into a record with a new attribute map.
func (p *Parser) Parse(line string) Record {
	return p.ParseInto(line, pcommon.NewMap())
}

// ParseInto parses one line and writes its attributes into attrs, an empty
// map (the log record's own, so nothing is copied). A line may span several
// physical lines when continuation lines (starting with a space or a tab)
// were joined to it; the first physical line decides the format. It never
// fails: a line no format recognises comes back as vocabulary.FormatUnparsed with
// event_type unparsed.
func (p *Parser) ParseInto(line string, attrs pcommon.Map) Record {
	repaired := false
	if !utf8.ValidString(line) {
		line = strings.ToValidUTF8(line, string(utf8.RuneError))
		repaired = true
	}
	if strings.Contains(line, "\r\n") { // joined continuation lines written with CR LF
		line = strings.ReplaceAll(line, "\r\n", "\n")
	}
	first, rest, _ := strings.Cut(line, "\n")
	first = strings.TrimSuffix(first, "\r")
	head := strings.TrimLeft(first, " \t")

	r := Record{Line: line, Attributes: attrs}
	switch {
	case head == "":
		r.unparsed("blank line")
	case head[0] == '{':
		p.parseJSON(&r, head)
	case startsWithKey(head):
		attrs.EnsureCapacity(keyValueFields(head) + p.Room)
		p.parseKeyValue(&r, head)
	default:
		attrs.EnsureCapacity(textFields + p.Room)
		p.parseText(&r, first, rest)
		rest = "" // text formats keep continuation lines in log_message
	}
	if rest != "" && r.Format != vocabulary.FormatUnparsed {
		attrs.PutStr(vocabulary.AttrContinuation, rest)
	}
	if repaired {
		attrs.PutBool(vocabulary.AttrUTF8Repaired, true)
	}
	r.finish()
	return r
}

// unparsed marks a line no format recognised; what was put so far is dropped.
func (r *Record) unparsed(reason string) {
	r.Format = vocabulary.FormatUnparsed
	r.Level = ""
	r.Timestamp = time.Time{}
	r.Attributes.Clear()
	r.Attributes.PutStr(vocabulary.AttrEventType, vocabulary.EventUnparsed)
	r.Attributes.PutStr(vocabulary.AttrParseError, reason)
}

// finish sets the attributes every record carries.
func (r *Record) finish() {
	if r.Level != "" {
		r.Attributes.PutStr(vocabulary.AttrLevel, r.Level)
	}
	et, _ := r.Attributes.Get(vocabulary.AttrEventType)
	r.Attributes.PutBool(vocabulary.AttrIsError, r.Level == "ERROR" || r.Level == "FATAL" || et.Str() == vocabulary.EventError)
	r.Attributes.PutStr(vocabulary.AttrLogFormat, string(r.Format))
}

// parseJSON parses a slog JSON line. Keys Elemta repeats with different
// values (component, session_id after AUTH) become lists, in order.
func (p *Parser) parseJSON(r *Record, s string) {
	jp := p.json.Get()
	defer p.json.Put(jp)
	v, err := jp.Parse(s)
	if err != nil {
		r.unparsed("malformed JSON: " + err.Error())
		return
	}
	obj, err := v.Object()
	if err != nil {
		r.unparsed("JSON line is not an object")
		return
	}
	f := fields{m: r.Attributes}
	f.m.EnsureCapacity(obj.Len() + structuredAdded + p.Room)
	text := lineText{line: s}
	obj.Visit(func(k []byte, v *fastjson.Value) {
		text.locate(k)
		if v.Type() == fastjson.TypeNull { // null carries nothing to index
			return
		}
		key := p.names.of(k)
		if f.repeated(key) {
			text.set(f.appendRepeated(key), v)
			return
		}
		text.set(f.m.PutEmpty(key), v)
	})
	f.closeRepeated()
	p.structured(r, vocabulary.FormatJSON)
}

// lineText hands out the strings of one JSON line's values. The parser
// works on a copy of the line and leaves each string where the line has
// it, unescaped in place; a value the line holds as it is (no escape: most
// of them) becomes a substring of the line, which the record keeps as its
// body anyway, rather than a copy of its own.
type lineText struct {
	line string
	// copyAt is the address of the parser's copy of line; 0 until the
	// first key has told it.
	copyAt uintptr
}

// locate learns where the parser's copy starts from the line's first key:
// the first quote of a JSON object opens it.
func (t *lineText) locate(firstKey []byte) {
	if t.copyAt != 0 || len(firstKey) == 0 {
		return
	}
	if q := strings.IndexByte(t.line, '"'); q >= 0 {
		t.copyAt = addressOf(firstKey) - uintptr(q+1)
	}
}

// str returns b, a string in the parser's copy, as the same bytes of the
// line when they are there, or as a copy.
func (t *lineText) str(b []byte) string {
	if t.copyAt != 0 && len(b) > 0 {
		at := addressOf(b) - t.copyAt
		if at < uintptr(len(t.line)) && uintptr(len(b)) <= uintptr(len(t.line))-at {
			if s := t.line[at : at+uintptr(len(b))]; s == string(b) {
				return s
			}
		}
	}
	return string(b)
}

// addressOf is where b's bytes are in memory: only compared, never used
// to reach them.
func addressOf(b []byte) uintptr {
	return uintptr(unsafe.Pointer(unsafe.SliceData(b))) //nolint:gosec // an address to compare, never turned back into a pointer
}

// set stores a JSON value, typed.
func (t *lineText) set(dst pcommon.Value, v *fastjson.Value) {
	switch v.Type() {
	case fastjson.TypeString:
		b := v.GetStringBytes()
		if !utf8.Valid(b) { // an escape can decode to invalid UTF-8
			dst.SetStr(strings.ToValidUTF8(string(b), string(utf8.RuneError)))
			return
		}
		dst.SetStr(t.str(b))
	case fastjson.TypeNumber, fastjson.TypeTrue, fastjson.TypeFalse:
		jsonvalue.SetScalar(dst, v)
	case fastjson.TypeArray:
		items := v.GetArray()
		sl := dst.SetEmptySlice()
		sl.EnsureCapacity(len(items))
		for _, it := range items {
			if it.Type() != fastjson.TypeNull {
				t.set(sl.AppendEmpty(), it)
			}
		}
	case fastjson.TypeObject:
		obj := v.GetObject()
		m := dst.SetEmptyMap()
		m.EnsureCapacity(obj.Len())
		obj.Visit(func(k []byte, v *fastjson.Value) {
			if v.Type() != fastjson.TypeNull {
				t.set(m.PutEmpty(t.str(k)), v)
			}
		})
	}
}

// fields tracks the keys of one line: a key repeated with a new value
// becomes a list of its distinct values, in order.
type fields struct {
	m pcommon.Map
	// lists holds, for each repeated key, its values so far.
	lists map[string]pcommon.Slice
}

// repeated reports whether key was already put.
func (f *fields) repeated(key string) bool {
	_, ok := f.m.Get(key)
	return ok
}

// appendRepeated returns a new value slot for a repeated key.
func (f *fields) appendRepeated(key string) pcommon.Value {
	if f.lists == nil {
		f.lists = map[string]pcommon.Slice{}
	}
	list, ok := f.lists[key]
	if !ok {
		list = pcommon.NewSlice()
		old, _ := f.m.Get(key)
		old.CopyTo(list.AppendEmpty())
		f.lists[key] = list
	}
	return list.AppendEmpty()
}

// closeRepeated stores each repeated key's distinct values: one value when
// they are all equal, a list otherwise.
func (f *fields) closeRepeated() {
	for key, list := range f.lists {
		distinct := pcommon.NewSlice()
		for _, v := range list.All() {
			seen := false
			for _, d := range distinct.All() {
				if d.Equal(v) {
					seen = true
					break
				}
			}
			if !seen {
				v.CopyTo(distinct.AppendEmpty())
			}
		}
		if distinct.Len() == 1 {
			distinct.At(0).CopyTo(f.m.PutEmpty(key))
			continue
		}
		distinct.MoveAndAppendTo(f.m.PutEmptySlice(key))
	}
}

// isBinary tells lines that are data, not text: more than a tenth of their
// characters are control characters or replaced invalid bytes.
func isBinary(s string) bool {
	control, total := 0, 0
	for _, c := range s {
		total++
		if (c < 0x20 && c != '\t') || c == 0x7f || c == utf8.RuneError {
			control++
		}
	}
	return total > 0 && control*10 > total
}
