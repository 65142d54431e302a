package elemtalog // import "github.com/elemta/otelcol-elemta/receiver/elemtareceiver/internal/elemtalog"

import (
	"strings"
	"time"
)

// parseText recognises the text shapes by their fixed prefixes: the older
// `SMTP:` lines, Go's standard logger, `<date> <time> <LEVEL>` lines; any
// other readable line is plain text. rest holds joined continuation lines.
func (p *Parser) parseText(first, rest string) Record {
	head := strings.TrimLeft(first, " \t")
	withRest := func(msg string) string {
		if rest == "" {
			return msg
		}
		return msg + "\n" + rest
	}

	if after, ok := strings.CutPrefix(head, "SMTP: "); ok && matchDigits(after, "dddd-dd-dd dd:dd:dd ") {
		r := Record{Format: FormatSMTP, Attributes: map[string]any{}}
		r.Timestamp = p.parseLocal("2006-01-02 15:04:05", after[:19])
		p.smtpLine(&r, withRest(after[20:]))
		return r
	}
	if r, ok := p.goStdLine(head, withRest); ok {
		return r
	}
	if r, ok := p.leveledLine(head, withRest); ok {
		return r
	}
	if isBinary(first) {
		return unparsed("binary data")
	}
	r := Record{Format: FormatPlain, Attributes: map[string]any{
		AttrLogMessage: withRest(first),
		AttrEventType:  EventSystem,
	}}
	for _, pfx := range []string{"WARNING:", "WARN:", "ERROR:", "FATAL:", "INFO:", "DEBUG:"} {
		if strings.HasPrefix(head, pfx) {
			r.Level = normaliseLevel(pfx[:len(pfx)-1])
			break
		}
	}
	if r.Level == "ERROR" || r.Level == "FATAL" {
		r.Attributes[AttrEventType] = EventError
	}
	return r
}

// parseLocal reads a time without a zone; a malformed one is the zero time.
func (p *Parser) parseLocal(layout, s string) time.Time {
	t, _ := time.ParseInLocation(layout, s, p.loc)
	return t
}

// smtpLine reads the text after the time of an `SMTP:` line.
func (*Parser) smtpLine(r *Record, text string) {
	attrs := r.Attributes
	attrs[AttrLogMessage] = text
	lower := strings.ToLower(text)
	switch {
	case strings.HasPrefix(lower, "new connection:"):
		attrs[AttrEventType] = EventSMTPConnection
		addr := strings.TrimSpace(text[len("new connection:"):])
		if ip, port := splitAddress(addr); ip != "" {
			attrs[AttrClientIP] = ip
			if port >= 0 {
				attrs[AttrClientPort] = int64(port)
			}
		}
	case strings.Contains(lower, "connection"):
		attrs[AttrEventType] = EventSMTPConnection
	default:
		addCommand(attrs, text)
		switch {
		case attrs[AttrSMTPCommand] == "AUTH" || strings.Contains(lower, "authenticat"):
			attrs[AttrEventType] = EventAuthentication
		case attrs[AttrSMTPCommand] != nil:
			attrs[AttrEventType] = EventSMTPCommand
		default:
			attrs[AttrEventType] = EventSession
		}
	}
}

// goStdLine reads `[PREFIX] 2006/01/02 15:04:05[.000000] message`.
func (p *Parser) goStdLine(head string, withRest func(string) string) (Record, bool) {
	s, prefix := head, ""
	if strings.HasPrefix(s, "[") {
		end := strings.IndexByte(s, ']')
		if end < 0 || end > 64 || end+1 >= len(s) || s[end+1] != ' ' {
			return Record{}, false
		}
		prefix, s = s[1:end], s[end+2:]
	}
	if !matchDigits(s, "dddd/dd/dd dd:dd:dd") {
		return Record{}, false
	}
	stamp, msg := s[:19], s[19:]
	if matchDigits(msg, ".dddddd") {
		stamp, msg = s[:26], s[26:]
	}
	if msg != "" && msg[0] != ' ' {
		return Record{}, false
	}
	r := Record{Format: FormatGoStd, Attributes: map[string]any{
		AttrLogMessage: withRest(strings.TrimPrefix(msg, " ")),
		AttrEventType:  EventSystem,
	}}
	r.Timestamp = p.parseLocal("2006/01/02 15:04:05.999999", stamp)
	if prefix != "" {
		r.Attributes[AttrComponent] = prefix
	}
	return r, true
}

// leveledLine reads `2006-01-02 15:04:05[.000] LEVEL message`, with a T
// between date and time, an optional Z, and the level optionally in brackets.
func (p *Parser) leveledLine(head string, withRest func(string) string) (Record, bool) {
	if !matchDigits(head, "dddd-dd-dd") || len(head) < 19 || (head[10] != ' ' && head[10] != 'T') ||
		!matchDigits(head[11:], "dd:dd:dd") {
		return Record{}, false
	}
	end := 19
	for end < len(head) && (head[end] == '.' || head[end] == ',' || isDigit(head[end])) {
		end++
	}
	utc := end < len(head) && head[end] == 'Z'
	if utc {
		end++
	}
	if end >= len(head) || head[end] != ' ' {
		return Record{}, false
	}
	word, msg, _ := strings.Cut(head[end+1:], " ")
	level := normaliseLevel(strings.Trim(word, "[]:"))
	if level == "" {
		return Record{}, false
	}
	r := Record{Format: FormatLeveled, Level: level, Attributes: map[string]any{
		AttrLogMessage: withRest(msg),
	}}
	stamp := strings.Replace(strings.Replace(head[:end], "T", " ", 1), ",", ".", 1)
	stamp = strings.TrimSuffix(stamp, "Z")
	loc := p.loc
	if utc {
		loc = time.UTC
	}
	if t, err := time.ParseInLocation("2006-01-02 15:04:05.999999999", stamp, loc); err == nil {
		r.Timestamp = t
	}
	lower := strings.ToLower(msg)
	switch {
	case level == "ERROR" || level == "FATAL":
		r.Attributes[AttrEventType] = EventError
	case strings.Contains(lower, "authenticat"):
		r.Attributes[AttrEventType] = EventAuthentication
	default:
		r.Attributes[AttrEventType] = EventSystem
	}
	return r, true
}

// matchDigits reports whether s starts with pattern, where 'd' stands for
// any ASCII digit and every other byte for itself.
func matchDigits(s, pattern string) bool {
	if len(s) < len(pattern) {
		return false
	}
	for i := 0; i < len(pattern); i++ {
		if pattern[i] == 'd' {
			if !isDigit(s[i]) {
				return false
			}
		} else if s[i] != pattern[i] {
			return false
		}
	}
	return true
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }
