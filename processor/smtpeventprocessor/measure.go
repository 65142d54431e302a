package smtpeventprocessor // import "github.com/elemta/otelcol-elemta/processor/smtpeventprocessor"

import (
	"strings"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"

	"github.com/elemta/otelcol-elemta/internal/vocabulary"
)

// Elemta writes several lines for one SMTP event (a connection is logged
// as "Connection accepted" and "New connection", a refusal twice, a
// message as "message_reception", "message_accepted" and
// "message_received"). measure marks the one line of each event that the
// SMTP metrics count, with an attribute whose few values serve as a label
// (vocabulary.AttrConnectionResult, ...). The lines are those of Elemta's
// source: the server's accept loop, the session's command handler and
// error reply, the message lifecycle logger and the TLS monitor.
const (
	msgNewConnection     = "New connection"
	msgConnectionRefused = "Connection rejected due to" // + "resource limits", "memory limit", "IP limit"
	msgCommandProcessed  = "SMTP command processed"
	msgErrorReplySent    = "SMTP error response sent"
	msgAuthentication    = "authentication"
	msgTLSEstablished    = "TLS connection established successfully"
	msgTLSFailed         = "TLS handshake failure"
)

// messageStatusByMessage is the status of each message lifecycle line.
var messageStatusByMessage = map[string]string{
	"message_reception": vocabulary.MessageReceived,
	"message_delivery":  vocabulary.MessageDelivered,
	"message_bounce":    vocabulary.MessageBounced,
	"message_deferral":  vocabulary.MessageDeferred,
	"message_tempfail":  vocabulary.MessageDeferred,
	"message_rejection": vocabulary.MessageRejected,
}

// trackedMessages bounds the reception times kept for messages whose
// delivery line carries no delay of its own: the oldest are forgotten.
const trackedMessages = 50_000

// measure adds the metric attribute of the event a line is the one line
// of, if any, and the error component of an error line.
func (p *smtpEventProcessor) measure(attrs pcommon.Map, lr plog.LogRecord, r *record, s step, b *batchCounts) {
	switch {
	case r.message == msgNewConnection,
		r.format == vocabulary.FormatSMTP && r.eventType == vocabulary.EventSMTPConnection && r.hasClientIP:
		p.putConnection(attrs, r, vocabulary.ConnectionAccepted)
	case strings.HasPrefix(r.message, msgConnectionRefused):
		p.putConnection(attrs, r, vocabulary.ConnectionRejected)
	case r.message == msgCommandProcessed,
		r.format == vocabulary.FormatSMTP && r.eventType == vocabulary.EventSMTPCommand:
		attrs.PutStr(vocabulary.AttrSMTPVerb, smtpVerb(r.command))
	case r.message == msgErrorReplySent && (r.eventType == vocabulary.EventRejection || r.eventType == vocabulary.EventTempfail),
		s.flow == vocabulary.FlowRejection && oldText(r.format):
		attrs.PutStr(vocabulary.AttrRejectionClass, rejectionClass(firstOf(r.response, r.errorText, r.message)))
	case r.eventType == vocabulary.EventAuthentication && r.message == msgAuthentication:
		attrs.PutStr(vocabulary.AttrAuthMechanism, bounded(strings.ToUpper(strings.TrimSpace(r.authMethod)), vocabulary.SASLMechanisms.Word))
	case r.message == msgTLSEstablished:
		p.putTLS(attrs, r, vocabulary.OutcomeSuccess)
	case r.message == msgTLSFailed:
		p.putTLS(attrs, r, vocabulary.OutcomeFailure)
	default:
		if status, ok := messageStatusByMessage[r.message]; ok {
			attrs.PutStr(vocabulary.AttrMessageStatus, status)
			p.messageTimes(attrs, lr, r, status, b)
		}
	}
	if r.level == "ERROR" || r.level == "FATAL" {
		// A copy: the label value outlives the line it was read from.
		attrs.PutStr(vocabulary.AttrErrorComponent, strings.Clone(firstOf(r.component, vocabulary.ValueUnknown)))
	}
}

