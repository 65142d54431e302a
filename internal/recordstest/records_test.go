package recordstest

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"go.opentelemetry.io/collector/pdata/plog"
)

func TestOf(t *testing.T) {
	batch := func(scopes ...[]string) plog.Logs {
		ld := plog.NewLogs()
		for _, bodies := range scopes {
			sl := ld.ResourceLogs().AppendEmpty().ScopeLogs().AppendEmpty()
			for _, b := range bodies {
				sl.LogRecords().AppendEmpty().Body().SetStr(b)
			}
		}
		return ld
	}
	tests := []struct {
		name string
		ld   plog.Logs
		want []string
	}{
		{"empty", plog.NewLogs(), []string{}},
		{"one scope", batch([]string{"a", "b"}), []string{"a", "b"}},
		{"in order across resources", batch([]string{"a"}, nil, []string{"b", "c"}), []string{"a", "b", "c"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := []string{}
			for _, lr := range Of(tt.ld) {
				got = append(got, lr.Body().Str())
			}
			assert.Equal(t, tt.want, got)
		})
	}
}
