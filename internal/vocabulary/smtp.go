package vocabulary // import "github.com/elemta/otelcol-elemta/internal/vocabulary"

// smtpVerbs are the commands an SMTP client sends: RFC 5321's, LMTP's
// LHLO (RFC 2033), BDAT (RFC 3030), STARTTLS (RFC 3207), AUTH (RFC 4954),
// ETRN (RFC 1985), ATRN (RFC 2645), and Postfix's XCLIENT.
var smtpVerbs = map[string]bool{
	"HELO": true, "EHLO": true, "LHLO": true, "MAIL": true, "RCPT": true, "DATA": true, "BDAT": true,
	"RSET": true, "NOOP": true, "QUIT": true, "VRFY": true, "EXPN": true, "HELP": true,
	"STARTTLS": true, "AUTH": true, "ETRN": true, "TURN": true, "ATRN": true, "XCLIENT": true,
}

// IsSMTPVerb reports whether verb, in upper case, is an SMTP command: the
// receiver reads a command line by it, and the smtpevent processor labels
// a command's metric with it (any other is "other", so that a client
// cannot add label values).
func IsSMTPVerb(verb string) bool { return smtpVerbs[verb] }
