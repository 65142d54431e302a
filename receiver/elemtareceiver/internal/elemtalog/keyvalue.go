package elemtalog // import "github.com/elemta/otelcol-elemta/receiver/elemtareceiver/internal/elemtalog"

import (
	"strconv"
	"strings"

	"github.com/elemta/otelcol-elemta/internal/vocabulary"

	"go.opentelemetry.io/collector/pdata/pcommon"
)

// startsWithKey tells whether a line opens with `key=`, the mark of key=value text.
func startsWithKey(s string) bool {
	if s == "" || !isKeyStart(s[0]) {
		return false
	}
	for i := 1; i < len(s); i++ {
		switch c := s[i]; {
		case c == '=':
			return true
		case !isKeyChar(c):
			return false
		}
	}
	return false
}

func isKeyStart(c byte) bool {
	return c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
}

func isKeyChar(c byte) bool {
	return isKeyStart(c) || (c >= '0' && c <= '9') || c == '.' || c == '-'
}

// parseKeyValue parses logfmt text: key=value, key="quoted value",
// key=[a b c] (Go's format of a slice) and bare keys, which are true.
func (p *Parser) parseKeyValue(r *Record, s string) {
	f := fields{m: r.Attributes}
	i := 0
	for i < len(s) {
		for i < len(s) && s[i] == ' ' {
			i++
		}
		start := i
		for i < len(s) && s[i] != '=' && s[i] != ' ' {
			i++
		}
		key := s[start:i]
		if key == "" {
			i++
			continue
		}
		dst := f.slot(key)
		if i >= len(s) || s[i] == ' ' {
			dst.SetBool(true)
			continue
		}
		i = setKeyValue(dst, s, i+1)
	}
	f.closeRepeated()
	p.structured(r, vocabulary.FormatKeyValue)
}

// slot returns where the value of key goes.
func (f *fields) slot(key string) pcommon.Value {
	if f.repeated(key) {
		return f.appendRepeated(key)
	}
	return f.m.PutEmpty(key)
}

// setKeyValue reads the value that starts at s[i] into dst and returns the
// position after it.
func setKeyValue(dst pcommon.Value, s string, i int) int {
	if i >= len(s) {
		dst.SetStr("")
		return i
	}
	switch s[i] {
	case '"':
		end := i + 1
		for end < len(s) && s[end] != '"' {
			if s[end] == '\\' {
				end++
			}
			end++
		}
		if end >= len(s) { // unterminated: keep the rest as it is
			dst.SetStr(s[i+1:])
			return len(s)
		}
		quoted := s[i : end+1]
		if unq, err := strconv.Unquote(quoted); err == nil {
			dst.SetStr(unq)
		} else {
			dst.SetStr(quoted[1 : len(quoted)-1])
		}
		return end + 1
	case '[':
		end := strings.IndexByte(s[i:], ']')
		if end < 0 {
			dst.SetStr(s[i:])
			return len(s)
		}
		items := strings.Fields(s[i+1 : i+end])
		list := dst.SetEmptySlice()
		list.EnsureCapacity(len(items))
		for _, it := range items {
			list.AppendEmpty().SetStr(it)
		}
		return i + end + 1
	default:
		end := strings.IndexByte(s[i:], ' ')
		if end < 0 {
			end = len(s) - i
		}
		setScalar(dst, s[i:i+end])
		return i + end
	}
}

// setScalar keeps numbers as numbers and booleans as booleans.
func setScalar(dst pcommon.Value, v string) {
	switch v {
	case "true":
		dst.SetBool(true)
		return
	case "false":
		dst.SetBool(false)
		return
	}
	if v == "" || (v[0] != '-' && !isDigit(v[0])) {
		dst.SetStr(v)
		return
	}
	if n, err := strconv.ParseInt(v, 10, 64); err == nil {
		dst.SetInt(n)
		return
	}
	if x, err := strconv.ParseFloat(v, 64); err == nil && !strings.ContainsAny(v, "xXnN_") {
		dst.SetDouble(x)
		return
	}
	dst.SetStr(v)
}
