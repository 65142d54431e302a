package elemtareceiver // import "github.com/elemta/otelcol-elemta/receiver/elemtareceiver"

import (
	"context"
	"fmt"
	"strings"
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"

	"github.com/elemta/otelcol-elemta/internal/recordroom"
	"github.com/elemta/otelcol-elemta/internal/vocabulary"
	"github.com/elemta/otelcol-elemta/receiver/elemtareceiver/internal/elemtalog"
	"github.com/elemta/otelcol-elemta/receiver/elemtareceiver/internal/metadata"
)

// converter turns the lines of one file read into log records.
type converter struct {
	parser        *elemtalog.Parser
	docker        bool
	cri           bool
	maxLineSize   int
	includeOffset bool
	telemetry     *metadata.TelemetryBuilder
	byFormat      map[vocabulary.Format]metric.AddOption
}

// attributeRoom is room in each record's attributes for what follows the
// parse: the file's name, path, offset and identity here, and what the
// smtpevent processor adds.
const attributeRoom = 4 + recordroom.AttributesAdded

// newParser returns the receiver's line parser.
func newParser(loc *time.Location) *elemtalog.Parser {
	p := elemtalog.NewParser(loc)
	p.Room = attributeRoom
	return p
}

func newConverter(p *elemtalog.Parser, cfg *Config, tb *metadata.TelemetryBuilder) *converter {
	c := &converter{
		parser:        p,
		docker:        cfg.Format == FormatDocker,
		cri:           cfg.Format == FormatCRI,
		maxLineSize:   int(cfg.MaxLogSize),
		includeOffset: cfg.IncludeFileRecordOffset,
		telemetry:     tb,
		byFormat:      map[vocabulary.Format]metric.AddOption{},
	}
	for _, f := range vocabulary.Formats {
		c.byFormat[f] = metric.WithAttributeSet(attribute.NewSet(attribute.String("format", string(f))))
	}
	return c
}

// convert parses the lines (with their continuations) of reads into one
// batch. count records the lines in the receiver's metrics; a batch
// converted again for a retry is not.
func (c *converter) convert(ctx context.Context, reads []linesRead, count bool) plog.Logs {
	ld := plog.NewLogs()
	sl := ld.ResourceLogs().AppendEmpty().ScopeLogs().AppendEmpty()
	sl.Scope().SetName(metadata.ScopeName)
	records := sl.LogRecords()
	n := 0
	for _, rd := range reads {
		n += len(rd.lines)
	}
	records.EnsureCapacity(n)
	observed := pcommon.NewTimestampFromTime(time.Now())

	var lines lineCounts
	for _, rd := range reads {
		c.convertRead(records, rd, observed, &lines)
	}
	if count {
		lines.record(ctx, c.telemetry, c.byFormat)
	}
	return ld
}

// lineCounts are the receiver's line metrics of one batch.
type lineCounts struct {
	read, unparsed, truncated, repaired int64
	parsed                              map[vocabulary.Format]int64
}

func (n lineCounts) record(ctx context.Context, tb *metadata.TelemetryBuilder, byFormat map[vocabulary.Format]metric.AddOption) {
	tb.ReceiverElemtaLinesRead.Add(ctx, n.read)
	for f, parsed := range n.parsed {
		tb.ReceiverElemtaLinesParsed.Add(ctx, parsed, byFormat[f])
	}
	if n.unparsed > 0 {
		tb.ReceiverElemtaLinesUnparsed.Add(ctx, n.unparsed)
	}
	if n.truncated > 0 {
		tb.ReceiverElemtaLinesTruncated.Add(ctx, n.truncated)
	}
	if n.repaired > 0 {
		tb.ReceiverElemtaLinesRepaired.Add(ctx, n.repaired)
	}
}

// convertRead appends the records of one read. offsets[i] is where token
// i starts in its file.
func (c *converter) convertRead(records plog.LogRecordSlice, rd linesRead, observed pcommon.Timestamp, n *lineCounts) {
	var join criJoin
	for i, line := range rd.lines {
		if line == "" {
			continue
		}
		n.read++
		// The file consumer reads one byte more than max_log_size: a line
		// of exactly max_log_size bytes is whole, a longer one is cut here.
		cut := c.maxLineSize > 0 && len(line) > c.maxLineSize
		if cut {
			line = line[:c.maxLineSize]
		}
		u, whole := c.unwrap(&join, line, rd.offsets[i], i == len(rd.lines)-1)
		if !whole {
			continue // the next lines complete the message
		}
		c.record(records.AppendEmpty(), u, rd, observed, cut, n)
	}
}

