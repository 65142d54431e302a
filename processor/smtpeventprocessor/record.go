package smtpeventprocessor // import "github.com/elemta/otelcol-elemta/processor/smtpeventprocessor"

import (
	"strconv"
	"strings"

	"go.opentelemetry.io/collector/pdata/pcommon"
)

// record is what the processor reads of a log record's attributes. One
// pass over the attributes (read) fills it, scrubbing credentials and
// normalising addresses and numbers in place on the way; the steps after it
// read the record instead of searching the attribute list key by key.
//
// A string field holds the attribute's string, or the last string of a
// list (repeated JSON keys become lists); "" when there is none.
type record struct {
	eventType       string
	elemtaEventType string
	level           string
	message         string // log_message
	format          string // log.format
	path            string // log.file.path
	offset          int64  // log.file.record_offset
	hasOffset       bool
	sessionIDs      []string // in ids when there are two at most
	ids             [2]string

	clientIP      string
	hasClientIP   bool // the key is there, even when empty
	clientPort    int64
	hasClientPort bool
	deliveryIP    string
	command       string // smtp_command
	commandData   string
	username      string
	hasHelo       bool
	authenticated bool
	success       bool
	hasSuccess    bool
	tls           bool
	hasTLS        bool
	status        string
	isError       bool // Elemta's own is_error
	hasIsError    bool

	bounceReason  string
	failureReason string
	errorText     string // error
	response      string

	senderDomain      string
	recipientDomains  []string
	recipients        int // length of the recipient list; -1 without one
	hasRecipientCount bool
	durationNs        int64
	hasDuration       bool

	hasTimestampKey bool // Elemta wrote a key the document uses itself
	hasMessageKey   bool

	scrubbed int // credentials removed
}

// read reads attrs into an empty record, in one pass. It removes
// credentials from every value, lower-cases sender and recipient addresses
// and turns sizes and counts written as text into numbers, in place. The
// record is not to be copied after: its session ids may point into it.
func (r *record) read(attrs pcommon.Map) {
	r.recipients = -1
	r.sessionIDs = r.ids[:0]
	for k, v := range attrs.All() {
		r.scrubbed += scrubValue(k, v)
		switch k {
		case "event_type":
			r.eventType = lastString(v)
		case "elemta_event_type":
			r.elemtaEventType = lastString(v)
		case "level":
			r.level = lastString(v)
		case "log_message":
			r.message = lastString(v)
		case "log.format":
			r.format = lastString(v)
		case "log.file.path":
			r.path = v.AsString()
		case "log.file.record_offset":
			r.offset, r.hasOffset = intValue(v)
		case "session_id":
			forEachString(v, func(it pcommon.Value) { r.sessionIDs = append(r.sessionIDs, it.Str()) })
		case "client_ip":
			r.clientIP, r.hasClientIP = lastString(v), true
		case "client_port":
			r.clientPort, r.hasClientPort = intValue(v)
		case "delivery_ip":
			r.deliveryIP = lastString(v)
		case "smtp_command":
			r.command = lastString(v)
		case "command_data":
			r.commandData = lastString(v)
		case "username":
			r.username = lastString(v)
		case "helo":
			r.hasHelo = true
		case "authenticated":
			r.authenticated, _ = boolValue(v)
		case "success":
			r.success, r.hasSuccess = boolValue(v)
		case "tls_active":
			r.tls, r.hasTLS = boolValue(v)
		case "status":
			r.status = lastString(v)
		case "is_error":
			r.isError, r.hasIsError = boolValue(v)
		case "bounce_reason":
			r.bounceReason = lastString(v)
		case "failure_reason":
			r.failureReason = lastString(v)
		case "error":
			r.errorText = lastString(v)
		case "response":
			r.response = lastString(v)
		case "sender":
			if v.Type() == pcommon.ValueTypeStr && v.Str() != "" {
				addr := lowerInPlace(v)
				r.senderDomain = domainOf(addr)
			}
		case "recipient":
			if v.Type() == pcommon.ValueTypeSlice {
				r.readRecipients(v.Slice())
			}
		case "recipient_count":
			r.hasRecipientCount = true
			toInt(v)
		case "size", "retry_count", "delivered", "failed_recipients", "total_recipients":
			toInt(v)
		case "duration":
			r.durationNs, r.hasDuration = intValue(v)
		case docTimestamp:
			r.hasTimestampKey = true
		case docMessage:
			r.hasMessageKey = true
		}
	}
}

func (r *record) readRecipients(list pcommon.Slice) {
	r.recipients = list.Len()
	for _, it := range list.All() {
		if it.Type() != pcommon.ValueTypeStr {
			continue
		}
		if d := domainOf(lowerInPlace(it)); d != "" && !contains(r.recipientDomains, d) {
			r.recipientDomains = append(r.recipientDomains, d)
		}
	}
}

// lowerInPlace lower-cases a string value in place and returns it; a
// value already in lower case is left as it is.
func lowerInPlace(v pcommon.Value) string {
	s := v.Str()
	lower := strings.ToLower(s)
	if lower != s {
		v.SetStr(lower)
	}
	return lower
}

// toInt turns a number written as text into an int value.
func toInt(v pcommon.Value) {
	if v.Type() != pcommon.ValueTypeStr {
		return
	}
	if n, err := strconv.ParseInt(strings.TrimSpace(v.Str()), 10, 64); err == nil {
		v.SetInt(n)
	}
}

// boolValue returns a bool value, and whether the value is one.
func boolValue(v pcommon.Value) (b, ok bool) {
	if v.Type() != pcommon.ValueTypeBool {
		return false, false
	}
	return v.Bool(), true
}

// intValue returns an int value, and whether the value is one.
func intValue(v pcommon.Value) (int64, bool) {
	if v.Type() != pcommon.ValueTypeInt {
		return 0, false
	}
	return v.Int(), true
}

// lastString returns a string value, the last string of a list, or "".
func lastString(v pcommon.Value) string {
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
