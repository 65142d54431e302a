package elemtareceiver

import (
	"bufio"
	"bytes"
	"context"
	"os"
	"path/filepath"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/open-telemetry/opentelemetry-collector-contrib/receiver/filelogreceiver"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/confmap"
	"go.opentelemetry.io/collector/consumer"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/receiver"
	"go.opentelemetry.io/collector/receiver/receivertest"
	"go.yaml.in/yaml/v3"

	"github.com/elemta/otelcol-elemta/receiver/elemtareceiver/internal/elemtalog"
)

// benchmarkInput is the committed sample of real Elemta lines of every
// shape, with the seed's lines, repeated to benchmarkLines lines.
const benchmarkLines = 50_000

func benchmarkInput(b *testing.B) []byte {
	b.Helper()
	var one []byte
	for _, name := range []string{"elemta-samples.log", "elemta-text.log", "formats.log", "seed.log"} {
		data, err := os.ReadFile(filepath.Join("internal", "elemtalog", "testdata", name))
		require.NoError(b, err)
		one = append(one, data...)
	}
	perCopy := bytes.Count(one, []byte("\n"))
	return bytes.Repeat(one, benchmarkLines/perCopy+1)
}

// filelogEquivalent is contrib's filelog receiver doing the same work with
// its stock operators: join continuation lines, then route each line to the
// parser for its shape.
const filelogEquivalent = `
start_at: beginning
poll_interval: 10ms
include_file_record_offset: true
multiline:
  line_start_pattern: '^\S'
operators:
  - type: router
    routes:
      - expr: 'body matches "^\\{"'
        output: json
      - expr: 'body matches "^[A-Za-z_][A-Za-z0-9_.-]*="'
        output: kv
      - expr: 'body matches "^SMTP: "'
        output: smtp
      - expr: 'body matches "^\\d{4}-\\d{2}-\\d{2}[ T]\\d{2}:\\d{2}:\\d{2}"'
        output: leveled
      - expr: 'body matches "^(\\[[^\\]]+\\] )?\\d{4}/\\d{2}/\\d{2} "'
        output: gostd
    default: end
  - id: json
    type: json_parser
    parse_to: attributes
    timestamp: {parse_from: attributes.time, layout_type: gotime, layout: '2006-01-02T15:04:05.999999999Z07:00', on_error: send_quiet}
    severity: {parse_from: attributes.level, on_error: send_quiet}
    on_error: send_quiet
    output: end
  - id: kv
    type: key_value_parser
    parse_to: attributes
    on_error: send_quiet
    output: end
  - id: smtp
    type: regex_parser
    regex: '^SMTP: (?P<time>\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}) (?P<log_message>(?:new connection: (?P<client_ip>[^\s:]+):(?P<client_port>\d+))|(?:(?P<smtp_command>[A-Za-z]+(?: FROM| TO)?):?\s*(?P<command_data>.*))|.*)$'
    timestamp: {parse_from: attributes.time, layout_type: gotime, layout: '2006-01-02 15:04:05', on_error: send_quiet}
    on_error: send_quiet
    output: end
  - id: leveled
    type: regex_parser
    regex: '^(?P<time>\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}:\d{2}(?:[.,]\d+)?Z?) \[?(?P<level>[A-Z]+)\]?:? (?P<log_message>.*)$'
    severity: {parse_from: attributes.level, on_error: send_quiet}
    on_error: send_quiet
    output: end
  - id: gostd
    type: regex_parser
    regex: '^(?:\[(?P<component>[^\]]+)\] )?(?P<time>\d{4}/\d{2}/\d{2} \d{2}:\d{2}:\d{2}(?:\.\d+)?) (?P<log_message>.*)$'
    on_error: send_quiet
    output: end
  - id: end
    type: noop
`

func filelogConfig(b *testing.B, include string) component.Config {
	b.Helper()
	var raw map[string]any
	require.NoError(b, yaml.Unmarshal([]byte(filelogEquivalent), &raw))
	raw["include"] = []any{include}
	cfg := filelogreceiver.NewFactory().CreateDefaultConfig()
	require.NoError(b, confmap.NewFromStringMap(raw).Unmarshal(cfg))
	return cfg
}

func cpuTime() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkReceivers reads the same input with the elemta receiver and
// with the filelog equivalent, in one run, and reports lines per CPU-second
// (CPU time of the whole process, so the machine's other load does not count).
func BenchmarkReceivers(b *testing.B) {
	input := benchmarkInput(b)
	lines := bytes.Count(input, []byte("\n"))
	records := 0 // continuation lines are joined to the line they continue
	sc := bufio.NewScanner(bytes.NewReader(input))
	sc.Split(elemtalog.SplitLines)
	for sc.Scan() {
		if len(sc.Bytes()) > 0 {
			records++
		}
	}
	require.NoError(b, sc.Err())

	receivers := []struct {
		name    string
		factory receiver.Factory
		config  func(b *testing.B, include string) component.Config
	}{
		{"elemta", NewFactory(), func(_ *testing.B, include string) component.Config {
			cfg := createDefaultConfig().(*Config)
			cfg.Include = []string{include}
			cfg.PollInterval = 10 * time.Millisecond
			return cfg
		}},
		{"filelog_equivalent", filelogreceiver.NewFactory(), filelogConfig},
	}
	for _, rc := range receivers {
		b.Run(rc.name, func(b *testing.B) {
			var cpu time.Duration
			b.ReportAllocs()
			b.SetBytes(int64(len(input)))
			for range b.N {
				b.StopTimer()
				dir := b.TempDir()
				require.NoError(b, os.WriteFile(filepath.Join(dir, "elemta.log"), input, 0o600))
				var got atomic.Int64
				sink, err := consumer.NewLogs(func(_ context.Context, ld plog.Logs) error {
					got.Add(int64(ld.LogRecordCount()))
					return nil
				})
				require.NoError(b, err)
				rcv, err := rc.factory.CreateLogs(context.Background(), receivertest.NewNopSettings(rc.factory.Type()),
					rc.config(b, filepath.Join(dir, "*.log")), sink)
				require.NoError(b, err)

				startCPU := cpuTime()
				b.StartTimer()
				require.NoError(b, rcv.Start(context.Background(), componenttest.NewNopHost()))
				deadline := time.Now().Add(time.Minute)
				for got.Load() < int64(records) {
					if time.Now().After(deadline) {
						b.Fatalf("%s emitted %d of %d records", rc.name, got.Load(), records)
					}
					time.Sleep(time.Millisecond)
				}
				b.StopTimer()
				cpu += cpuTime() - startCPU
				require.NoError(b, rcv.Shutdown(context.Background()))
			}
			b.ReportMetric(float64(lines)*float64(b.N)/cpu.Seconds(), "lines/cpu-s")
		})
	}
}