// oldText tells the text formats older Elemta versions wrote, whose
// refusals have no reply line of their own.
func oldText(f vocabulary.Format) bool {
	return f == vocabulary.FormatSMTP || f == vocabulary.FormatLeveled || f == vocabulary.FormatGoStd
}

func (p *smtpEventProcessor) putConnection(attrs pcommon.Map, r *record, result string) {
	attrs.PutStr(vocabulary.AttrConnectionResult, result)
	if p.geo != nil {
		attrs.PutStr(vocabulary.AttrClientCountry, firstOf(r.clientCountry, vocabulary.ValueUnknown))
	}
}

func (p *smtpEventProcessor) putTLS(attrs pcommon.Map, r *record, result string) {
	attrs.PutStr(vocabulary.AttrTLSResult, result)
	if v := tlsVersion(r.tlsVersion); v != "" {
		attrs.PutStr(vocabulary.AttrTLSProtocolVersion, v)
	}
}

const (
	delayAbsent delayState = iota
	delayValid
	delayMalformed
)

// smtpVerb is the verb of a command ("MAIL FROM" is MAIL).
func smtpVerb(command string) string {
	verb, _, _ := strings.Cut(strings.TrimSpace(command), " ")
	verb, _, _ = strings.Cut(verb, ":")
	return bounded(strings.ToUpper(verb), vocabulary.SMTPVerb)
}

// bounded returns the known word v (the set's own string: a label value
// outlives the line), "unknown" when v is empty and "other" otherwise.
func bounded(v string, known func(string) (string, bool)) string {
	if v == "" {
		return vocabulary.ValueUnknown
	}
	if own, ok := known(v); ok {
		return own
	}
	return vocabulary.ValueOther
}

// rejectionClass sorts a refusal by its reply: the enhanced status code
// (RFC 3463) where there is one, then its words.
func rejectionClass(reply string) string {
	lower := strings.ToLower(reply)
	code, enhanced := replyCodes(lower)
	switch {
	case code == "530" || strings.Contains(lower, "authentication required") || strings.Contains(lower, "must authenticate"):
		return vocabulary.RejectionAuthRequired
	case strings.Contains(lower, "relay"):
		return vocabulary.RejectionRelayDenied
	case strings.HasPrefix(enhanced, "5.7.") || strings.HasPrefix(enhanced, "4.7.") || containsAny(lower, policyWords):
		return vocabulary.RejectionPolicy
	case strings.HasPrefix(enhanced, "5.5.") || code >= "500" && code <= "504":
		return vocabulary.RejectionSyntax
	}
	return vocabulary.RejectionOther
}

// policyWords mark a refusal for what the sender or its content is.
var policyWords = []string{"blocked", "policy", "spam", "virus", "security", "blacklist", "blocklist", "rate limit", "reputation", "denied"}

// replyCodes reads "554 5.7.1 ..." into its basic and enhanced codes.
func replyCodes(reply string) (code, enhanced string) {
	fields := strings.Fields(reply)
	if len(fields) > 0 && len(fields[0]) == 3 && fields[0] >= "200" && fields[0] <= "599" {
		code = fields[0]
		fields = fields[1:]
	}
	if len(fields) > 0 && strings.Count(fields[0], ".") == 2 && (fields[0][0] == '4' || fields[0][0] == '5') {
		enhanced = fields[0]
	}
	return code, enhanced
}

func containsAny(s string, words []string) bool {
	for _, w := range words {
		if strings.Contains(s, w) {
			return true
		}
	}
	return false
}

// tlsVersion turns "TLS 1.3", "TLSv1.3", "VersionTLS13" or "1.3" into the
// semantic conventions' "1.3"; "" when it is none of them.
func tlsVersion(v string) string {
	s := strings.ToUpper(strings.TrimSpace(v))
	s = strings.TrimPrefix(s, "VERSION")
	s = strings.TrimPrefix(s, "TLS")
	s = strings.TrimPrefix(strings.TrimSpace(s), "V")
	switch s {
	case "1.0", "10":
		return "1.0"
	case "1.1", "11":
		return "1.1"
	case "1.2", "12":
		return "1.2"
	case "1.3", "13":
		return "1.3"
	}
	return ""
}
