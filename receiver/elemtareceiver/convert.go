package elemtareceiver // import "github.com/elemta/otelcol-elemta/receiver/elemtareceiver"

import (
	"context"
	"time"

	"github.com/open-telemetry/opentelemetry-collector-contrib/pkg/stanza/fileconsumer/attrs"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"

	"github.com/elemta/otelcol-elemta/receiver/elemtareceiver/internal/elemtalog"
	"github.com/elemta/otelcol-elemta/receiver/elemtareceiver/internal/metadata"
)

// AttrIOStream is the Docker stream (stdout or stderr) of a container line.
const AttrIOStream = "log.iostream"

// converter turns the lines of one file read into log records.
type converter struct {
	parser        *elemtalog.Parser
	docker        bool
	maxLineSize   int
	includeOffset bool
	telemetry     *metadata.TelemetryBuilder
	byFormat      map[elemtalog.Format]metric.AddOption
}

// attributeRoom is room in each record's attributes for what follows the
// parse: the file's name, path and offset here, and the fields the
// distribution's smtpevent processor adds (flow, outcome, domains, GeoIP).
const attributeRoom = 28

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
		maxLineSize:   int(cfg.MaxLogSize),
		includeOffset: cfg.IncludeFileRecordOffset,
		telemetry:     tb,
		byFormat:      map[elemtalog.Format]metric.AddOption{},
	}
	for _, f := range elemtalog.Formats {
		c.byFormat[f] = metric.WithAttributeSet(attribute.NewSet(attribute.String("format", string(f))))
	}
	return c
}

// convert parses tokens (lines with their continuations) into one batch.
// offsets[i] is where token i starts in its file. count records the lines
// in the receiver's metrics; a batch converted again for a retry is not.
func (c *converter) convert(ctx context.Context, tokens [][]byte, fileAttrs map[string]any, offsets []int64, count bool) plog.Logs {
	ld := plog.NewLogs()
	sl := ld.ResourceLogs().AppendEmpty().ScopeLogs().AppendEmpty()
	sl.Scope().SetName(metadata.ScopeName)
	records := sl.LogRecords()
	records.EnsureCapacity(len(tokens))
	observed := pcommon.NewTimestampFromTime(time.Now())

	var read, unparsed, truncated, repaired int64
	for i, tok := range tokens {
		if len(tok) == 0 {
			continue
		}
		read++
		// The file consumer reads one byte more than max_log_size: a line
		// of exactly max_log_size bytes is whole, a longer one is cut here.
		cut := c.maxLineSize > 0 && len(tok) > c.maxLineSize
		if cut {
			tok = tok[:c.maxLineSize]
		}
		line := string(tok) // the file consumer reuses its buffer
		var stream string
		var streamTime time.Time
		if c.docker {
			line, stream, streamTime, _ = c.parser.UnwrapDocker(line)
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
			m.PutInt(attrs.LogFileRecordOffset, offsets[i])
		}
		if stream != "" {
			m.PutStr(AttrIOStream, stream)
		}
		if cut {
			m.PutBool(elemtalog.AttrTruncated, true)
			truncated++
		}
		if _, ok := m.Get(elemtalog.AttrUTF8Repaired); ok {
			repaired++
		}
		if rec.Format == elemtalog.FormatUnparsed {
			unparsed++
		} else if count {
			c.telemetry.ReceiverElemtaLinesParsed.Add(ctx, 1, c.byFormat[rec.Format])
		}
	}

	if !count {
		return ld
	}
	c.telemetry.ReceiverElemtaLinesRead.Add(ctx, read)
	if unparsed > 0 {
		c.telemetry.ReceiverElemtaLinesUnparsed.Add(ctx, unparsed)
	}
	if truncated > 0 {
		c.telemetry.ReceiverElemtaLinesTruncated.Add(ctx, truncated)
	}
	if repaired > 0 {
		c.telemetry.ReceiverElemtaLinesRepaired.Add(ctx, repaired)
	}
	return ld
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
