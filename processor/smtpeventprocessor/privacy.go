package smtpeventprocessor // import "github.com/elemta/otelcol-elemta/processor/smtpeventprocessor"

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"strings"

	"go.opentelemetry.io/collector/pdata/pcommon"
)

// protectFailedLogin replaces the user name of a failed authentication,
// wherever the record holds it: in every attribute and in the line. A
// failed login's user name is where passwords typed into the wrong place
// end up (a client that sends its password as the AUTH LOGIN initial
// response, a user who types it into the user field). Successful logins
// keep their user name. It reports whether anything was replaced.
func (p privacy) protectFailedLogin(attrs pcommon.Map, body pcommon.Value, username string) bool {
	if p.failedLogin == PrivacyKeep || username == "" || username == redacted {
		return false
	}
	replacement := p.replace(p.failedLogin, username)
	pairs := []string{username, replacement}
	// In a JSON line the name is written escaped.
	if quoted, err := json.Marshal(username); err == nil {
		if escaped := string(quoted[1 : len(quoted)-1]); escaped != username {
			pairs = append(pairs, escaped, replacement)
		}
	}
	r := strings.NewReplacer(pairs...)
	attrs.Range(func(_ string, v pcommon.Value) bool {
		replaceStrings(v, r)
		return true
	})
	if body.Type() == pcommon.ValueTypeStr {
		body.SetStr(r.Replace(body.Str()))
	}
	return true
}

// replaceStrings applies r to a string value, or to every string of a list
// or a map.
func replaceStrings(v pcommon.Value, r *strings.Replacer) {
	switch v.Type() {
	case pcommon.ValueTypeStr:
		if s := r.Replace(v.Str()); s != v.Str() {
			v.SetStr(s)
		}
	case pcommon.ValueTypeSlice:
		for _, it := range v.Slice().All() {
			replaceStrings(it, r)
		}
	case pcommon.ValueTypeMap:
		v.Map().Range(func(_ string, it pcommon.Value) bool {
			replaceStrings(it, r)
			return true
		})
	}
}

// saslResponse returns the command line without its line end when it is a
// bare SASL response: the base64 user name or password a client sends
// after AUTH LOGIN's 334 prompts, which Elemta logs as a command of its own.
func saslResponse(command string) (string, bool) {
	command = strings.TrimSuffix(command, `\x0D\x0A`)
	command = strings.TrimRight(command, "\r\n")
	if len(command) < 4 {
		return "", false
	}
	letters := true
	for i := 0; i < len(command); i++ {
		c := command[i]
		if !isBase64Char(c) {
			return "", false
		}
		if (c < 'A' || c > 'Z') && (c < 'a' || c > 'z') {
			letters = false
		}
	}
	// A word of letters only is a command (QUIT, STARTTLS, ...), unless it
	// is longer than any SMTP verb.
	if letters && len(command) <= len("STARTTLS") {
		return "", false
	}
	return command, true
}

// privacy hashes or redacts sender, recipient and subject, in the
// attributes Elemta writes them in and wherever they appear in the texts.
type privacy struct {
	key         []byte
	modes       map[string]string // sender, recipient, subject -> mode
	failedLogin string            // mode of a failed authentication's user name
}

func (p privacy) apply(attrs pcommon.Map, body pcommon.Value) {
	var replacements []string // old, new pairs
	for kind, mode := range p.modes {
		if mode == PrivacyKeep {
			continue
		}
		for _, key := range privacyKeys[kind] {
			v, ok := attrs.Get(key)
			if !ok {
				continue
			}
			forEachString(v, func(it pcommon.Value) {
				replaced := p.replace(mode, it.Str())
				replacements = append(replacements, it.Str(), replaced)
				it.SetStr(replaced)
			})
		}
	}
	if len(replacements) == 0 {
		return
	}
	r := strings.NewReplacer(replacements...)
	for _, key := range privacyTexts {
		if v, ok := attrs.Get(key); ok && v.Type() == pcommon.ValueTypeStr {
			v.SetStr(r.Replace(v.Str()))
		}
	}
	if body.Type() == pcommon.ValueTypeStr {
		body.SetStr(r.Replace(body.Str()))
	}
}

// forEachString calls fn on a non-empty string value or on each of a list's.
func forEachString(v pcommon.Value, fn func(pcommon.Value)) {
	switch v.Type() {
	case pcommon.ValueTypeStr:
		if v.Str() != "" && v.Str() != redacted {
			fn(v)
		}
	case pcommon.ValueTypeSlice:
		for _, it := range v.Slice().All() {
			forEachString(it, fn)
		}
	}
}

func (p privacy) replace(mode, value string) string {
	if mode == PrivacyRedact {
		return redacted
	}
	mac := hmac.New(sha256.New, p.key)
	mac.Write([]byte(value))
	return "hmac:" + hex.EncodeToString(mac.Sum(nil))[:32]
}
