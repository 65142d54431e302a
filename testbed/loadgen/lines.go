// Package loadgen is the testbed's load: it writes Elemta log lines of
// every shape at a given rate, each carrying a unique id and its write
// time, into files it rotates by rename or by copytruncate; it runs a
// collector as a child process and samples its CPU and memory; and it
// checks what the Elasticsearch double received against what was written.
package loadgen // import "github.com/elemta/otelcol-elemta/testbed/loadgen"

import (
	"fmt"
	"regexp"
	"strconv"
	"time"
)

// Shape is one kind of line Elemta (or a side logger of it) writes.
type Shape int

const (
	// ShapeJSON is current Elemta's slog JSON line.
	ShapeJSON Shape = iota
	// ShapeKeyValue is slog's text handler: key=value.
	ShapeKeyValue
	// ShapeSMTP is the older `SMTP: 2006-01-02 15:04:05 ...` text.
	ShapeSMTP
	// ShapeLeveled is `2006-01-02 15:04:05 LEVEL message`.
	ShapeLeveled
	// ShapeContinued is a leveled line with an indented continuation line.
	ShapeContinued
	shapes
)

// ShapeNames name the shapes in reports.
var ShapeNames = [shapes]string{"json", "key_value", "smtp", "leveled", "continued"}

// mix is the order shapes are written in: mostly JSON, as current Elemta
// writes, and every other shape.
var mix = []Shape{ShapeJSON, ShapeJSON, ShapeJSON, ShapeJSON, ShapeKeyValue, ShapeJSON, ShapeSMTP, ShapeJSON, ShapeLeveled, ShapeContinued}

// ShapeOf is the shape of line i of a run.
func ShapeOf(i int) Shape { return mix[i%len(mix)] }

// Line returns line i of a run, written at t: a line of its shape that
// carries `tbid=<i>:<unix nanoseconds of t>`.
func Line(i int, t time.Time) string {
	id := strconv.Itoa(i) + ":" + strconv.FormatInt(t.UnixNano(), 10)
	ip := fmt.Sprintf("192.0.2.%d", i%250+1)
	switch ShapeOf(i) {
	case ShapeJSON:
		return jsonLine(i, t, id, ip)
	case ShapeKeyValue:
		return fmt.Sprintf(`time=%s level=INFO msg="Connection accepted" component=smtp-server remote_addr=%s:25%03d tbid=%s`,
			t.UTC().Format(time.RFC3339Nano), ip, i%1000, id)
	case ShapeSMTP:
		return fmt.Sprintf("SMTP: %s new connection: %s:%d tbid=%s", t.UTC().Format(time.DateTime), ip, 1024+i%60000, id)
	case ShapeLeveled:
		return fmt.Sprintf("%s ERROR Failed to deliver message: connection refused tbid=%s", t.UTC().Format(time.DateTime), id)
	default:
		return fmt.Sprintf("%s WARN Queue retry scheduled tbid=%s\n\tnext attempt in 300s for message m-%d", t.UTC().Format(time.DateTime), id, i)
	}
}

// jsonLine cycles through the JSON events of a message's life.
func jsonLine(i int, t time.Time, id, ip string) string {
	at := t.UTC().Format(time.RFC3339Nano)
	switch i / len(mix) % 4 {
	case 0:
		return fmt.Sprintf(`{"time":%q,"level":"INFO","msg":"New connection","component":"smtp-server","client_ip":"%s:%d","session_id":"s-%d","tbid":%q}`, at, ip, 1024+i%60000, i, id)
	case 1:
		return fmt.Sprintf(`{"time":%q,"level":"INFO","msg":"SMTP command processed","component":"smtp-session","remote_addr":"%s:25","session_id":"s-%d","command":"MAIL FROM:<sender%d@example.org>","success":true,"tbid":%q}`, at, ip, i, i, id)
	case 2:
		return fmt.Sprintf(`{"time":%q,"level":"INFO","msg":"message_reception","component":"message-lifecycle","event_type":"reception","message_id":"m-%d","from":"sender%d@example.org","to":["rcpt%d@example.net"],"size":%d,"client_ip":%q,"tbid":%q}`, at, i, i, i, 800+i%4000, ip, id)
	default:
		return fmt.Sprintf(`{"time":%q,"level":"INFO","msg":"message_delivery","component":"message-lifecycle","event_type":"delivery","message_id":"m-%d","to":["rcpt%d@example.net"],"total_delay_ms":%d,"status":"delivered","tbid":%q}`, at, i, i, 100+i%5000, id)
	}
}

var idPattern = regexp.MustCompile(`tbid[=":]+(\d+):(\d+)`)

// ParseID finds the id of a line and its write time in a document's
// message; ok is false for a message without one.
func ParseID(message string) (id int, written time.Time, ok bool) {
	m := idPattern.FindStringSubmatch(message)
	if m == nil {
		return 0, time.Time{}, false
	}
	id, err1 := strconv.Atoi(m[1])
	ns, err2 := strconv.ParseInt(m[2], 10, 64)
	if err1 != nil || err2 != nil {
		return 0, time.Time{}, false
	}
	return id, time.Unix(0, ns), true
}
