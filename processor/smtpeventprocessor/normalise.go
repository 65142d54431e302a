package smtpeventprocessor // import "github.com/elemta/otelcol-elemta/processor/smtpeventprocessor"

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"strconv"
	"strings"

	"go.opentelemetry.io/collector/pdata/pcommon"
)

// numericKeys are sizes and counts Elemta may write as text.
var numericKeys = []string{"size", "recipient_count", "retry_count", "delivered", "failed_recipients", "total_recipients"}

// normalise lower-cases addresses and adds their domains and count, turns
// sizes and counts into numbers and Elemta's nanosecond durations into
// milliseconds.
func normalise(attrs pcommon.Map) {
	if v, ok := attrs.Get("sender"); ok && v.Type() == pcommon.ValueTypeStr && v.Str() != "" {
		addr := strings.ToLower(v.Str())
		v.SetStr(addr)
		if d := domainOf(addr); d != "" {
			attrs.PutStr("sender_domain", d)
		}
	}
	if v, ok := attrs.Get("recipient"); ok && v.Type() == pcommon.ValueTypeSlice {
		var domains []string
		for _, r := range v.Slice().All() {
			if r.Type() != pcommon.ValueTypeStr {
				continue
			}
			addr := strings.ToLower(r.Str())
			r.SetStr(addr)
			if d := domainOf(addr); d != "" && !contains(domains, d) {
				domains = append(domains, d)
			}
		}
		if _, ok := attrs.Get("recipient_count"); !ok {
			attrs.PutInt("recipient_count", int64(v.Slice().Len()))
		}
		if len(domains) > 0 {
			sl := attrs.PutEmptySlice("recipient_domain")
			for _, d := range domains {
				sl.AppendEmpty().SetStr(d)
			}
		}
	}
	for _, key := range numericKeys {
		if v, ok := attrs.Get(key); ok && v.Type() == pcommon.ValueTypeStr {
			if n, err := strconv.ParseInt(strings.TrimSpace(v.Str()), 10, 64); err == nil {
				v.SetInt(n)
			}
		}
	}
	if v, ok := attrs.Get("duration"); ok && v.Type() == pcommon.ValueTypeInt {
		attrs.PutDouble("duration_ms", float64(v.Int())/1e6)
	}
}

func domainOf(addr string) string {
	if i := strings.LastIndexByte(addr, '@'); i >= 0 && i+1 < len(addr) {
		return addr[i+1:]
	}
	return ""
}

func contains(list []string, s string) bool {
	for _, l := range list {
		if l == s {
			return true
		}
	}
	return false
}

// privacy hashes or redacts sender, recipient and subject, in the
// attributes Elemta writes them in and wherever they appear in the texts.
type privacy struct {
	key   []byte
	modes map[string]string // sender, recipient, subject -> mode
}

// privacyKeys are the attributes that hold each kind of personal data.
var privacyKeys = map[string][]string{
	"sender":    {"sender", "from"},
	"recipient": {"recipient", "to", "to_envelope"},
	"subject":   {"subject"},
}

var privacyTexts = []string{"log_message", "command_data", "command"}

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
