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
func flowOf(attrs pcommon.Map) step {
	eventType := str(attrs, "event_type")
	if s, ok := flowByEventType[eventType]; ok {
		return s
	}
	msg := str(attrs, "log_message")
	level := str(attrs, "level")
	failed := level == "ERROR" || level == "FATAL"

	switch eventType {
	case "message_delivery":
		if failed {
			return step{flowDelivery, outcomeFailure}
		}
		return step{flowDelivery, outcomeSuccess}
	case "error":
		return step{flowNone, outcomeFailure}
	case "authentication":
		return step{flowNone, statusOutcome(attrs, msg)}
	}
	for _, w := range rejectionWords {
		if strings.Contains(msg, w) {
			return step{flowRejection, outcomeFailure}
		}
	}
	if eventType == "smtp_command" {
		return step{flowNone, statusOutcome(attrs, msg)}
	}
	if failed {
		return step{flowNone, outcomeFailure}
	}
	return step{flowNone, outcomeUnknown}
}

// statusOutcome reads success from Elemta's `success` flag or `status`,
// then from the message.
func statusOutcome(attrs pcommon.Map, msg string) string {
	if v, ok := attrs.Get("success"); ok && v.Type() == pcommon.ValueTypeBool {
		if v.Bool() {
			return outcomeSuccess
		}
		return outcomeFailure
	}
	switch str(attrs, "status") {
	case "success", "delivered":
		return outcomeSuccess
	case "failure", "failed", "bounced":
		return outcomeFailure
	}
	if strings.HasSuffix(str(attrs, "elemta_event_type"), "_accepted") {
		return outcomeSuccess // mail_from_accepted, rcpt_to_accepted, data_accepted
	}
	lower := strings.ToLower(msg)
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
func addReasons(attrs pcommon.Map, s step) {
	switch s.flow {
	case flowBounce:
		putFirst(attrs, "bounce_reason", "bounce_reason", "failure_reason", "error")
	case flowRejection:
		putFirst(attrs, "rejection_reason", "error", "response", "failure_reason", "log_message")
	case flowTempfail:
		putFirst(attrs, "error_reason", "failure_reason", "error", "response")
	default:
		if s.outcome == outcomeFailure {
			putFirst(attrs, "error_reason", "error", "failure_reason", "response", "log_message")
		}
	}
}

// putFirst sets key to the first non-empty string among from.
func putFirst(attrs pcommon.Map, key string, from ...string) {
	for _, f := range from {
		if v := str(attrs, f); v != "" {
			attrs.PutStr(key, v)
			return
		}
	}
}

// str returns a string attribute, the last string of a list, or "".
func str(attrs pcommon.Map, key string) string {
	v, ok := attrs.Get(key)
	if !ok {
		return ""
	}
	switch v.Type() {
	case pcommon.ValueTypeStr:
		return v.Str()
	case pcommon.ValueTypeSlice:
		for i := v.Slice().Len() - 1; i >= 0; i-- {
			if it := v.Slice().At(i); it.Type() == pcommon.ValueTypeStr {
				return it.Str()
			}
		}
	}
	return ""
}
