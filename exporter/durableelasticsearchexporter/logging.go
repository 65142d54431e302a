package durableelasticsearchexporter // import "github.com/elemta/otelcol-elemta/exporter/durableelasticsearchexporter"

import "go.uber.org/zap/zapcore"

// innerRejectionMessage is what the inner, queue-less exporterhelper logs at
// error level for every failed attempt. Here it is untrue: the batch goes back
// to this exporter's retry and queue, so the message is demoted to debug.
const innerRejectionMessage = "Exporting failed. Rejecting data. Try enabling sending_queue to survive temporary failures."

// demoteInnerRejections wraps the inner exporter's logger core.
type demoteInnerRejections struct {
	zapcore.Core
}

func (c demoteInnerRejections) With(fields []zapcore.Field) zapcore.Core {
	return demoteInnerRejections{c.Core.With(fields)}
}

func (c demoteInnerRejections) Check(e zapcore.Entry, ce *zapcore.CheckedEntry) *zapcore.CheckedEntry {
	if e.Message == innerRejectionMessage {
		e.Level = zapcore.DebugLevel
	}
	if !c.Enabled(e.Level) {
		return ce
	}
	return c.Core.Check(e, ce)
}