// unwrapped is a line out of its container runtime's record.
type unwrapped struct {
	line   string
	stream string    // stdout or stderr; empty for a file Elemta wrote
	at     time.Time // when the runtime took the line
	offset int64     // where the line (the first piece of a joined one) starts
}

// unwrap takes a line out of the container runtime's record (format
// docker or cri). A CRI message split in pieces is joined: whole is false
// while join holds pieces the next lines complete. A line that is not in
// the format configured (a line written before the container's logging
// changed, say) is read as it is.
func (c *converter) unwrap(join *criJoin, line string, offset int64, last bool) (u unwrapped, whole bool) {
	u = unwrapped{line: line, offset: offset}
	switch {
	case c.docker:
		if inner, stream, at, ok := c.parser.UnwrapDocker(line); ok {
			u.line, u.stream, u.at = inner, stream, at
		}
	case c.cri:
		inner, stream, at, partial, ok := elemtalog.UnwrapCRI(line)
		if ok && partial && !last {
			join.add(inner, offset)
			return u, false
		}
		if join.active {
			inner, u.offset = join.text.String()+inner, join.offset
			*join = criJoin{}
		}
		u.line, u.stream, u.at = inner, stream, at
	}
	return u, true
}

// record fills lr with the record of one line.
func (c *converter) record(lr plog.LogRecord, u unwrapped, rd linesRead, observed pcommon.Timestamp, cut bool, n *lineCounts) {
	m := lr.Attributes()
	rec := c.parser.ParseInto(u.line, m)
	lr.Body().SetStr(rec.Line)
	lr.SetObservedTimestamp(observed)
	switch {
	case !rec.Timestamp.IsZero():
		lr.SetTimestamp(pcommon.NewTimestampFromTime(rec.Timestamp))
	case !u.at.IsZero():
		lr.SetTimestamp(pcommon.NewTimestampFromTime(u.at))
	}
	if rec.Level != "" {
		lr.SetSeverityText(rec.Level)
		lr.SetSeverityNumber(severity(rec.Level))
	}
	for k, v := range rd.fileAttrs {
		putValue(m, k, v)
	}
	if c.includeOffset {
		m.PutInt(vocabulary.AttrFileRecordOffset, u.offset)
	}
	if id := rd.head.identityAt(u.offset); id != "" {
		m.PutStr(vocabulary.AttrFileIdentity, id)
	}
	if u.stream != "" {
		m.PutStr(vocabulary.AttrIOStream, u.stream)
	}
	if cut {
		m.PutBool(vocabulary.AttrTruncated, true)
		n.truncated++
	}
	if _, ok := m.Get(vocabulary.AttrUTF8Repaired); ok {
		n.repaired++
	}
	if rec.Format == vocabulary.FormatUnparsed {
		n.unparsed++
	} else {
		if n.parsed == nil {
			n.parsed = map[vocabulary.Format]int64{}
		}
		n.parsed[rec.Format]++
	}
}

// criJoin gathers the pieces of a message the container runtime split
// into partial (P) lines; the record takes the offset of the first piece.
// A message whose last piece is not yet written when a read ends becomes
// a record of what was read.
type criJoin struct {
	text   strings.Builder
	offset int64
	active bool
}

func (j *criJoin) add(piece string, offset int64) {
	if !j.active {
		j.offset, j.active = offset, true
	}
	j.text.WriteString(piece)
}

// putValue puts a file attribute of the file consumer (the file's name,
// path, owner, ...) on a record. A value pcommon cannot hold is put as its
// text rather than lost.
func putValue(m pcommon.Map, k string, v any) {
	if err := m.PutEmpty(k).FromRaw(v); err != nil {
		m.PutStr(k, fmt.Sprint(v))
	}
}

func severity(level string) plog.SeverityNumber {
	switch level {
	case "DEBUG":
		return plog.SeverityNumberDebug
	case "INFO":
		return plog.SeverityNumberInfo
	case "WARN":
		return plog.SeverityNumberWarn
	case "ERROR":
		return plog.SeverityNumberError
	case "FATAL":
		return plog.SeverityNumberFatal
	}
	return plog.SeverityNumberUnspecified
}
