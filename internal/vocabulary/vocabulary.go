// Package vocabulary is the contract between the components that write and
// read Elemta log records: the attribute names, event types, log formats,
// mail flows and outcomes. The elemta receiver writes these names, the
// smtpevent processor reads and adds to them, the durable_elasticsearch
// exporter and the shipped configurations (signal_to_metrics, dashboards,
// alert rules) rely on them. Declaring them once lets the compiler check
// that the components agree.
//
// Names are those of the Kibana queries operators already use (event_type,
// client_ip, sender, ...); where OpenTelemetry's semantic conventions have a
// name for the same thing, the record carries that name too (AttrClient*,
// AttrUserName, AttrTLSProtocolVersion, AttrRecordUID).
package vocabulary // import "github.com/elemta/otelcol-elemta/internal/vocabulary"

// Format is the shape a line was recognised as (attribute log.format).
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

// Formats lists every format, in the order the receiver tries them.
var Formats = []Format{FormatJSON, FormatKeyValue, FormatGoStd, FormatSMTP, FormatLeveled, FormatPlain, FormatUnparsed}

// Attributes the receiver writes: the fields of a line, named as the
// operators' queries name them, and what it learnt while parsing.
const (
	AttrEventType       = "event_type"
	AttrElemtaEventType = "elemta_event_type"
	AttrClientIP        = "client_ip"
	AttrClientPort      = "client_port"
	AttrSMTPCommand     = "smtp_command"
	AttrCommand         = "command"
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
	// AttrIOStream is the Docker stream (stdout or stderr) of a container line.
	AttrIOStream = "log.iostream"
	// AttrFilePath and AttrFileRecordOffset are the file consumer's names
	// for where a line was read.
	AttrFilePath         = "log.file.path"
	AttrFileRecordOffset = "log.file.record_offset"
	// AttrFileIdentity identifies the file a line was read from whatever
	// its name: a digest of the file's first bytes before the line (up to
	// the fingerprint size). The record's stable id is made from it; the
	// smtpevent processor removes it then.
	AttrFileIdentity = "log.file.identity"
)

// Attributes Elemta writes itself that the processor reads.
const (
	AttrSessionID        = "session_id"
	AttrDeliveryIP       = "delivery_ip"
	AttrUsername         = "username"
	AttrHelo             = "helo"
	AttrAuthenticated    = "authenticated"
	AttrSuccess          = "success"
	AttrTLSActive        = "tls_active"
	AttrStatus           = "status"
	AttrBounceReason     = "bounce_reason"
	AttrFailureReason    = "failure_reason"
	AttrError            = "error"
	AttrResponse         = "response"
	AttrRecipientCount   = "recipient_count"
	AttrSize             = "size"
	AttrRetryCount       = "retry_count"
	AttrDelivered        = "delivered"
	AttrFailedRecipients = "failed_recipients"
	AttrTotalRecipients  = "total_recipients"
	AttrDuration         = "duration"
	AttrFrom             = "from"
	AttrTo               = "to"
	AttrToEnvelope       = "to_envelope"
	AttrSubject          = "subject"
	AttrAuthMethod       = "auth_method"
	AttrTLSVersion       = "tls_version"
	AttrTotalDelayMs     = "total_delay_ms"
	AttrReceptionTime    = "reception_time"
	AttrDeliveryTime     = "delivery_time"
	// AttrMessage, AttrTimestamp and AttrEventOriginal are keys Elemta may
	// write that the Elasticsearch document uses for itself (what the line
	// says, the event time, the line as written).
	AttrMessage       = "message"
	AttrTimestamp     = "@timestamp"
	AttrEventOriginal = "event.original"
)

// Attributes the processor adds.
const (
	AttrMTAFlow          = "mta_flow"
	AttrEventOutcome     = "event.outcome"
	AttrEventCategory    = "event.category"
	AttrErrorReason      = "error_reason"
	AttrRejectionReason  = "rejection_reason"
	AttrSenderDomain     = "sender_domain"
	AttrRecipientDomain  = "recipient_domain"
	AttrDurationMs       = "duration_ms"
	AttrClientGeo        = "client_geo"
	AttrClientAS         = "client_as"
	AttrDeliveryGeo      = "delivery_geo"
	AttrDeliveryAS       = "delivery_as"
	AttrFailedLoginHash  = "failed_login_hash"
	AttrCredentialsFound = "credentials_scrubbed"
)

// Attributes the processor adds to the one line of each SMTP event that
// metrics count (Elemta writes several lines per event): each holds one of
// a few values, so they serve as metric labels, and none is on any other
// line, so a metric counts the lines that carry its attribute.
const (
	// AttrConnectionResult is on a connection's line: ConnectionAccepted or ConnectionRejected.
	AttrConnectionResult = "connection_result"
	// AttrClientCountry is the client's ISO country code on a connection's
	// line while GeoIP is on; "unknown" where the databases do not know.
	AttrClientCountry = "client_country"
	// AttrSMTPVerb is on a command's line: the verb (EHLO, MAIL, ...), "other" or "unknown".
	AttrSMTPVerb = "smtp_verb"
	// AttrMessageStatus is on a message's lifecycle line: Message*.
	AttrMessageStatus = "message_status"
	// AttrRejectionClass is on the line of a refusal sent to a client: Rejection*.
	AttrRejectionClass = "rejection_class"
	// AttrAuthMechanism is on an authentication attempt's line: PLAIN, LOGIN, ..., "other" or "unknown".
	AttrAuthMechanism = "auth_mechanism"
	// AttrTLSResult is on a STARTTLS handshake's line: OutcomeSuccess or OutcomeFailure.
	AttrTLSResult = "tls_result"
	// AttrErrorComponent is on a line Elemta wrote at level ERROR or FATAL:
	// the Elemta component that wrote it, or "unknown".
	AttrErrorComponent = "error_component"
	// AttrDeliveryDelaySeconds is on a delivered message's line: seconds
	// from reception to delivery.
	AttrDeliveryDelaySeconds = "delivery_delay_seconds"
)

// Values of the metric attributes.
const (
	ConnectionAccepted = "accepted"
	ConnectionRejected = "rejected"

	MessageReceived  = "received"
	MessageDelivered = "delivered"
	MessageBounced   = "bounced"
	MessageDeferred  = "deferred"
	MessageRejected  = "rejected"

	RejectionAuthRequired = "auth_required"
	RejectionRelayDenied  = "relay_denied"
	RejectionPolicy       = "policy"
	RejectionSyntax       = "syntax"
	RejectionOther        = "other"

	ValueOther   = "other"
	ValueUnknown = "unknown"
)

// OpenTelemetry semantic-convention names the processor adds beside the
// operators' names.
const (
	// AttrRecordUID is a record's stable id: the same line read again
	// (a restart, a resend) gets the same one.
	AttrRecordUID          = "log.record.uid"
	AttrClientAddress      = "client.address"
	AttrClientPortSemconv  = "client.port"
	AttrUserName           = "user.name"
	AttrTLSProtocolVersion = "tls.protocol.version"
)

// Event types (attribute event_type).
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

// Mail flows (attribute mta_flow).
const (
	FlowReception = "reception"
	FlowDelivery  = "delivery"
	FlowRejection = "rejection"
	FlowTempfail  = "tempfail"
	FlowBounce    = "bounce"
	FlowSystem    = "system"
	FlowNone      = "none"
)

// Outcomes (attribute event.outcome), as ECS defines them.
const (
	OutcomeSuccess = "success"
	OutcomeFailure = "failure"
	OutcomeUnknown = "unknown"
)
