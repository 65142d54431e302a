// Package elemtalog turns one line of an Elemta log, in any of the shapes
// Elemta writes, into a typed record: timestamp, level, and attributes named
// as operators search for them. It is hand-written for speed: no regular
// expression runs per line.
package elemtalog // import "github.com/elemta/otelcol-elemta/receiver/elemtareceiver/internal/elemtalog"

import (
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"
)

// Format is the shape a line was recognised as.
type Format string

const (
	// FormatJSON is a JSON object per line (Go log/slog), what current Elemta writes.
	FormatJSON Format = "json"
	// FormatKeyValue is key=value text (logfmt), written by side loggers.
	FormatKeyValue Format = "key_value"
	// FormatGoStd is Go's standard logger: `[PREFIX] 2006/01/02 15:04:05 message`.
	FormatGoStd Format = "go_std"
	// FormatSMTP is the older `SMTP: 2006-01-02 15:04:05 ...` text.
	FormatSMTP Format = "smtp"
	// FormatLeveled is `2006-01-02 15:04:05 LEVEL message`.
	FormatLeveled Format = "leveled"
	// FormatPlain is readable text without structure (configuration messages).
	FormatPlain Format = "plain"
	// FormatUnparsed is a line no format recognises: malformed JSON, binary data.
	FormatUnparsed Format = "unparsed"
)

// Formats lists every format, in the order they are tried.
var Formats = []Format{FormatJSON, FormatKeyValue, FormatGoStd, FormatSMTP, FormatLeveled, FormatPlain, FormatUnparsed}

// Attribute names, as the seed's Kibana queries use them.
const (
	AttrEventType       = "event_type"
	AttrElemtaEventType = "elemta_event_type"
	AttrClientIP        = "client_ip"
	AttrClientPort      = "client_port"
	AttrSMTPCommand     = "smtp_command"
	AttrCommandData     = "command_data"
	AttrMessageID       = "message_id"
	AttrSender          = "sender"
	AttrRecipient       = "recipient"
	AttrLevel           = "level"
	AttrIsError         = "is_error"
	AttrLogMessage      = "log_message"
	AttrComponent       = "component"
	AttrLogFormat       = "log.format"
	AttrContinuation    = "log.continuation"
	AttrParseError      = "log.parse_error"
	AttrUTF8Repaired    = "log.utf8_repaired"
	AttrTruncated       = "log.truncated"
)

// Event types.
const (
	EventSMTPConnection  = "smtp_connection"
	EventSMTPCommand     = "smtp_command"
	EventQueueProcessing = "queue_processing"
	EventMessageDelivery = "message_delivery"
	EventError           = "error"
	EventAuthentication  = "authentication"
	EventReception       = "reception"
	EventDelivery        = "delivery"
	EventDeferral        = "deferral"
	EventTempfail        = "tempfail"
	EventBounce          = "bounce"
	EventRejection       = "rejection"
	EventSystem          = "system"
	EventSession         = "session"
	EventUnparsed        = "unparsed"
)

// Record is one parsed line. The line itself is kept by the caller as the
// log body; Record holds what was learnt from it.
type Record struct {
	// Line is the line as it is to be kept: invalid UTF-8 replaced by U+FFFD.
	Line string
	// Timestamp is the time written in the line; zero when it carries none.
	Timestamp time.Time
	// Level is the normalised level: DEBUG, INFO, WARN, ERROR or FATAL; empty when none.
	Level string
	// Format is the shape the line was recognised as.
	Format Format
	// Attributes are the fields of the line, typed, plus the derived ones above.
	Attributes pcommon.Map
}
