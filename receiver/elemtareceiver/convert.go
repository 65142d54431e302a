package elemtareceiver // import "github.com/elemta/otelcol-elemta/receiver/elemtareceiver"

import (
	"context"
	"strings"
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"

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
const attributeRoom = 4 + vocabulary.AttributesAdded

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
		c.convertRead(ctx, records, rd, observed, count, &lines)
	}
	if count {
		lines.record(ctx, c.telemetry)
	}
	return ld
}

// lineCounts are the receiver's line metrics of one batch.
type lineCounts struct {
	read, unparsed, truncated, repaired int64
}

func (n lineCounts) record(ctx context.Context, tb *metadata.TelemetryBuilder) {
	tb.ReceiverElemtaLinesRead.Add(ctx, n.read)
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
func (c *converter) convertRead(ctx context.Context, records plog.LogRecordSlice, rd linesRead, observed pcommon.Timestamp, count bool, n *lineCounts) {
	fileAttrs, offsets := rd.fileAttrs, rd.offsets
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
		var stream string
		var streamTime time.Time
		offset := offsets[i]
		switch {
		case c.docker:
			line, stream, streamTime, _ = c.parser.UnwrapDocker(line)
		case c.cri:
			inner, s, at, partial, ok := elemtalog.UnwrapCRI(line)
			if ok && partial && i < len(rd.lines)-1 {
				join.add(inner, offset) // the next lines complete the message
				continue
			}
			if join.active {
				inner, offset = join.text.String()+inner, join.offset
				join = criJoin{}
			}
			line, stream, streamTime = inner, s, at
		}
		lr := records.AppendEmpty()
		m := lr.Attributes()
		rec := c.parser.ParseInto(line, m)

		lr.Body().SetStr(rec.Line)
		lr.SetObservedTimestamp(observed)
		switch {
		case !rec.Timestamp.IsZero():
			lr.SetTimestamp(pcommon.NewTimestampFromTime(rec.Timestamp))
		case !streamTime.IsZero():
			lr.SetTimestamp(pcommon.NewTimestampFromTime(streamTime))
		}
		if rec.Level != "" {
			lr.SetSeverityText(rec.Level)
			lr.SetSeverityNumber(severity(rec.Level))
		}

		for k, v := range fileAttrs {
			putValue(m, k, v)
		}
		if c.includeOffset {
			m.PutInt(vocabulary.AttrFileRecordOffset, offset)
		}
		if id := rd.head.identityAt(offset); id != "" {
			m.PutStr(vocabulary.AttrFileIdentity, id)
		}
		if stream != "" {
			m.PutStr(vocabulary.AttrIOStream, stream)
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
		} else if count {
			c.telemetry.ReceiverElemtaLinesParsed.Add(ctx, 1, c.byFormat[rec.Format])
		}
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

// putValue stores a parsed value with its type.
func putValue(m pcommon.Map, k string, v any) {
	switch v := v.(type) {
	case string:
		m.PutStr(k, v)
	case int64:
		m.PutInt(k, v)
	case float64:
		m.PutDouble(k, v)
	case bool:
		m.PutBool(k, v)
	case []any:
		_ = m.PutEmptySlice(k).FromRaw(v)
	case map[string]any:
		_ = m.PutEmptyMap(k).FromRaw(v)
	default:
		_ = m.PutEmpty(k).FromRaw(v)
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
