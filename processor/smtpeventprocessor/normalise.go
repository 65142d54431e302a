package smtpeventprocessor // import "github.com/elemta/otelcol-elemta/processor/smtpeventprocessor"

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"strings"

	"go.opentelemetry.io/collector/pdata/pcommon"

	"github.com/elemta/otelcol-elemta/internal/vocabulary"
)

// putNormalised adds what read learnt of the addresses and the
// duration: sender_domain, recipient_domain, recipient_count (unless
// Elemta wrote it) and duration_ms next to Elemta's nanoseconds.
func putNormalised(attrs pcommon.Map, r *record) {
	if r.senderDomain != "" {
		attrs.PutStr(vocabulary.AttrSenderDomain, r.senderDomain)
	}
	if r.recipients >= 0 && !r.hasRecipientCount {
		attrs.PutInt(vocabulary.AttrRecipientCount, int64(r.recipients))
	}
	if len(r.recipientDomains) > 0 {
		sl := attrs.PutEmptySlice(vocabulary.AttrRecipientDomain)
		sl.EnsureCapacity(len(r.recipientDomains))
		for _, d := range r.recipientDomains {
			sl.AppendEmpty().SetStr(d)
		}
	}
	if r.hasDuration {
		attrs.PutDouble(vocabulary.AttrDurationMs, float64(r.durationNs)/1e6)
	}
}

// privacy hashes or redacts sender, recipient and subject, in the
// attributes Elemta writes them in and wherever they appear in the texts.
type privacy struct {
	key         []byte
	modes       map[string]string // sender, recipient, subject -> mode
	failedLogin string            // mode of a failed authentication's user name
}

// privacyKeys are the attributes that hold each kind of personal data.
var privacyKeys = map[string][]string{
	"sender":    {vocabulary.AttrSender, vocabulary.AttrFrom},
	"recipient": {vocabulary.AttrRecipient, vocabulary.AttrTo, vocabulary.AttrToEnvelope},
	"subject":   {vocabulary.AttrSubject},
}

var privacyTexts = []string{vocabulary.AttrLogMessage, vocabulary.AttrCommandData, vocabulary.AttrCommand}

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
