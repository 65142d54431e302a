package smtpeventprocessor // import "github.com/elemta/otelcol-elemta/processor/smtpeventprocessor"

import (
	"strings"

	"go.opentelemetry.io/collector/pdata/pcommon"
)

// Steps of the mail flow (mta_flow).
const (
	flowReception = "reception"
	flowDelivery  = "delivery"
	flowRejection = "rejection"
	flowTempfail  = "tempfail"
	flowBounce    = "bounce"
	flowSystem    = "system"
	flowNone      = "none"
)

// Outcomes (event.outcome), as ECS names them.
const (
	outcomeSuccess = "success"
	outcomeFailure = "failure"
	outcomeUnknown = "unknown"
)

// step is where a record stands in the mail flow.
type step struct {
	flow    string
	outcome string
}

// flowByEventType is the step of each event type; event types not listed
// are decided by flowOf from the message and the status.
var flowByEventType = map[string]step{
	"reception": {flowReception, outcomeSuccess},
	"delivery":  {flowDelivery, outcomeSuccess},
	"bounce":    {flowBounce, outcomeFailure},
	"tempfail":  {flowTempfail, outcomeFailure},
	"deferral":  {flowTempfail, outcomeFailure},
	"rejection": {flowRejection, outcomeFailure},
	"system":    {flowSystem, outcomeUnknown},
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
	case "message_delivery":
		if failed {
			return step{flowDelivery, outcomeFailure}
		}
		return step{flowDelivery, outcomeSuccess}
	case "error":
		return step{flowNone, outcomeFailure}
	case "authentication":
		return step{flowNone, statusOutcome(r)}
	}
	for _, w := range rejectionWords {
		if strings.Contains(msg, w) {
			return step{flowRejection, outcomeFailure}
		}
	}
	if eventType == "smtp_command" {
		return step{flowNone, statusOutcome(r)}
	}
	if failed {
		return step{flowNone, outcomeFailure}
	}
	return step{flowNone, outcomeUnknown}
}

// statusOutcome reads success from Elemta's `success` flag or `status`,
// then from the message.
func statusOutcome(r *record) string {
	if r.hasSuccess {
		if r.success {
			return outcomeSuccess
		}
		return outcomeFailure
	}
	switch r.status {
	case "success", "delivered":
		return outcomeSuccess
	case "failure", "failed", "bounced":
		return outcomeFailure
	}
	if strings.HasSuffix(r.elemtaEventType, "_accepted") {
		return outcomeSuccess // mail_from_accepted, rcpt_to_accepted, data_accepted
	}
	lower := strings.ToLower(r.message)
	switch {
	case strings.Contains(lower, "success"): // before "fail": "successful, failure count reset"
		return outcomeSuccess
	case strings.Contains(lower, "fail"), strings.Contains(lower, "invalid"):
		return outcomeFailure
	}
	return outcomeUnknown
}

// addReasons copies the reason a failure carries into rejection_reason,
// bounce_reason or error_reason.
func addReasons(attrs pcommon.Map, r *record, s step) {
	var reason string
	key := "error_reason"
	switch s.flow {
	case flowBounce:
		key, reason = "bounce_reason", firstOf(r.bounceReason, r.failureReason, r.errorText)
	case flowRejection:
		key, reason = "rejection_reason", firstOf(r.errorText, r.response, r.failureReason, r.message)
	case flowTempfail:
		reason = firstOf(r.failureReason, r.errorText, r.response)
	default:
		if s.outcome == outcomeFailure {
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
