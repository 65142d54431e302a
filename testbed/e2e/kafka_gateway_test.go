package e2e

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/elemta/otelcol-elemta/testbed/esdouble"
)

// TestKafkaGateways runs the Kafka tier through built collectors on an
// in-process Kafka: an agent (examples/agent-kafka.yaml) publishes, two
// gateways in one consumer group (examples/gateway-kafka.yaml) index into
// the Elasticsearch double. Elasticsearch is away for 30 s, one gateway
// is SIGKILLed mid-stream and started again, and a message that is not
// OTLP sits in the topic: every line is indexed once, under the id the
// agent gave it; the bad message is counted and skipped without holding
// its partition back; the consumer lag is on the gateways' metrics.
func TestKafkaGateways(t *testing.T) {
	cluster, err := kfake.NewCluster(kfake.NumBrokers(1), kfake.SeedTopics(4, kafkaTopic))
	require.NoError(t, err)
	defer cluster.Close()
	brokers := strings.Join(cluster.ListenAddrs(), ",")
	es := esdouble.New()
	defer es.Close()
	dist := distDir(t)

	// A message that is not OTLP, first in its partition.
	producer, err := kgo.NewClient(kgo.SeedBrokers(cluster.ListenAddrs()...), kgo.DefaultProduceTopic(kafkaTopic))
	require.NoError(t, err)
	require.NoError(t, producer.ProduceSync(context.Background(), &kgo.Record{Value: []byte("not OTLP protobuf \xff\x00")}).FirstErr())
	producer.Close()

	logDir := t.TempDir()
	agentEnv := defaultEnv(logDir, t.TempDir(), "http://127.0.0.1:1")
	agentEnv["KAFKA_BROKERS"] = brokers
	lines := numberedLines("through kafka", 30000)
	appendLines(t, filepath.Join(logDir, "elemta.log"), lines)
	agent := startCollector(t, agentEnv, filepath.Join(dist, "config.yaml"), filepath.Join(dist, "examples", "agent-kafka.yaml"))

	gatewayConfigs := []string{filepath.Join(dist, "config.yaml"), filepath.Join(dist, "examples", "gateway-kafka.yaml")}
	var storages []string
	gatewayEnv := func() map[string]string {
		storage := t.TempDir()
		storages = append(storages, storage)
		env := defaultEnv(t.TempDir(), storage, es.URL())
		env["KAFKA_BROKERS"] = brokers
		return env
	}
	es.FailBulk(503) // Elasticsearch away for the first 30 s
	first := startCollector(t, gatewayEnv(), gatewayConfigs...)
	second := startCollector(t, gatewayEnv(), gatewayConfigs...)
	time.Sleep(30 * time.Second)
	require.Zero(t, es.DocumentCount(), "nothing indexed while Elasticsearch is away")
	es.FailBulk(0)

	require.Eventually(t, func() bool { return es.DocumentCount() >= 3000 }, 60*time.Second, 50*time.Millisecond, "documents arrive")
	var skipped float64
	for _, c := range []*collector{first, second} {
		skipped += total(parseExposition(t, c.metrics(t)), "otelcol_kafka_receiver_unmarshal_failed_log_records", nil)
	}
	assert.GreaterOrEqual(t, skipped, float64(1), "the message that is not OTLP is counted")
	first.kill(t) // mid-stream: its partitions go to the other gateway, then back
	es.SetDelay(20 * time.Millisecond)
	restarted := startCollector(t, gatewayEnv(), gatewayConfigs...)
	es.SetDelay(0)

	requireEachOnce(t, es, lines)
	_, uids, undecodable := kafkaRecords(t, cluster.ListenAddrs())
	assert.Equal(t, 1, undecodable, "the message that is not OTLP stays in the topic")
	for _, d := range es.Documents() {
		assert.Equal(t, uids[esdouble.Message(d)], d.ID, "the agent's id is the document's")
	}

	out := first.output.String() + second.output.String()
	assert.Contains(t, out, "failed to unmarshal message")
	assert.Contains(t, out, "failed to consume message, skipping due to message_marking config", "skipped with its offset, not holding the partition")
	for _, c := range []*collector{second, restarted} {
		assert.Contains(t, c.metrics(t), "otelcol_kafka_receiver_offset_lag", "the consumer lag is on the gateways' metrics")
	}
	agent.stop(t)
	second.stop(t)
	restarted.stop(t)
	for _, storage := range storages {
		dead, err := os.ReadFile(filepath.Join(storage, "dead-letter", "dead-letter.ndjson"))
		if err == nil {
			assert.Empty(t, dead, "Elasticsearch refused nothing")
		}
	}
}
