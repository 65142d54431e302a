package e2e

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"
	"go.opentelemetry.io/collector/pdata/plog"

	"github.com/elemta/otelcol-elemta/internal/recordstest"
	"github.com/elemta/otelcol-elemta/internal/vocabulary"
)

const kafkaTopic = "elemta-logs"

// kafkaRecords reads every log record published to the topic so far, from
// the start: its body (the line) and its log.record.uid; undecodable counts
// the messages that are not OTLP.
func kafkaRecords(t *testing.T, brokers []string) (bodies map[string]int, uids map[string]string, undecodable int) {
	t.Helper()
	client, err := kgo.NewClient(kgo.SeedBrokers(brokers...), kgo.ConsumeTopics(kafkaTopic),
		kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()))
	require.NoError(t, err)
	defer client.Close()
	bodies, uids = map[string]int{}, map[string]string{}
	var unmarshaler plog.ProtoUnmarshaler
	for {
		ctx, cancel := context.WithTimeout(context.Background(), 500*time.Millisecond)
		fetches := client.PollFetches(ctx)
		cancel()
		if fetches.NumRecords() == 0 {
			return bodies, uids, undecodable
		}
		fetches.EachRecord(func(r *kgo.Record) {
			ld, err := unmarshaler.UnmarshalLogs(r.Value)
			if err != nil {
				undecodable++
				return
			}
			for _, lr := range recordstest.Of(ld) {
				body := lr.Body().Str()
				bodies[body]++
				uid, _ := lr.Attributes().Get(vocabulary.AttrRecordUID)
				if previous, seen := uids[body]; seen {
					assert.Equal(t, previous, uid.Str(), "a line published twice keeps its id: %q", body)
				}
				uids[body] = uid.Str()
			}
		})
	}
}

// TestAgentPublishesToKafka runs the agent tier (examples/agent-kafka.yaml)
// against an in-process Kafka: every line arrives on the topic as an OTel
// log record with its id, also across a SIGKILL of the agent mid-stream.
func TestAgentPublishesToKafka(t *testing.T) {
	cluster, err := kfake.NewCluster(kfake.NumBrokers(1), kfake.SeedTopics(1, kafkaTopic))
	require.NoError(t, err)
	defer cluster.Close()
	brokers := cluster.ListenAddrs()
	// Kafka answers each produce request after 200ms, so that the agent is
	// killed while it publishes.
	cluster.ControlKey(int16(kmsg.Produce), func(kmsg.Request) (kmsg.Response, error, bool) {
		cluster.KeepControl()
		cluster.SleepControl(func() { time.Sleep(200 * time.Millisecond) })
		return nil, nil, false
	})

	logDir, storage := t.TempDir(), t.TempDir()
	log := filepath.Join(logDir, "elemta.log")
	env := defaultEnv(logDir, storage, "http://127.0.0.1:1")
	env["KAFKA_BROKERS"] = strings.Join(brokers, ",")
	configs := []string{filepath.Join(distDir(t), "config.yaml"), filepath.Join(distDir(t), "examples", "agent-kafka.yaml")}

	first := numberedLines("to kafka, first run", 20000)
	appendLines(t, log, first)
	c := startCollector(t, env, configs...)
	var atKill float64
	require.Eventually(t, func() bool {
		atKill = total(parseExposition(t, c.metrics(t)), "otelcol_exporter_sent_log_records", map[string]string{"exporter": "kafka/elemta"})
		return atKill >= 1000
	}, 30*time.Second, 50*time.Millisecond, "records on the topic")
	c.kill(t) // mid-stream, maybe mid-batch

	second := numberedLines("to kafka, after the restart", 300)
	appendLines(t, log, second)
	c = startCollector(t, env, configs...)
	all := append(append([]string{}, first...), second...)
	var bodies map[string]int
	var undecodable int
	require.Eventually(t, func() bool {
		bodies, _, undecodable = kafkaRecords(t, brokers)
		for _, l := range all {
			if bodies[l] == 0 {
				return false
			}
		}
		return true
	}, 60*time.Second, 250*time.Millisecond, "every line on the topic")
	c.stop(t)
	assert.Len(t, bodies, len(all), "nothing but the lines written")
	assert.Zero(t, undecodable, "every message is OTLP")
	twice := 0
	for _, n := range bodies {
		if n > 1 {
			twice++
		}
	}
	t.Logf("%.0f of %d lines published at the kill; %d published twice", atKill, len(first), twice)
}
