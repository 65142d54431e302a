package substrtest

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestWithin(t *testing.T) {
	line := strings.Repeat("x", 8) + "client_ip=192.0.2.1" + strings.Repeat("y", 8)
	other := strings.Clone(line)
	tests := []struct {
		name string
		s    string
		want bool
	}{
		{"a substring", line[8:27], true},
		{"the whole line", line, true},
		{"its last byte", line[len(line)-1:], true},
		{"a copy of a substring", strings.Clone(line[8:27]), false},
		{"the same text elsewhere", other[8:27], false},
		{"empty", line[3:3], false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, Within(tt.s, line))
		})
	}
}
