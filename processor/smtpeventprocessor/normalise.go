package smtpeventprocessor // import "github.com/elemta/otelcol-elemta/processor/smtpeventprocessor"

import (
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

// privacyKeys are the attributes that hold each kind of personal data.
var privacyKeys = map[string][]string{
	"sender":    {vocabulary.AttrSender, vocabulary.AttrFrom},
	"recipient": {vocabulary.AttrRecipient, vocabulary.AttrTo, vocabulary.AttrToEnvelope},
	"subject":   {vocabulary.AttrSubject},
}

var privacyTexts = []string{vocabulary.AttrLogMessage, vocabulary.AttrCommandData, vocabulary.AttrCommand}
