package smtpeventprocessor // import "github.com/elemta/otelcol-elemta/processor/smtpeventprocessor"

import (
	"strings"

	"go.opentelemetry.io/collector/pdata/pcommon"

	"github.com/elemta/otelcol-elemta/internal/vocabulary"
)

const redacted = "[REDACTED]"

// credentialKeysByLength are attribute names whose value is a secret,
// by their length.
var credentialKeysByLength = func() [16][]string {
	var byLength [16][]string
	for _, k := range []string{
		"password", "passwd", "pass", "secret", "token",
		"api_key", "apikey", "authorization", "credentials", "auth_data",
	} {
		byLength[len(k)] = append(byLength[len(k)], k)
	}
	return byLength
}()

// isCredentialKey tells whether an attribute's value is a secret by its
// name, in any case.
func isCredentialKey(key string) bool {
	if len(key) >= len(credentialKeysByLength) {
		return false
	}
	for _, k := range credentialKeysByLength[len(key)] {
		if strings.EqualFold(key, k) {
			return true
		}
	}
	return false
}

// scrubAuth replaces the initial response of an SMTP AUTH command (the
// base64 user name and password of AUTH PLAIN, say) with [REDACTED]. It
// reports whether anything was replaced.
func scrubAuth(s string) (string, bool) {
	if indexAuth(s, 0) < 0 {
		return s, false
	}
	var b strings.Builder
	written, search := 0, 0 // s[:written] is in b; look for "auth " from search
	for {
		i := indexAuth(s, search)
		if i < 0 {
			break
		}
		i += len("auth ")
		search = i
		// a SASL mechanism, then one space, then the initial response
		mech := i
		for mech < len(s) && isMechChar(s[mech]) {
			mech++
		}
		if _, known := vocabulary.SASLMechanisms.Word(strings.ToUpper(s[i:mech])); !known || mech >= len(s) || s[mech] != ' ' {
			continue
		}
		start := mech + 1
		end := start
		for end < len(s) && isBase64Char(s[end]) {
			end++
		}
		if end == start || (end-start == 1 && s[start] == '=') {
			continue
		}
		b.Grow(len(s))
		b.WriteString(s[written:start])
		b.WriteString(redacted)
		written, search = end, end
	}
	if written == 0 {
		return s, false
	}
	b.WriteString(s[written:])
	return b.String(), true
}

// indexAuth returns the position of the first "auth " at or after from,
// in any case, or -1. It looks for the space first (a fast byte search:
// most values have no space at all), then compares ASCII bytes before it:
// lowering the whole string would move the positions of invalid UTF-8.
func indexAuth(s string, from int) int {
	for i := from + 4; i < len(s); {
		sp := strings.IndexByte(s[i:], ' ')
		if sp < 0 {
			return -1
		}
		i += sp
		if s[i-4]|0x20 == 'a' && s[i-3]|0x20 == 'u' && s[i-2]|0x20 == 't' && s[i-1]|0x20 == 'h' {
			return i - 4
		}
		i++
	}
	return -1
}

func isMechChar(c byte) bool {
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_'
}

func isBase64Char(c byte) bool {
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' || c == '/' || c == '='
}

// scrubLine removes an AUTH payload from the line itself (the body) and
// from the argument of an AUTH command, which is logged without the
// command's name, and a bare SASL response (AUTH LOGIN's user name and
// password lines) from the command and the line; record.read scrubbed the
// attributes. It returns how many
// credentials it removed.
func scrubLine(attrs pcommon.Map, body pcommon.Value, r *record) int {
	n := 0
	if body.Type() == pcommon.ValueTypeStr {
		if s, ok := scrubAuth(body.Str()); ok {
			body.SetStr(s)
			n++
		}
	}
	if v, ok := attrs.Get(vocabulary.AttrCommand); ok && r.command == "" && v.Type() == pcommon.ValueTypeStr {
		if bare, ok := saslResponse(v.Str()); ok {
			v.SetStr(redacted)
			if body.Type() == pcommon.ValueTypeStr {
				body.SetStr(strings.ReplaceAll(body.Str(), bare, redacted))
			}
			n++
		}
	}
	if r.command == "AUTH" && r.commandData != "" {
		if s, ok := scrubAuth("AUTH " + r.commandData); ok {
			r.commandData = strings.TrimPrefix(s, "AUTH ")
			attrs.PutStr(vocabulary.AttrCommandData, r.commandData)
			n++
		}
	}
	return n
}

// scrubValue removes credentials from a value: all of it under a
// credential's key, AUTH payloads from any string.
func scrubValue(key string, v pcommon.Value) int {
	switch v.Type() {
	case pcommon.ValueTypeStr:
		if v.Str() != "" && isCredentialKey(key) {
			v.SetStr(redacted)
			return 1
		}
		if s, ok := scrubAuth(v.Str()); ok {
			v.SetStr(s)
			return 1
		}
	case pcommon.ValueTypeSlice:
		n := 0
		for _, it := range v.Slice().All() {
			n += scrubValue(key, it)
		}
		return n
	case pcommon.ValueTypeMap:
		n := 0
		v.Map().Range(func(k string, it pcommon.Value) bool {
			n += scrubValue(k, it)
			return true
		})
		return n
	}
	return 0
}
