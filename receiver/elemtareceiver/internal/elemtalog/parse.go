package elemtalog // import "github.com/elemta/otelcol-elemta/receiver/elemtareceiver/internal/elemtalog"

import (
	"strings"
	"time"
	"unicode/utf8"

	"github.com/valyala/fastjson"
)

// Parser parses Elemta log lines. It is safe for concurrent use.
type Parser struct {
	loc  *time.Location
	json fastjson.ParserPool
}

// NewParser returns a parser that reads times without a zone in loc.
func NewParser(loc *time.Location) *Parser {
	if loc == nil {
		loc = time.UTC
	}
	return &Parser{loc: loc}
}

// Parse parses one line. A line may span several physical lines when
// continuation lines (starting with a space or a tab) were joined to it; the
// first physical line decides the format. Parse never fails: a line no
// format recognises comes back as FormatUnparsed with event_type unparsed.
func (p *Parser) Parse(line string) Record {
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

	var r Record
	switch {
	case head == "":
		r = unparsed("blank line")
	case head[0] == '{':
		r = p.parseJSON(head)
	case startsWithKey(head):
		r = p.parseKeyValue(head)
	default:
		r = p.parseText(first, rest)
		rest = "" // text formats keep continuation lines in log_message
	}
	if rest != "" && r.Format != FormatUnparsed {
		r.Attributes[AttrContinuation] = rest
	}
	if repaired {
		r.Attributes[AttrUTF8Repaired] = true
	}
	r.Line = line
	r.finish()
	return r
}

func unparsed(reason string) Record {
	return Record{Format: FormatUnparsed, Attributes: map[string]any{
		AttrEventType:  EventUnparsed,
		AttrParseError: reason,
	}}
}

// finish sets the attributes every record carries.
func (r *Record) finish() {
	if r.Level != "" {
		r.Attributes[AttrLevel] = r.Level
	}
	r.Attributes[AttrIsError] = r.Level == "ERROR" || r.Level == "FATAL" || r.Attributes[AttrEventType] == EventError
	r.Attributes[AttrLogFormat] = string(r.Format)
}

// parseJSON parses a slog JSON line. Keys Elemta repeats with different
// values (component, session_id after AUTH) become lists, in order.
func (p *Parser) parseJSON(s string) Record {
	jp := p.json.Get()
	defer p.json.Put(jp)
	v, err := jp.Parse(s)
	if err != nil {
		return unparsed("malformed JSON: " + err.Error())
	}
	obj, err := v.Object()
	if err != nil {
		return unparsed("JSON line is not an object")
	}
	f := newFields(obj.Len())
	obj.Visit(func(k []byte, v *fastjson.Value) {
		if val, ok := jsonValue(v); ok {
			f.add(string(k), val)
		}
	})
	return p.structured(FormatJSON, f.m)
}

func jsonValue(v *fastjson.Value) (any, bool) {
	switch v.Type() {
	case fastjson.TypeString:
		b := v.GetStringBytes()
		if !utf8.Valid(b) { // an escaped lone surrogate decodes to invalid UTF-8
			return strings.ToValidUTF8(string(b), string(utf8.RuneError)), true
		}
		return string(b), true
	case fastjson.TypeNumber:
		var buf [32]byte
		raw := v.MarshalTo(buf[:0])
		if isIntegerText(raw) {
			if n, err := v.Int64(); err == nil {
				return n, true
			}
		}
		return v.GetFloat64(), true
	case fastjson.TypeTrue:
		return true, true
	case fastjson.TypeFalse:
		return false, true
	case fastjson.TypeArray:
		items := v.GetArray()
		out := make([]any, 0, len(items))
		for _, it := range items {
			if val, ok := jsonValue(it); ok {
				out = append(out, val)
			}
		}
		return out, true
	case fastjson.TypeObject:
		obj := v.GetObject()
		out := make(map[string]any, obj.Len())
		obj.Visit(func(k []byte, v *fastjson.Value) {
			if val, ok := jsonValue(v); ok {
				out[string(k)] = val
			}
		})
		return out, true
	default: // null carries nothing to index
		return nil, false
	}
}

func isIntegerText(b []byte) bool {
	for _, c := range b {
		if c == '.' || c == 'e' || c == 'E' {
			return false
		}
	}
	return true
}

// fields collects key/value pairs; a repeated key with a new value becomes a list.
type fields struct {
	m     map[string]any
	multi map[string]bool
}

func newFields(n int) *fields {
	return &fields{m: make(map[string]any, n+8)}
}

func (f *fields) add(k string, v any) {
	old, exists := f.m[k]
	if !exists {
		f.m[k] = v
		return
	}
	if f.multi[k] {
		list := old.([]any)
		for _, o := range list {
			if sameScalar(o, v) {
				return
			}
		}
		f.m[k] = append(list, v)
		return
	}
	if sameScalar(old, v) {
		return
	}
	if f.multi == nil {
		f.multi = map[string]bool{}
	}
	f.multi[k] = true
	f.m[k] = []any{old, v}
}

func sameScalar(a, b any) bool {
	switch a := a.(type) {
	case string, int64, float64, bool:
		return a == b
	}
	return false
}

// isBinary tells lines that are data, not text: invalid UTF-8 aside, more
// than a tenth of their characters are control characters.
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
