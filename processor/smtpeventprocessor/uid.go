package smtpeventprocessor // import "github.com/elemta/otelcol-elemta/processor/smtpeventprocessor"

import (
	"crypto/sha256"
	"encoding/base64"
	"strconv"
	"time"

	"go.opentelemetry.io/collector/pdata/plog"

	"github.com/elemta/otelcol-elemta/internal/vocabulary"
)

// putRecordUID gives the record its stable id (log.record.uid): the same
// line read again, after a restart or a rotation, gets the same id, so a
// backend that keys on it (the Elasticsearch document id) replaces what it
// already has instead of adding a copy.
func putRecordUID(lr plog.LogRecord, r *record, host string) {
	ts := lr.Timestamp()
	if ts == 0 {
		ts = lr.ObservedTimestamp()
	}
	lr.Attributes().PutStr(vocabulary.AttrRecordUID, recordUID(host, r, ts.AsTime(), lr.Body().AsString()))
}

// recordUID identifies a line by where it was read (host, file, offset)
// and what it says; a line without a position by its host, time and text.
func recordUID(host string, r *record, ts time.Time, line string) string {
	var stack [2048]byte // most lines fit: no allocation
	b := append(stack[:0], host...)
	b = append(b, 0)
	if r.path != "" && r.hasOffset {
		b = append(b, r.path...)
		b = append(b, 0)
		b = strconv.AppendInt(b, r.offset, 10)
	} else {
		b = strconv.AppendInt(b, ts.UnixNano(), 10)
	}
	b = append(b, 0)
	b = append(b, line...)
	sum := sha256.Sum256(b)
	return base64.RawURLEncoding.EncodeToString(sum[:18])
}
