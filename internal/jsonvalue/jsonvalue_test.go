package jsonvalue

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/valyala/fastjson"
	"go.opentelemetry.io/collector/pdata/pcommon"
)

func TestSetScalar(t *testing.T) {
	tests := []struct {
		json string
		want any // nil: not a scalar, left alone
	}{
		{"59115", int64(59115)},
		{"-7", int64(-7)},
		{"1800000000000", int64(1800000000000)},
		{"2.0", 2.0},
		{"1.5", 1.5},
		{"1e-9", 1e-9},
		{"2E3", 2000.0},
		{"18446744073709551616", 18446744073709551616.0}, // past int64
		{"true", true},
		{"false", false},
		{`"59115"`, nil},
		{"null", nil},
		{"[1]", nil},
		{`{"a":1}`, nil},
	}
	for _, tt := range tests {
		t.Run(tt.json, func(t *testing.T) {
			v, err := fastjson.Parse(tt.json)
			require.NoError(t, err)
			dst := pcommon.NewValueEmpty()
			assert.Equal(t, tt.want != nil, SetScalar(dst, v))
			if tt.want == nil {
				assert.Equal(t, pcommon.ValueTypeEmpty, dst.Type())
				return
			}
			assert.Equal(t, tt.want, dst.AsRaw())
		})
	}
}
