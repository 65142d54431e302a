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
