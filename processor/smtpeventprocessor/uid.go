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
// already has instead of adding a copy. The file identity the id is made
// from has served its purpose then and leaves the record.
func putRecordUID(lr plog.LogRecord, r *record, host string) {
	ts := lr.Timestamp()
	if ts == 0 {
		ts = lr.ObservedTimestamp()
	}
	attrs := lr.Attributes()
	attrs.PutStr(vocabulary.AttrRecordUID, recordUID(host, r, ts.AsTime(), lr.Body().AsString()))
	if r.fileIdentity != "" {
		attrs.Remove(vocabulary.AttrFileIdentity)
	}
}

// recordUID identifies a line by where it was read (host, file identity,
// offset) and what it says; a line without a place in a file by its host,
// time and text. The file's identity, not its name, stands for the file: a
// rename or a copy keeps it (see log.file.identity), and the host tells
// apart two servers writing the same lines at the same offsets.
func recordUID(host string, r *record, ts time.Time, line string) string {
	var stack [2048]byte // most lines fit: no allocation
	b := append(stack[:0], host...)
	b = append(b, 0)
	if r.fileIdentity != "" && r.hasOffset {
		b = append(b, r.fileIdentity...)
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
