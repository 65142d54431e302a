package elemtalog

import (
	"context"
	"testing"
	"time"

	"github.com/open-telemetry/opentelemetry-collector-contrib/pkg/stanza/entry"
	"github.com/open-telemetry/opentelemetry-collector-contrib/pkg/stanza/operator"
	"github.com/open-telemetry/opentelemetry-collector-contrib/pkg/stanza/operator/output/drop"
	"github.com/open-telemetry/opentelemetry-collector-contrib/pkg/stanza/operator/parser/container"
	"go.opentelemetry.io/collector/component/componenttest"
)

// BenchmarkContainerUnwrap takes Elemta's line out of a Docker json-file
// record, and out of a CRI line, as the receiver does (UnwrapDocker,
// UnwrapCRI), beside stanza's container parser (format docker and
// containerd, no metadata from the file path) doing the same to an entry
// whose body is the record. The receiver needs the line as a string to
// parse it next; stanza's parser makes an entry with the line in its body
// and the stream and time as attributes.
func BenchmarkContainerUnwrap(b *testing.B) {
	const line = `{"time":"2026-11-25T17:42:57.441Z","level":"INFO","msg":"SMTP command received","component":"smtp-session","session_id":"b1f0","remote_addr":"203.0.113.7:52114","command":"MAIL FROM:<alice@example.com>"}`
	docker := `{"log":"` + jsonEscape(line) + `\n","stream":"stdout","time":"2026-11-25T17:42:57.441912345Z"}`
	cri := "2026-11-25T17:42:57.441912345Z stdout F " + line

	b.Run("ours/docker", func(b *testing.B) {
		p := NewParser(time.UTC)
		b.ReportAllocs()
		for b.Loop() {
			if _, _, _, ok := p.UnwrapDocker(docker); !ok {
				b.Fatal("not unwrapped")
			}
		}
	})
	b.Run("ours/cri", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, _, _, _, ok := UnwrapCRI(cri); !ok {
				b.Fatal("not unwrapped")
			}
		}
	})
	for _, tt := range []struct{ format, record string }{{"docker", docker}, {"containerd", cri}} {
		b.Run("stanza/"+tt.format, func(b *testing.B) {
			cfg := container.NewConfigWithID("container")
			cfg.Format = tt.format
			cfg.AddMetadataFromFilePath = false
			set := componenttest.NewNopTelemetrySettings()
			op, err := cfg.Build(set)
			if err != nil {
				b.Fatal(err)
			}
			out, err := drop.NewConfig("drop").Build(set)
			if err != nil {
				b.Fatal(err)
			}
			if err := op.SetOutputs([]operator.Operator{out}); err != nil {
				b.Fatal(err)
			}
			if err := op.Start(nil); err != nil {
				b.Fatal(err)
			}
			defer func() { _ = op.Stop() }()
			ctx := context.Background()
			b.ReportAllocs()
			for b.Loop() {
				e := entry.New()
				e.Body = tt.record
				if err := op.Process(ctx, e); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// jsonEscape escapes the quotes of a line for a JSON string.
func jsonEscape(s string) string {
	out := make([]byte, 0, len(s)+16)
	for i := range len(s) {
		if s[i] == '"' || s[i] == '\\' {
			out = append(out, '\\')
		}
		out = append(out, s[i])
	}
	return string(out)
}
