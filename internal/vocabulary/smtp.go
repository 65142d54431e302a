package vocabulary // import "github.com/elemta/otelcol-elemta/internal/vocabulary"

// smtpVerbs are the commands an SMTP client sends: RFC 5321's, LMTP's
// LHLO (RFC 2033), BDAT (RFC 3030), STARTTLS (RFC 3207), AUTH (RFC 4954),
// ETRN (RFC 1985), ATRN (RFC 2645), and Postfix's XCLIENT.
var smtpVerbs = NewWordSet(
	"HELO", "EHLO", "LHLO", "MAIL", "RCPT", "DATA", "BDAT",
	"RSET", "NOOP", "QUIT", "VRFY", "EXPN", "HELP",
	"STARTTLS", "AUTH", "ETRN", "TURN", "ATRN", "XCLIENT",
)

// IsSMTPVerb reports whether verb, in upper case, is an SMTP command: the
// receiver reads a command line by it, and the smtpevent processor labels
// a command's metric with it (any other is "other", so that a client
// cannot add label values).
func IsSMTPVerb(verb string) bool {
	_, ok := smtpVerbs.Word(verb)
	return ok
}

// SMTPVerb returns verb, in upper case, as the set's own string when it is
// an SMTP command.
func SMTPVerb(verb string) (string, bool) { return smtpVerbs.Word(verb) }

// WordSet is a fixed set of words that hands out its own copy of a word it
// holds: a label value kept for a long time (a metric series', say) then
// holds on to nothing else, not the log line the word was read from.
type WordSet map[string]string

// NewWordSet returns the set of words.
func NewWordSet(words ...string) WordSet {
	s := make(WordSet, len(words))
	for _, w := range words {
		s[w] = w
	}
	return s
}

// Word returns the set's string equal to w, if it holds one.
func (s WordSet) Word(w string) (string, bool) {
	own, ok := s[w]
	return own, ok
}
