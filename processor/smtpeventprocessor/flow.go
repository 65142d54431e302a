package smtpeventprocessor // import "github.com/elemta/otelcol-elemta/processor/smtpeventprocessor"

import (
	"strings"

	"go.opentelemetry.io/collector/pdata/pcommon"

	"github.com/elemta/otelcol-elemta/internal/vocabulary"
)

// step is where a record stands in the mail flow.
type step struct {
	flow    string
	outcome string
}

// flowByEventType is the step of each event type; event types not listed
// are decided by flowOf from the message and the status.
var flowByEventType = map[string]step{
	vocabulary.EventReception: {vocabulary.FlowReception, vocabulary.OutcomeSuccess},
	vocabulary.EventDelivery:  {vocabulary.FlowDelivery, vocabulary.OutcomeSuccess},
	vocabulary.EventBounce:    {vocabulary.FlowBounce, vocabulary.OutcomeFailure},
	vocabulary.EventTempfail:  {vocabulary.FlowTempfail, vocabulary.OutcomeFailure},
	vocabulary.EventDeferral:  {vocabulary.FlowTempfail, vocabulary.OutcomeFailure},
	vocabulary.EventRejection: {vocabulary.FlowRejection, vocabulary.OutcomeFailure},
	vocabulary.EventSystem:    {vocabulary.FlowSystem, vocabulary.OutcomeUnknown},
}

// rejectionWords mark a message text that reports a refusal.
var rejectionWords = []string{"rejected", "denied", "Blocked pattern"}

// flowOf decides the mail flow step of a record from its event type,
// Elemta's own type, its message, level and status fields.
func flowOf(r *record) step {
	eventType := r.eventType
	if s, ok := flowByEventType[eventType]; ok {
		return s
	}
	msg := r.message
	failed := r.level == "ERROR" || r.level == "FATAL"

	switch eventType {
	case vocabulary.EventMessageDelivery:
		if failed {
			return step{vocabulary.FlowDelivery, vocabulary.OutcomeFailure}
		}
		return step{vocabulary.FlowDelivery, vocabulary.OutcomeSuccess}
	case vocabulary.EventError:
		return step{vocabulary.FlowNone, vocabulary.OutcomeFailure}
	case vocabulary.EventAuthentication:
		return step{vocabulary.FlowNone, statusOutcome(r)}
	}
	if containsAny(msg, rejectionWords) {
		return step{vocabulary.FlowRejection, vocabulary.OutcomeFailure}
	}
	if eventType == vocabulary.EventSMTPCommand {
		return step{vocabulary.FlowNone, statusOutcome(r)}
	}
	if failed {
		return step{vocabulary.FlowNone, vocabulary.OutcomeFailure}
	}
	return step{vocabulary.FlowNone, vocabulary.OutcomeUnknown}
}

// statusOutcome reads success from Elemta's `success` flag or `status`,
// then from the message.
func statusOutcome(r *record) string {
	if r.hasSuccess {
		if r.success {
			return vocabulary.OutcomeSuccess
		}
		return vocabulary.OutcomeFailure
	}
	switch r.status {
	case "success", "delivered":
		return vocabulary.OutcomeSuccess
	case "failure", "failed", "bounced":
		return vocabulary.OutcomeFailure
	}
	if strings.HasSuffix(r.elemtaEventType, "_accepted") {
		return vocabulary.OutcomeSuccess // mail_from_accepted, rcpt_to_accepted, data_accepted
	}
	lower := strings.ToLower(r.message)
	switch {
	case strings.Contains(lower, "success"): // before "fail": "successful, failure count reset"
		return vocabulary.OutcomeSuccess
	case strings.Contains(lower, "fail"), strings.Contains(lower, "invalid"):
		return vocabulary.OutcomeFailure
	}
	return vocabulary.OutcomeUnknown
}

// addReasons copies the reason a failure carries into rejection_reason,
// bounce_reason or error_reason.
func addReasons(attrs pcommon.Map, r *record, s step) {
	var reason string
	key := vocabulary.AttrErrorReason
	switch s.flow {
	case vocabulary.FlowBounce:
		key, reason = vocabulary.AttrBounceReason, firstOf(r.bounceReason, r.failureReason, r.errorText)
	case vocabulary.FlowRejection:
		key, reason = vocabulary.AttrRejectionReason, firstOf(r.errorText, r.response, r.failureReason, r.message)
	case vocabulary.FlowTempfail:
		reason = firstOf(r.failureReason, r.errorText, r.response)
	default:
		if s.outcome == vocabulary.OutcomeFailure {
			reason = firstOf(r.errorText, r.failureReason, r.response, r.message)
		}
	}
	if reason != "" {
		attrs.PutStr(key, reason)
	}
}

// firstOf returns the first non-empty string.
func firstOf(candidates ...string) string {
	for _, c := range candidates {
		if c != "" {
			return c
		}
	}
	return ""
}
