// Package jsonvalue stores the scalars of a JSON value (fastjson) in a
// pdata value with the one rule the elemta receiver's parser and the
// durable_elasticsearch exporter's documents made again both follow: a
// number written without a fraction or an exponent that fits an int64 is
// an integer, any other a double.
package jsonvalue // import "github.com/elemta/otelcol-elemta/internal/jsonvalue"

import (
	"github.com/valyala/fastjson"
	"go.opentelemetry.io/collector/pdata/pcommon"
)

// SetScalar stores v in dst when v is a number, true or false, and
// reports whether it did.
func SetScalar(dst pcommon.Value, v *fastjson.Value) bool {
	switch v.Type() {
	case fastjson.TypeNumber:
		var buf [32]byte
		if isIntegerText(v.MarshalTo(buf[:0])) {
			if n, err := v.Int64(); err == nil {
				dst.SetInt(n)
				return true
			}
		}
		dst.SetDouble(v.GetFloat64())
	case fastjson.TypeTrue:
		dst.SetBool(true)
	case fastjson.TypeFalse:
		dst.SetBool(false)
	default:
		return false
	}
	return true
}

func isIntegerText(b []byte) bool {
	for _, c := range b {
		if c == '.' || c == 'e' || c == 'E' {
			return false
		}
	}
	return true
}
