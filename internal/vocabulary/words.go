package vocabulary // import "github.com/elemta/otelcol-elemta/internal/vocabulary"

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

// SASLMechanisms are the SASL mechanisms an SMTP AUTH command names (the
// IANA registry's in use for mail, RFC 4954): the smtpevent processor
// scrubs the initial response after one and labels attempts with it.
var SASLMechanisms = NewWordSet(
	"PLAIN", "LOGIN", "CRAM-MD5", "DIGEST-MD5", "XOAUTH2", "OAUTHBEARER",
	"SCRAM-SHA-1", "SCRAM-SHA-256", "NTLM", "GSSAPI", "ANONYMOUS", "EXTERNAL",
)
