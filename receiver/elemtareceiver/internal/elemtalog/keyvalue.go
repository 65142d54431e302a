package elemtalog // import "github.com/elemta/otelcol-elemta/receiver/elemtareceiver/internal/elemtalog"

import (
	"strconv"
	"strings"
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
func (p *Parser) parseKeyValue(s string) Record {
	f := newFields(8)
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
		if i >= len(s) || s[i] == ' ' {
			f.add(key, true)
			continue
		}
		i++ // '='
		var val any
		val, i = keyValueValue(s, i)
		f.add(key, val)
	}
	return p.structured(FormatKeyValue, f.m)
}

// keyValueValue reads the value that starts at s[i] and returns it with the
// position after it.
func keyValueValue(s string, i int) (any, int) {
	if i >= len(s) {
		return "", i
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
			return s[i+1:], len(s)
		}
		quoted := s[i : end+1]
		if unq, err := strconv.Unquote(quoted); err == nil {
			return unq, end + 1
		}
		return quoted[1 : len(quoted)-1], end + 1
	case '[':
		end := strings.IndexByte(s[i:], ']')
		if end < 0 {
			return s[i:], len(s)
		}
		items := strings.Fields(s[i+1 : i+end])
		list := make([]any, len(items))
		for k, it := range items {
			list[k] = it
		}
		return list, i + end + 1
	default:
		end := strings.IndexByte(s[i:], ' ')
		if end < 0 {
			end = len(s) - i
		}
		return typedScalar(s[i : i+end]), i + end
	}
}

// typedScalar keeps numbers as numbers and booleans as booleans.
func typedScalar(v string) any {
	switch v {
	case "true":
		return true
	case "false":
		return false
	}
	if v == "" || (v[0] != '-' && !isDigit(v[0])) {
		return v
	}
	if n, err := strconv.ParseInt(v, 10, 64); err == nil {
		return n
	}
	if x, err := strconv.ParseFloat(v, 64); err == nil && !strings.ContainsAny(v, "xXnN_") {
		return x
	}
	return v
}
