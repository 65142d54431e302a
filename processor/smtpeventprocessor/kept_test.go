package smtpeventprocessor

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/processor/processortest"

	"github.com/elemta/otelcol-elemta/internal/recordstest"
	"github.com/elemta/otelcol-elemta/internal/substrtest"
	"github.com/elemta/otelcol-elemta/internal/vocabulary"
	"github.com/elemta/otelcol-elemta/processor/smtpeventprocessor/internal/metadata"
)

// TestKeptStringsDoNotHoldLines: the elemta receiver cuts a line's values
// out of the line, and the lines of one read share one string. What the
// processor keeps past a batch (sessions, reception times) and the values
// that label metric series (which the Prometheus exporter keeps for a day)
// are copies or the processor's own words, so that they hold on to no line.
func TestKeptStringsDoNotHoldLines(t *testing.T) {
	for _, name := range []string{"auth-session.log", "failed-login.log", "flow.log", "seed.log"} {
		t.Run(name, func(t *testing.T) {
			input := readLines(t, filepath.Join("testdata", name))
			var lines []string
			cut := 0 // values the receiver cut out of their line
			for _, lr := range recordstest.Of(input) {
				line := lr.Body().Str()
				lines = append(lines, line)
				for _, v := range lr.Attributes().All() {
					if v.Type() == pcommon.ValueTypeStr && substrtest.Within(v.Str(), line) {
						cut++
					}
				}
			}
			require.Positive(t, cut, "the receiver shares the lines' memory")
			inLine := func(s string) bool {
				for _, line := range lines {
					if substrtest.Within(s, line) {
						return true
					}
				}
				return false
			}

			p, err := newSMTPEventProcessor(processortest.NewNopSettings(metadata.Type), createDefaultConfig().(*Config))
			require.NoError(t, err)
			require.NoError(t, p.start(context.Background(), componenttest.NewNopHost()))
			defer func() { require.NoError(t, p.shutdown(context.Background())) }()
			out, err := p.processLogs(context.Background(), input)
			require.NoError(t, err)

			p.sessions.mu.Lock()
			for k, s := range p.sessions.byKey {
				assert.False(t, inLine(k.name), "session name %q", k.name)
				for _, v := range []string{s.clientIP, s.helo, s.user} {
					assert.False(t, inLine(v), "session value %q", v)
				}
			}
			p.sessions.mu.Unlock()
			for _, id := range p.receptions.Keys() {
				assert.False(t, inLine(id), "message id %q", id)
			}
			labels := []string{
				vocabulary.AttrEventType, vocabulary.AttrSMTPVerb, vocabulary.AttrAuthMechanism,
				vocabulary.AttrErrorComponent, vocabulary.AttrMessageStatus, vocabulary.AttrRejectionClass,
				vocabulary.AttrConnectionResult, vocabulary.AttrTLSResult, vocabulary.AttrTLSProtocolVersion,
				vocabulary.AttrMTAFlow, vocabulary.AttrEventOutcome, vocabulary.AttrLevel,
			}
			for _, lr := range recordstest.Of(out) {
				for _, key := range labels {
					if v, ok := lr.Attributes().Get(key); ok && v.Type() == pcommon.ValueTypeStr {
						assert.False(t, inLine(v.Str()), "label %s=%q", key, v.Str())
					}
				}
			}
		})
	}
}
