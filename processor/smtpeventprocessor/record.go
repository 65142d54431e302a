package smtpeventprocessor // import "github.com/elemta/otelcol-elemta/processor/smtpeventprocessor"

import (
	"slices"
	"strconv"
	"strings"

	"go.opentelemetry.io/collector/pdata/pcommon"

	"github.com/elemta/otelcol-elemta/internal/vocabulary"
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
	message         string            // log_message
	format          vocabulary.Format // log.format
	path            string            // log.file.path
	fileIdentity    string            // log.file.identity
	offset          int64             // log.file.record_offset
	hasOffset       bool
	ids             [2]string // the first two session ids (Elemta writes two at most)
	idCount         int
	moreIDs         []string // any after those

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

	clientCountry string // ISO code of the client's country, from GeoIP
	component     string // the last component Elemta named
	messageID     string
	authMethod    string
	tlsVersion    string
	delayMs       float64 // total_delay_ms
	delay         delayState
	receptionTime string
	deliveryTime  string

	scrubbed int // credentials removed
}

// read reads attrs into an empty record, in one pass. It removes
// credentials from every value, lower-cases sender and recipient addresses
// and turns sizes and counts written as text into numbers, in place.
func (r *record) read(attrs pcommon.Map) {
	r.recipients = -1
	for k, v := range attrs.All() {
		r.scrubbed += scrubValue(k, v)
		if field := r.textField(k); field != nil {
			*field = lastString(v)
			continue
		}
		r.readOther(k, v)
	}
}

// textField is the field of a text attribute, which takes its last
// string; nil for another key.
func (r *record) textField(k string) *string {
	switch k {
	case vocabulary.AttrEventType:
		return &r.eventType
	case vocabulary.AttrElemtaEventType:
		return &r.elemtaEventType
	case vocabulary.AttrLevel:
		return &r.level
	case vocabulary.AttrLogMessage:
		return &r.message
	case vocabulary.AttrDeliveryIP:
		return &r.deliveryIP
	case vocabulary.AttrSMTPCommand:
		return &r.command
	case vocabulary.AttrCommandData:
		return &r.commandData
	case vocabulary.AttrUsername:
		return &r.username
	case vocabulary.AttrStatus:
		return &r.status
	case vocabulary.AttrBounceReason:
		return &r.bounceReason
	case vocabulary.AttrFailureReason:
		return &r.failureReason
	case vocabulary.AttrError:
		return &r.errorText
	case vocabulary.AttrResponse:
		return &r.response
	case vocabulary.AttrComponent:
		return &r.component
	case vocabulary.AttrMessageID:
		return &r.messageID
	case vocabulary.AttrAuthMethod:
		return &r.authMethod
	case vocabulary.AttrTLSVersion, vocabulary.AttrTLSProtocolVersion:
		return &r.tlsVersion
	case vocabulary.AttrReceptionTime:
		return &r.receptionTime
	case vocabulary.AttrDeliveryTime:
		return &r.deliveryTime
	}
	return nil
}

// readOther reads an attribute that is not plain text: flags, numbers,
// lists, the file's, and the addresses normalised in place.
func (r *record) readOther(k string, v pcommon.Value) {
	switch k {
	case vocabulary.AttrLogFormat:
		r.format = vocabulary.Format(lastString(v))
	case vocabulary.AttrFilePath:
		r.path = v.AsString()
	case vocabulary.AttrFileIdentity:
		r.fileIdentity = v.AsString()
	case vocabulary.AttrFileRecordOffset:
		r.offset, r.hasOffset = intValue(v)
	case vocabulary.AttrSessionID:
		forEachString(v, func(it pcommon.Value) { r.addSessionID(it.Str()) })
	case vocabulary.AttrClientIP:
		r.clientIP, r.hasClientIP = lastString(v), true
	case vocabulary.AttrClientPort:
		r.clientPort, r.hasClientPort = intValue(v)
	case vocabulary.AttrHelo:
		r.hasHelo = true
	case vocabulary.AttrAuthenticated:
		r.authenticated, _ = boolValue(v)
	case vocabulary.AttrSuccess:
		r.success, r.hasSuccess = boolValue(v)
	case vocabulary.AttrTLSActive:
		r.tls, r.hasTLS = boolValue(v)
	case vocabulary.AttrIsError:
		r.isError, r.hasIsError = boolValue(v)
	case vocabulary.AttrSender:
		if v.Type() == pcommon.ValueTypeStr && v.Str() != "" {
			r.senderDomain = domainOf(lowerInPlace(v))
		}
	case vocabulary.AttrRecipient:
		if v.Type() == pcommon.ValueTypeSlice {
			r.readRecipients(v.Slice())
		}
	case vocabulary.AttrRecipientCount:
		r.hasRecipientCount = true
		toInt(v)
	case vocabulary.AttrSize, vocabulary.AttrRetryCount, vocabulary.AttrDelivered, vocabulary.AttrFailedRecipients, vocabulary.AttrTotalRecipients:
		toInt(v)
	case vocabulary.AttrDuration:
		r.durationNs, r.hasDuration = intValue(v)
	case vocabulary.AttrTotalDelayMs:
		r.delayMs, r.delay = delayValue(v)
	}
}

// addSessionID keeps a session id, in the order read.
func (r *record) addSessionID(id string) {
	if r.idCount < len(r.ids) {
		r.ids[r.idCount] = id
	} else {
		r.moreIDs = append(r.moreIDs, id)
	}
	r.idCount++
}

// sessionKeys appends the keys of the record's session ids, in the order
// read, to dst.
func (r *record) sessionKeys(dst []sessionKey) []sessionKey {
	for _, id := range r.ids[:min(r.idCount, len(r.ids))] {
		dst = append(dst, sessionKey{name: id})
	}
	for _, id := range r.moreIDs {
		dst = append(dst, sessionKey{name: id})
	}
	return dst
}

func (r *record) readRecipients(list pcommon.Slice) {
	r.recipients = list.Len()
	for _, it := range list.All() {
		if it.Type() != pcommon.ValueTypeStr {
			continue
		}
		if d := domainOf(lowerInPlace(it)); d != "" && !slices.Contains(r.recipientDomains, d) {
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
