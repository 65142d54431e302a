package elemtalog // import "github.com/elemta/otelcol-elemta/receiver/elemtareceiver/internal/elemtalog"

import (
	"net"
	"strconv"
	"strings"
	"time"

	"github.com/elemta/otelcol-elemta/internal/vocabulary"

	"go.opentelemetry.io/collector/pdata/pcommon"
)

// structured turns the fields of a JSON or key=value line into a record:
// time, level and msg become the timestamp, level and log_message; the rest
// is kept as it was, with the seed's names added next to Elemta's.
func (p *Parser) structured(r *Record, format vocabulary.Format) {
	r.Format = format
	attrs := r.Attributes

	if t, ok := attrs.Get("time"); ok && t.Type() == pcommon.ValueTypeStr {
		if ts, ok := p.parseTime(t.Str()); ok {
			r.Timestamp = ts
			attrs.Remove("time")
		}
	}
	if lv, ok := lastString(attrs, "level"); ok {
		r.Level = normaliseLevel(lv)
	}
	if msg, ok := attrs.Get("msg"); ok {
		kept := pcommon.NewValueEmpty() // read before the map grows
		msg.CopyTo(kept)
		kept.CopyTo(attrs.PutEmpty(vocabulary.AttrLogMessage))
		attrs.Remove("msg")
	}

	addClientAddress(attrs)
	addEnvelope(attrs)
	if cmd, ok := lastString(attrs, "command"); ok {
		addCommand(attrs, cmd)
	}

	elemtaType, _ := lastString(attrs, vocabulary.AttrEventType)
	ours := classifyStructured(attrs, elemtaType, r.Level)
	attrs.PutStr(vocabulary.AttrEventType, ours)
	if elemtaType != "" && elemtaType != ours {
		attrs.PutStr(vocabulary.AttrElemtaEventType, elemtaType)
	}
}

func (p *Parser) parseTime(s string) (time.Time, bool) {
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t, true
	}
	for _, layout := range []string{"2006-01-02 15:04:05.999999999", "2006-01-02T15:04:05.999999999"} {
		if t, err := time.ParseInLocation(layout, s, p.loc); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}

// lastString returns a string attribute, or the last string of a repeated key.
func lastString(attrs pcommon.Map, key string) (string, bool) {
	v, ok := attrs.Get(key)
	if !ok {
		return "", false
	}
	switch v.Type() {
	case pcommon.ValueTypeStr:
		return v.Str(), true
	case pcommon.ValueTypeSlice:
		sl := v.Slice()
		for i := sl.Len() - 1; i >= 0; i-- {
			if sl.At(i).Type() == pcommon.ValueTypeStr {
				return sl.At(i).Str(), true
			}
		}
	}
	return "", false
}

// stringList returns the strings of a string or list attribute.
func stringList(attrs pcommon.Map, key string) []string {
	v, ok := attrs.Get(key)
	if !ok {
		return nil
	}
	switch v.Type() {
	case pcommon.ValueTypeStr:
		return []string{v.Str()}
	case pcommon.ValueTypeSlice:
		out := make([]string, 0, v.Slice().Len())
		for _, it := range v.Slice().All() {
			if it.Type() == pcommon.ValueTypeStr {
				out = append(out, it.Str())
			}
		}
		return out
	}
	return nil
}

func normaliseLevel(l string) string {
	switch strings.ToUpper(strings.TrimSpace(l)) {
	case "TRACE", "DEBUG":
		return "DEBUG"
	case "INFO", "INFORMATION", "NOTICE":
		return "INFO"
	case "WARN", "WARNING":
		return "WARN"
	case "ERROR", "ERR":
		return "ERROR"
	case "FATAL", "CRITICAL", "CRIT", "PANIC", "EMERG", "ALERT":
		return "FATAL"
	}
	return ""
}

// addClientAddress splits Elemta's client_ip ("127.0.0.21:44731") or
// remote_addr into client_ip and client_port.
func addClientAddress(attrs pcommon.Map) {
	for _, key := range []string{vocabulary.AttrClientIP, "remote_addr", "client_addr"} {
		addr, ok := lastString(attrs, key)
		if !ok || addr == "" {
			continue
		}
		if putAddress(attrs, addr) {
			return
		}
	}
}

// putAddress sets client_ip and client_port from "ip:port", "[v6]:port" or
// a bare IP; it reports false when addr is no address.
func putAddress(attrs pcommon.Map, addr string) bool {
	ip, port := splitAddress(addr)
	if ip == "" {
		return false
	}
	attrs.PutStr(vocabulary.AttrClientIP, ip)
	if port >= 0 {
		attrs.PutInt(vocabulary.AttrClientPort, int64(port))
	}
	return true
}

// splitAddress returns the IP and port of "ip:port", "[v6]:port" or a bare
// IP; port is -1 when there is none, ip empty when addr is not an address.
func splitAddress(addr string) (string, int) {
	if host, portText, err := net.SplitHostPort(addr); err == nil {
		if net.ParseIP(host) == nil {
			return "", -1
		}
		port, err := strconv.Atoi(portText)
		if err != nil {
			return host, -1
		}
		return host, port
	}
	if net.ParseIP(addr) != nil {
		return addr, -1
	}
	return "", -1
}

