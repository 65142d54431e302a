package smtpeventprocessor // import "github.com/elemta/otelcol-elemta/processor/smtpeventprocessor"

import (
	"strings"

	"go.opentelemetry.io/collector/pdata/pcommon"
)

const redacted = "[REDACTED]"

// credentialKeys are attribute names whose value is a secret.
var credentialKeys = map[string]bool{
	"password": true, "passwd": true, "pass": true, "secret": true, "token": true,
	"api_key": true, "apikey": true, "authorization": true, "credentials": true, "auth_data": true,
}

// saslMechanisms are the mechanisms an SMTP AUTH command names.
var saslMechanisms = map[string]bool{
	"PLAIN": true, "LOGIN": true, "CRAM-MD5": true, "DIGEST-MD5": true, "XOAUTH2": true, "OAUTHBEARER": true,
	"SCRAM-SHA-1": true, "SCRAM-SHA-256": true, "NTLM": true, "GSSAPI": true, "ANONYMOUS": true, "EXTERNAL": true,
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
		if !saslMechanisms[strings.ToUpper(s[i:mech])] || mech >= len(s) || s[mech] != ' ' {
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
// in any case, or -1. It compares ASCII bytes only: lowering the whole
// string would move the positions of invalid UTF-8.
func indexAuth(s string, from int) int {
	for i := from; i+5 <= len(s); i++ {
		if s[i]|0x20 == 'a' && s[i+1]|0x20 == 'u' && s[i+2]|0x20 == 't' && s[i+3]|0x20 == 'h' && s[i+4] == ' ' {
			return i
		}
	}
	return -1
}

func isMechChar(c byte) bool {
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_'
}

func isBase64Char(c byte) bool {
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' || c == '/' || c == '='
}

// scrubCredentials removes credentials from every string attribute and
// the body, and returns how many it removed.
func scrubCredentials(attrs pcommon.Map, body pcommon.Value) int {
	n := 0
	attrs.Range(func(k string, v pcommon.Value) bool {
		n += scrubValue(k, v)
		return true
	})
	if body.Type() == pcommon.ValueTypeStr {
		if s, ok := scrubAuth(body.Str()); ok {
			body.SetStr(s)
			n++
		}
	}
	// The argument of an AUTH command, without the command name.
	if cmd, ok := attrs.Get("smtp_command"); ok && cmd.Str() == "AUTH" {
		if data, ok := attrs.Get("command_data"); ok && data.Type() == pcommon.ValueTypeStr {
			if s, ok := scrubAuth("AUTH " + data.Str()); ok {
				data.SetStr(strings.TrimPrefix(s, "AUTH "))
				n++
			}
		}
	}
	return n
}

func scrubValue(key string, v pcommon.Value) int {
	switch v.Type() {
	case pcommon.ValueTypeStr:
		if (credentialKeys[key] || credentialKeys[strings.ToLower(key)]) && v.Str() != "" {
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
