package elemtareceiver

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/consumer"
	"go.opentelemetry.io/collector/consumer/consumertest"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/receiver/receivertest"
	"go.uber.org/zap"
	"go.uber.org/zap/zaptest"

	"github.com/elemta/otelcol-elemta/internal/delivery"
	"github.com/elemta/otelcol-elemta/internal/recordstest"
	"github.com/elemta/otelcol-elemta/receiver/elemtareceiver/internal/metadata"
)

// holdingExporter plays an exporter that answers a batch after ConsumeLogs
// returned (internal/delivery), as durable_elasticsearch does: it holds
// each batch's ticket, and answer decides when each is delivered.
type holdingExporter struct {
	mu       sync.Mutex
	handed   []plog.Logs   // in the order ConsumeLogs got them
	held     []func(error) // releases of the batches not answered yet, in that order
	heldIDs  []int
	maxHeld  int
	answered *consumertest.LogsSink // the batches delivered, in the order answered
}

func (h *holdingExporter) consume(ctx context.Context, ld plog.Logs) error {
	ticket, ok := delivery.FromContext(ctx)
	if !ok {
		return fmt.Errorf("no delivery ticket")
	}
	release, ok := ticket.Hold()
	if !ok {
		return fmt.Errorf("the ticket was closed before ConsumeLogs returned")
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	id := len(h.handed)
	h.handed = append(h.handed, ld)
	h.held = append(h.held, func(err error) {
		if err == nil {
			_ = h.answered.ConsumeLogs(context.Background(), ld)
		}
		release(err)
	})
	h.heldIDs = append(h.heldIDs, id)
	h.maxHeld = max(h.maxHeld, len(h.held))
	return nil
}

// answer releases held batches chosen by pick (an index into the held
// ones), as long as it returns one.
func (h *holdingExporter) answer(pick func(heldIDs []int) int) {
	for {
		h.mu.Lock()
		i := -1
		if len(h.held) > 0 {
			i = pick(h.heldIDs)
		}
		if i < 0 {
			h.mu.Unlock()
			return
		}
		release := h.held[i]
		h.held = append(h.held[:i], h.held[i+1:]...)
		h.heldIDs = append(h.heldIDs[:i], h.heldIDs[i+1:]...)
		h.mu.Unlock()
		release(nil)
	}
}

// startHolding writes lines to a log file and starts a receiver on it, in
// batches of 100, at most 4 in flight, into a holdingExporter; storage is
// the directory of its checkpoints.
func startHolding(t *testing.T, lines []string, storage string) (*holdingExporter, *Config, func()) {
	t.Helper()
	dir := t.TempDir()
	writeLines(t, filepath.Join(dir, "elemta.log"), os.O_CREATE, lines...)
	cfg := testConfig(filepath.Join(dir, "*.log"))
	cfg.Batch.MaxLines = 100
	cfg.InFlight.MaxBatches = 4
	h := &holdingExporter{answered: new(consumertest.LogsSink)}
	next, err := consumer.NewLogs(h.consume)
	require.NoError(t, err)
	return h, cfg, startWith(t, cfg, storageHost(t, cfg, storage), next)
}

func startWith(t *testing.T, cfg *Config, host component.Host, next consumer.Logs) func() {
	t.Helper()
	set := receivertest.NewNopSettings(metadata.Type)
	set.Logger = zaptest.NewLogger(t, zaptest.Level(zap.InfoLevel))
	set.ID = component.NewID(metadata.Type)
	rcv, err := NewFactory().CreateLogs(context.Background(), set, cfg, next)
	require.NoError(t, err)
	require.NoError(t, rcv.Start(context.Background(), host))
	return func() { require.NoError(t, rcv.Shutdown(context.Background())) }
}

// TestBatchesInFlight: several batches are in flight at once, up to
// in_flight::max_batches, answered in another order than sent; the
// pipeline still gets the lines in the order they were written, and every
// line is delivered once.
func TestBatchesInFlight(t *testing.T) {
	lines := numbered("in flight", 2000)
	h, _, stop := startHolding(t, lines, t.TempDir())
	defer stop()

	// Answer the newest batch first, once three are held; the last ones
	// when nothing more comes.
	deadline := time.Now().Add(30 * time.Second)
	for h.answered.LogRecordCount() < len(lines) && time.Now().Before(deadline) {
		h.answer(func(ids []int) int {
			if len(ids) >= 3 {
				return len(ids) - 1
			}
			return -1
		})
		time.Sleep(2 * time.Millisecond)
		h.mu.Lock()
		idle := len(h.held) > 0 && len(h.held) < 3
		h.mu.Unlock()
		if idle {
			time.Sleep(20 * time.Millisecond)
			h.answer(func(ids []int) int { return len(ids) - 1 })
		}
	}
	requireExactlyOnce(t, h.answered, lines)

	h.mu.Lock()
	defer h.mu.Unlock()
	assert.Greater(t, h.maxHeld, 1, "several batches in flight")
	assert.LessOrEqual(t, h.maxHeld, 4, "no more than in_flight::max_batches")
	var order []string
	for _, ld := range h.handed {
		for _, lr := range recordstest.Of(ld) {
			order = append(order, lr.Body().Str())
		}
	}
	assert.Equal(t, lines, order, "the pipeline sees the lines in the order written")
	var answeredFirst []string
	for _, lr := range records(h.answered) {
		answeredFirst = append(answeredFirst, lr.Body().Str())
	}
	assert.NotEqual(t, lines, answeredFirst, "the answers came in another order")
}

// TestAHoleHoldsTheReadPosition: the fourth batch is never answered while
// the ones before and after it are. When the receiver stops, the read position it
// writes is past every line read, so the unanswered batch is saved; the
// next start delivers its lines, and only those.
func TestAHoleHoldsTheReadPosition(t *testing.T) {
	storage := t.TempDir()
	lines := numbered("a hole", 1000)
	h, cfg, stop := startHolding(t, lines, storage)
	// Every batch but the fourth is answered as it comes.
	require.Eventually(t, func() bool {
		h.answer(func(ids []int) int {
			for i, id := range ids {
				if id != 3 {
					return i
				}
			}
			return -1
		})
		return h.answered.LogRecordCount() == 900
	}, 30*time.Second, time.Millisecond)
	stop() // the fourth batch is still held

	second := new(consumertest.LogsSink)
	stopSecond := startWith(t, cfg, storageHost(t, cfg, storage), second)
	defer stopSecond()
	requireExactlyOnce(t, second, lines[300:400])
}

// TestBatchesGrowBehindASlowBackend: while the reading is behind a backend
// that answers in 150 ms, each full batch lets the next hold twice as many
// lines, up to four times batch::max_lines. A backend that answers at once
// keeps batches of max_lines, even when the exporter holds the first
// batches back a while before it sends them (it waits for the backend's
// setup): that wait is not the backend's answer time.
func TestBatchesGrowBehindASlowBackend(t *testing.T) {
	tests := []struct {
		name      string
		setup     time.Duration // the exporter sends nothing before this
		answer    time.Duration // the backend's answer, once sent
		wantMax   int
		wantFewer bool // fewer requests than the 100 of max_lines
	}{
		{name: "answers in 150 ms", answer: 150 * time.Millisecond, wantMax: 400, wantFewer: true},
		{name: "setup takes 300 ms, then answers at once", setup: 300 * time.Millisecond, answer: time.Millisecond, wantMax: 100},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			lines := numbered("behind", 10000)
			dir := t.TempDir()
			writeLines(t, filepath.Join(dir, "elemta.log"), os.O_CREATE, lines...)
			cfg := testConfig(filepath.Join(dir, "*.log"))
			cfg.Batch.MaxLines = 100
			cfg.InFlight.MaxBatches = 4
			answered := new(consumertest.LogsSink)
			var mu sync.Mutex
			var sizes []int
			var setupDone time.Time
			next, err := consumer.NewLogs(func(ctx context.Context, ld plog.Logs) error {
				ticket, ok := delivery.FromContext(ctx)
				require.True(t, ok)
				release, ok := ticket.Hold()
				require.True(t, ok)
				mu.Lock()
				if setupDone.IsZero() {
					setupDone = time.Now().Add(tt.setup)
				}
				sizes = append(sizes, ld.LogRecordCount())
				sendAt := setupDone
				mu.Unlock()
				go func() {
					time.Sleep(time.Until(sendAt))
					ticket.Sending()
					time.Sleep(tt.answer)
					_ = answered.ConsumeLogs(context.Background(), ld)
					release(nil)
				}()
				return nil
			})
			require.NoError(t, err)
			stop := startWith(t, cfg, storageHost(t, cfg, t.TempDir()), next)
			defer stop()
			requireExactlyOnce(t, answered, lines)

			mu.Lock()
			defer mu.Unlock()
			assert.Equal(t, 100, sizes[0], "before the first answer, batches of max_lines")
			assert.Equal(t, tt.wantMax, slices.Max(sizes), "the largest batch")
			if tt.wantFewer {
				assert.Less(t, len(sizes), 50, "fewer, larger requests than the 100 of max_lines")
			}
		})
	}
}
