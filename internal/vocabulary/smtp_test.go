package vocabulary

import (
	"testing"

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
