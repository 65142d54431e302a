package elemtainput // import "github.com/elemta/otelcol-elemta/receiver/elemtareceiver/internal/elemtainput"

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/open-telemetry/opentelemetry-collector-contrib/pkg/stanza/entry"
	"github.com/open-telemetry/opentelemetry-collector-contrib/pkg/stanza/fileconsumer"
	"github.com/open-telemetry/opentelemetry-collector-contrib/pkg/stanza/fileconsumer/attrs"
	"github.com/open-telemetry/opentelemetry-collector-contrib/pkg/stanza/operator"
	"github.com/open-telemetry/opentelemetry-collector-contrib/pkg/stanza/operator/helper"
	"github.com/valyala/fastjson"
	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"

	"github.com/elemta/otelcol-elemta/receiver/elemtareceiver/internal/elemtalog"
	"github.com/elemta/otelcol-elemta/receiver/elemtareceiver/internal/metadata"
)

// AttrIOStream is the Docker stream (stdout or stderr) of a container line.
const AttrIOStream = "log.iostream"

// Input tails files and emits one parsed entry per log line.
type Input struct {
	helper.InputOperator

	consumer      *fileconsumer.Manager
	parser        *elemtalog.Parser
	docker        fastjson.ParserPool
	isDocker      bool
	maxLineSize   int
	includeOffset bool

	telemetry    *metadata.TelemetryBuilder
	parsedByType map[elemtalog.Format]metric.AddOption
}

func newInput(c Config, set component.TelemetrySettings) (*Input, error) {
	base, err := c.InputConfig.Build(set)
	if err != nil {
		return nil, err
	}
	loc, err := time.LoadLocation(c.Timezone)
	if err != nil {
		return nil, fmt.Errorf("timezone: %w", err)
	}
	tb, err := metadata.NewTelemetryBuilder(set)
	if err != nil {
		return nil, fmt.Errorf("telemetry: %w", err)
	}
	in := &Input{
		InputOperator: base,
		parser:        elemtalog.NewParser(loc),
		isDocker:      c.Format == FormatDocker,
		maxLineSize:   int(c.MaxLogSize),
		includeOffset: c.IncludeFileRecordOffset,
		telemetry:     tb,
		parsedByType:  map[elemtalog.Format]metric.AddOption{},
	}
	for _, f := range elemtalog.Formats {
		in.parsedByType[f] = metric.WithAttributeSet(attribute.NewSet(attribute.String("format", string(f))))
	}

	// Bytes are handed over as they are: the parser repairs invalid UTF-8
	// and flags it, and no whitespace is trimmed.
	fc := c.Config
	fc.Encoding = "nop"
	in.consumer, err = fc.Build(set, in.emitBatch, fileconsumer.WithSplitFunc(elemtalog.SplitLines))
	if err != nil {
		return nil, err
	}
	return in, nil
}

// Start starts tailing; the persister holds the file checkpoints.
func (in *Input) Start(persister operator.Persister) error {
	return in.consumer.Start(persister)
}

// Stop stops tailing and saves the checkpoints.
func (in *Input) Stop() error {
	err := in.consumer.Stop()
	in.telemetry.Shutdown()
	return err
}

// emitBatch receives the lines the file consumer read from one file, with
// the file's attributes and the offset at which each line starts.
func (in *Input) emitBatch(ctx context.Context, tokens [][]byte, fileAttrs map[string]any, _ int64, offsets []int64) error {
	entries := make([]*entry.Entry, 0, len(tokens))
	for k, tok := range tokens {
		if len(tok) == 0 {
			continue
		}
		e, err := in.entry(ctx, tok)
		if err != nil {
			return err
		}
		for key, v := range fileAttrs {
			e.Attributes[key] = v
		}
		if in.includeOffset {
			e.Attributes[attrs.LogFileRecordOffset] = offsets[k]
		}
		entries = append(entries, e)
	}
	return in.WriteBatch(ctx, entries)
}

// entry parses one line into an entry and counts the outcome.
func (in *Input) entry(ctx context.Context, tok []byte) (*entry.Entry, error) {
	in.telemetry.ReceiverElemtaLinesRead.Add(ctx, 1)
	truncated := in.maxLineSize > 0 && len(tok) >= in.maxLineSize

	line := string(tok) // the file consumer reuses its buffer
	var stream string
	var streamTime time.Time
	if in.isDocker {
		line, stream, streamTime = in.unwrapDocker(line)
	}

	rec := in.parser.Parse(line)
	e, err := in.NewEntry(rec.Line)
	if err != nil {
		return nil, fmt.Errorf("create entry: %w", err)
	}
	if len(e.Attributes) == 0 {
		e.Attributes = rec.Attributes // the parser's map is this entry's own
	} else {
		for k, v := range rec.Attributes {
			e.Attributes[k] = v
		}
	}
	switch {
	case !rec.Timestamp.IsZero():
		e.Timestamp = rec.Timestamp
	case !streamTime.IsZero():
		e.Timestamp = streamTime
	}
	e.Severity, e.SeverityText = severity(rec.Level)
	if stream != "" {
		e.Attributes[AttrIOStream] = stream
	}

	if rec.Format == elemtalog.FormatUnparsed {
		in.telemetry.ReceiverElemtaLinesUnparsed.Add(ctx, 1)
	} else {
		in.telemetry.ReceiverElemtaLinesParsed.Add(ctx, 1, in.parsedByType[rec.Format])
	}
	if truncated {
		e.Attributes[elemtalog.AttrTruncated] = true
		in.telemetry.ReceiverElemtaLinesTruncated.Add(ctx, 1)
	}
	if rec.Attributes[elemtalog.AttrUTF8Repaired] == true {
		in.telemetry.ReceiverElemtaLinesRepaired.Add(ctx, 1)
	}
	return e, nil
}

// unwrapDocker returns the line inside a Docker json-file record
// ({"log":"...\n","stream":"stdout","time":"..."}), its stream and time. A
// line that is not such a record comes back unchanged.
func (in *Input) unwrapDocker(line string) (string, string, time.Time) {
	p := in.docker.Get()
	defer in.docker.Put(p)
	v, err := p.Parse(line)
	if err != nil || v.Type() != fastjson.TypeObject || v.Get("log") == nil {
		return line, "", time.Time{}
	}
	inner := strings.TrimSuffix(string(v.GetStringBytes("log")), "\n")
	stream := string(v.GetStringBytes("stream"))
	ts, _ := time.Parse(time.RFC3339Nano, string(v.GetStringBytes("time")))
	return inner, stream, ts
}

func severity(level string) (entry.Severity, string) {
	switch level {
	case "DEBUG":
		return entry.Debug, level
	case "INFO":
		return entry.Info, level
	case "WARN":
		return entry.Warn, level
	case "ERROR":
		return entry.Error, level
	case "FATAL":
		return entry.Fatal, level
	}
	return entry.Default, ""
}
