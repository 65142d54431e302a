package elemtalog // import "github.com/elemta/otelcol-elemta/receiver/elemtareceiver/internal/elemtalog"

import (
	"strings"
	"time"

	"github.com/elemta/otelcol-elemta/internal/vocabulary"
)

// parseText recognises the text shapes by their fixed prefixes: the older
// `SMTP:` lines, Go's standard logger, `<date> <time> <LEVEL>` lines; any
// other readable line is plain text. rest holds joined continuation lines.
func (p *Parser) parseText(r *Record, first, rest string) {
	head := strings.TrimLeft(first, " \t")
	withRest := func(msg string) string {
		if rest == "" {
			return msg
		}
		return msg + "\n" + rest
	}

	if after, ok := strings.CutPrefix(head, "SMTP: "); ok && matchDigits(after, "dddd-dd-dd dd:dd:dd ") {
		r.Format = vocabulary.FormatSMTP
		r.Timestamp = p.parseLocal("2006-01-02 15:04:05", after[:19])
		smtpLine(r, withRest(after[20:]))
		return
	}
	if p.goStdLine(r, head, withRest) || p.leveledLine(r, head, withRest) {
		return
	}
	if isBinary(first) {
		r.unparsed("binary data")
		return
	}
	r.Format = vocabulary.FormatPlain
	r.Attributes.PutStr(vocabulary.AttrLogMessage, withRest(first))
	for _, pfx := range []string{"WARNING:", "WARN:", "ERROR:", "FATAL:", "INFO:", "DEBUG:"} {
		if strings.HasPrefix(head, pfx) {
			r.Level = normaliseLevel(pfx[:len(pfx)-1])
			break
		}
	}
	if r.Level == "ERROR" || r.Level == "FATAL" {
		r.Attributes.PutStr(vocabulary.AttrEventType, vocabulary.EventError)
	} else {
		r.Attributes.PutStr(vocabulary.AttrEventType, vocabulary.EventSystem)
	}
}

// parseLocal reads a time without a zone; a malformed one is the zero time.
func (p *Parser) parseLocal(layout, s string) time.Time {
	t, _ := time.ParseInLocation(layout, s, p.loc)
	return t
}

// smtpLine reads the text after the time of an `SMTP:` line.
func smtpLine(r *Record, text string) {
	attrs := r.Attributes
	attrs.PutStr(vocabulary.AttrLogMessage, text)
	lower := strings.ToLower(text)
	switch {
	case strings.HasPrefix(lower, "new connection:"):
		attrs.PutStr(vocabulary.AttrEventType, vocabulary.EventSMTPConnection)
		putAddress(attrs, strings.TrimSpace(text[len("new connection:"):]))
	case strings.Contains(lower, "connection"):
		attrs.PutStr(vocabulary.AttrEventType, vocabulary.EventSMTPConnection)
	default:
		addCommand(attrs, text)
		cmd, hasCommand := attrs.Get(vocabulary.AttrSMTPCommand)
		switch {
		case (hasCommand && cmd.Str() == "AUTH") || strings.Contains(lower, "authenticat"):
			attrs.PutStr(vocabulary.AttrEventType, vocabulary.EventAuthentication)
		case hasCommand:
			attrs.PutStr(vocabulary.AttrEventType, vocabulary.EventSMTPCommand)
		default:
			attrs.PutStr(vocabulary.AttrEventType, vocabulary.EventSession)
		}
	}
}

// goStdLine reads `[PREFIX] 2006/01/02 15:04:05[.000000] message`.
func (p *Parser) goStdLine(r *Record, head string, withRest func(string) string) bool {
	s, prefix := head, ""
	if strings.HasPrefix(s, "[") {
		end := strings.IndexByte(s, ']')
		if end < 0 || end > 64 || end+1 >= len(s) || s[end+1] != ' ' {
			return false
		}
		prefix, s = s[1:end], s[end+2:]
	}
	if !matchDigits(s, "dddd/dd/dd dd:dd:dd") {
		return false
	}
	stamp, msg := s[:19], s[19:]
	if matchDigits(msg, ".dddddd") {
		stamp, msg = s[:26], s[26:]
	}
	if msg != "" && msg[0] != ' ' {
		return false
	}
	r.Format = vocabulary.FormatGoStd
	r.Timestamp = p.parseLocal("2006/01/02 15:04:05.999999", stamp)
	r.Attributes.PutStr(vocabulary.AttrLogMessage, withRest(strings.TrimPrefix(msg, " ")))
	r.Attributes.PutStr(vocabulary.AttrEventType, vocabulary.EventSystem)
	if prefix != "" {
		r.Attributes.PutStr(vocabulary.AttrComponent, prefix)
	}
	return true
}

// leveledLine reads `2006-01-02 15:04:05[.000] LEVEL message`, with a T
// between date and time, an optional Z, and the level optionally in brackets.
func (p *Parser) leveledLine(r *Record, head string, withRest func(string) string) bool {
	if !matchDigits(head, "dddd-dd-dd") || len(head) < 19 || (head[10] != ' ' && head[10] != 'T') ||
		!matchDigits(head[11:], "dd:dd:dd") {
		return false
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
		return false
	}
	word, msg, _ := strings.Cut(head[end+1:], " ")
	level := normaliseLevel(strings.Trim(word, "[]:"))
	if level == "" {
		return false
	}
	r.Format = vocabulary.FormatLeveled
	r.Level = level
	r.Attributes.PutStr(vocabulary.AttrLogMessage, withRest(msg))
	stamp := strings.Replace(strings.Replace(head[:end], "T", " ", 1), ",", ".", 1)
	stamp = strings.TrimSuffix(stamp, "Z")
	loc := p.loc
	if utc {
		loc = time.UTC
	}
	if t, err := time.ParseInLocation("2006-01-02 15:04:05.999999999", stamp, loc); err == nil {
		r.Timestamp = t
	}
	switch {
	case level == "ERROR" || level == "FATAL":
		r.Attributes.PutStr(vocabulary.AttrEventType, vocabulary.EventError)
	case strings.Contains(msg, "uthenticat"):
		r.Attributes.PutStr(vocabulary.AttrEventType, vocabulary.EventAuthentication)
	default:
		r.Attributes.PutStr(vocabulary.AttrEventType, vocabulary.EventSystem)
	}
	return true
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
