package vocabulary

import (
	"testing"
	"unsafe"

	"github.com/stretchr/testify/assert"
)

func TestIsSMTPVerb(t *testing.T) {
	tests := []struct {
		verb string
		want bool
	}{
		{"EHLO", true},
		{"RCPT", true},
		{"STARTTLS", true},
		{"ATRN", true},
		{"XCLIENT", true},
		{"ehlo", false},
		{"GET", false},
		{"", false},
	}
	for _, tt := range tests {
		t.Run(tt.verb, func(t *testing.T) { assert.Equal(t, tt.want, IsSMTPVerb(tt.verb)) })
	}
}

// TestSMTPVerbIsTheSetsOwnString: a verb read from a line comes back as the
// set's string, which holds on to nothing else.
func TestSMTPVerbIsTheSetsOwnString(t *testing.T) {
	line := "SMTP: 2024-01-15 10:30:46 EHLO client.example.com"
	read := line[len("SMTP: 2024-01-15 10:30:46 "):][:4]
	own, ok := SMTPVerb(read)
	assert.True(t, ok)
	assert.Equal(t, "EHLO", own)
	assert.NotSame(t, unsafe.StringData(read), unsafe.StringData(own))
	_, ok = SMTPVerb("GET")
	assert.False(t, ok)
}