// addEnvelope adds sender and recipient (always a list) from Elemta's
// from and to (or to_envelope).
func addEnvelope(attrs pcommon.Map) {
	if from, ok := lastString(attrs, "from"); ok {
		attrs.PutStr(vocabulary.AttrSender, from)
	}
	for _, key := range []string{"to", "to_envelope"} {
		if rcpts := stringList(attrs, key); rcpts != nil {
			putList(attrs, vocabulary.AttrRecipient, rcpts...)
			return
		}
	}
}

func putList(attrs pcommon.Map, key string, items ...string) {
	sl := attrs.PutEmptySlice(key)
	sl.EnsureCapacity(len(items))
	for _, it := range items {
		sl.AppendEmpty().SetStr(it)
	}
}

// addCommand adds smtp_command and command_data from an SMTP command line,
// and the envelope address of MAIL FROM and RCPT TO.
func addCommand(attrs pcommon.Map, line string) {
	cmd, data, addr := splitCommand(line)
	if cmd == "" {
		return
	}
	attrs.PutStr(vocabulary.AttrSMTPCommand, cmd)
	if data != "" {
		attrs.PutStr(vocabulary.AttrCommandData, data)
	}
	switch cmd {
	case "MAIL FROM":
		if _, ok := attrs.Get(vocabulary.AttrSender); !ok {
			attrs.PutStr(vocabulary.AttrSender, addr)
		}
	case "RCPT TO":
		if _, ok := attrs.Get(vocabulary.AttrRecipient); !ok && addr != "" {
			putList(attrs, vocabulary.AttrRecipient, addr)
		}
	}
}

// splitCommand splits "rcpt TO:<a@b> NOTIFY=NEVER\x0D\x0A" into
// ("RCPT TO", "<a@b> NOTIFY=NEVER", "a@b"). Elemta writes the line end as
// the literal text \x0D\x0A in some messages and as CR LF in others.
func splitCommand(line string) (cmd, data, addr string) {
	line = strings.TrimSuffix(line, `\x0D\x0A`)
	line = strings.TrimRight(line, "\r\n \t")
	line = strings.TrimLeft(line, " \t")
	verb, rest, _ := strings.Cut(line, " ")
	verb = strings.ToUpper(verb)
	if strings.HasPrefix(verb, "MAIL") || strings.HasPrefix(verb, "RCPT") {
		// "MAIL FROM:<a>", "MAIL FROM: <a>" or "MAIL FROM:<a>" with no space.
		head, after, found := strings.Cut(line, ":")
		if !found {
			return strings.ToUpper(strings.Join(strings.Fields(head), " ")), "", ""
		}
		cmd = strings.ToUpper(strings.Join(strings.Fields(head), " "))
		data = strings.TrimSpace(after)
		return cmd, data, angleAddress(data)
	}
	if !vocabulary.IsSMTPVerb(verb) {
		return "", "", ""
	}
	return verb, strings.TrimSpace(rest), ""
}

// angleAddress returns the address between < and >, or the first word.
func angleAddress(s string) string {
	if strings.HasPrefix(s, "<") {
		if end := strings.IndexByte(s, '>'); end > 0 {
			return s[1:end]
		}
	}
	word, _, _ := strings.Cut(s, " ")
	return word
}

// elemtaEventTypes are Elemta's own event types that are ours as well.
var elemtaEventTypes = vocabulary.NewWordSet(
	vocabulary.EventReception, vocabulary.EventDelivery, vocabulary.EventBounce, vocabulary.EventTempfail, vocabulary.EventDeferral,
	vocabulary.EventRejection, vocabulary.EventSystem, vocabulary.EventAuthentication,
)

// classifyStructured decides event_type for a JSON or key=value line: first
// from Elemta's own event type, then from the message, then the component.
func classifyStructured(attrs pcommon.Map, elemtaType, level string) string {
	// The set's own string: event_type labels a metric series, which
	// outlives the line.
	if own, ok := elemtaEventTypes.Word(elemtaType); ok {
		return own
	}
	switch elemtaType {
	case "message_accepted", "message_received":
		return vocabulary.EventReception
	case "mail_from_accepted", "rcpt_to_accepted", "data_accepted":
		return vocabulary.EventSMTPCommand
	}

	msg, _ := lastString(attrs, vocabulary.AttrLogMessage)
	_, hasCommand := attrs.Get(vocabulary.AttrSMTPCommand)
	switch {
	case msg == "New connection" || msg == "Connection accepted" || strings.HasPrefix(msg, "new connection"):
		return vocabulary.EventSMTPConnection
	case hasCommand || (strings.HasPrefix(msg, "Processing ") && strings.HasSuffix(msg, " command")):
		return vocabulary.EventSMTPCommand
	case strings.Contains(msg, "uthenticat"): // Authentication, authentication
		return vocabulary.EventAuthentication
	}

	components := stringList(attrs, vocabulary.AttrComponent)
	for _, c := range components {
		switch {
		case strings.Contains(c, "lmtp") || strings.Contains(c, "delivery"):
			return vocabulary.EventMessageDelivery
		case strings.HasPrefix(c, "queue"):
			return vocabulary.EventQueueProcessing
		}
	}
	if level == "ERROR" || level == "FATAL" {
		return vocabulary.EventError
	}
	for _, c := range components {
		if strings.HasPrefix(c, "smtp") || strings.HasPrefix(c, "session") {
			return vocabulary.EventSession
		}
	}
	return vocabulary.EventSystem
}
