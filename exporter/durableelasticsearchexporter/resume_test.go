package durableelasticsearchexporter

import (
	"context"
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/consumer/consumererror"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"

	"github.com/elemta/otelcol-elemta/internal/delivery"
	"github.com/elemta/otelcol-elemta/testbed/esdouble"
)

// linesFrom is a batch of n records, "line <from>" onwards.
func linesFrom(from, n int) plog.Logs {
	ld := plog.NewLogs()
	records := ld.ResourceLogs().AppendEmpty().ScopeLogs().AppendEmpty().LogRecords()
	for i := from; i < from+n; i++ {
		r := records.AppendEmpty()
		r.SetTimestamp(pcommon.NewTimestampFromTime(time.Date(2024, 1, 15, 10, 30, 45, 0, time.UTC)))
		r.Body().SetStr("line " + strconv.Itoa(i))
	}
	return ld
}

// hold hands ld over on a delivery ticket, as the elemta receiver does.
func hold(t *testing.T, exp *observedExporter, ld plog.Logs) *delivery.Ticket {
	t.Helper()
	ticket := delivery.NewTicket()
	require.NoError(t, exp.ConsumeLogs(delivery.WithTicket(context.Background(), ticket), ld))
	ticket.Close()
	return ticket
}

// refusingExporter starts the exporter, its configuration tuned, against a
// double that answers every bulk request with status.
func refusingExporter(t *testing.T, status int, tune func(*Config)) (*esdouble.Server, *observedExporter) {
	t.Helper()
	es := esdouble.New()
	t.Cleanup(es.Close)
	es.FailBulk(status)
	cfg := testConfig(t, es.URL(), false)
	tune(cfg)
	return es, startObserved(t, cfg, componenttest.NewNopHost())
}

// holdBatches hands over batches of perBatch lines on tickets, and waits
// until at least failures attempts have failed.
func holdBatches(t *testing.T, exp *observedExporter, batches, perBatch, failures int) []*delivery.Ticket {
	t.Helper()
	var tickets []*delivery.Ticket
	for b := range batches {
		ticket := hold(t, exp, linesFrom(b*perBatch, perBatch))
		require.True(t, ticket.Held(), "the exporter holds the batch Elasticsearch refuses")
		tickets = append(tickets, ticket)
	}
	require.Eventually(t, func() bool { return retries(exp) >= failures }, 20*time.Second, 10*time.Millisecond)
	return tickets
}

// retries is how many attempts of held batches failed.
func retries(exp *observedExporter) int {
	return exp.logs.FilterMessage("Exporting failed. Will retry the request after interval.").Len()
}

// settled waits for a ticket's batch to be answered, and returns the answer.
func settled(t *testing.T, ticket *delivery.Ticket, within time.Duration) error {
	t.Helper()
	select {
	case <-ticket.Settled():
		return ticket.Err()
	case <-time.After(within):
		t.Fatalf("the batch was not answered within %s", within)
		return nil
	}
}

// TestHeldBatchesGoAgainOnceElasticsearchIsBack: batches held through an
// outage wait out a back-off of a minute at least; once Elasticsearch takes
// a batch again, they go then, not a minute later.
func TestHeldBatchesGoAgainOnceElasticsearchIsBack(t *testing.T) {
	tests := []struct {
		name   string
		status int
	}{
		{"unavailable", http.StatusServiceUnavailable},
		{"overloaded", http.StatusTooManyRequests},
		{"credentials refused", http.StatusUnauthorized},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			es, exp := refusingExporter(t, tt.status, func(cfg *Config) {
				cfg.BackOffConfig.InitialInterval = 2 * time.Minute
				cfg.BackOffConfig.MaxInterval = 2 * time.Minute
			})
			defer func() { require.NoError(t, exp.Shutdown(context.Background())) }()
			const batches, perBatch = 5, 10
			tickets := holdBatches(t, exp, batches, perBatch, batches) // each failed once and waits

			es.FailBulk(0)
			// The next batch goes at once and gets through; the waiting ones
			// follow, two more for each batch taken.
			tickets = append(tickets, hold(t, exp, linesFrom(batches*perBatch, perBatch)))
			for i, ticket := range tickets {
				require.NoError(t, settled(t, ticket, 30*time.Second), "batch %d", i)
			}
			requireAllLines(t, es, (batches+1)*perBatch)
			assert.Equal(t, batches, retries(exp), "no batch failed again: none went before Elasticsearch was back")
		})
	}
}

// TestHeldBatchesProbeTheClusterEveryInitialInterval: batches held through
// an outage have backed off to minutes, and no new batch comes; the one
// waiting longest goes again every initial_interval, so that once
// Elasticsearch is back they all go within about that.
func TestHeldBatchesProbeTheClusterEveryInitialInterval(t *testing.T) {
	es, exp := refusingExporter(t, http.StatusServiceUnavailable, func(cfg *Config) {
		cfg.BackOffConfig.InitialInterval = 100 * time.Millisecond
		cfg.BackOffConfig.Multiplier = 10000 // from the second wait on: max_interval
		cfg.BackOffConfig.MaxInterval = 10 * time.Minute
	})
	defer func() { require.NoError(t, exp.Shutdown(context.Background())) }()
	// Three times as many failures as batches: they have backed off to
	// minutes, and the probes fail too.
	const batches, perBatch = 3, 10
	tickets := holdBatches(t, exp, batches, perBatch, 3*batches)

	es.FailBulk(0)
	for i, ticket := range tickets {
		require.NoError(t, settled(t, ticket, 30*time.Second), "batch %d", i)
	}
	requireAllLines(t, es, batches*perBatch)
}

// TestHeldBatchGivesUpAfterMaxElapsedTime: with retry_on_failure::max_elapsed_time
// set, a held batch is answered with a permanent error once it has passed;
// the caller (the receiver) keeps its lines.
func TestHeldBatchGivesUpAfterMaxElapsedTime(t *testing.T) {
	_, exp := refusingExporter(t, http.StatusServiceUnavailable, func(cfg *Config) {
		cfg.BackOffConfig.MaxElapsedTime = 300 * time.Millisecond
	})
	defer func() { require.NoError(t, exp.Shutdown(context.Background())) }()

	err := settled(t, hold(t, exp, linesFrom(0, 3)), 20*time.Second)
	require.Error(t, err)
	assert.True(t, consumererror.IsPermanent(err), "no retry left: %v", err)
	assert.Contains(t, err.Error(), "retry_on_failure::max_elapsed_time (300ms) has passed")
}

// TestStoppingEndsTheWait: a held batch waiting to be sent again is
// answered with an error when the exporter stops, at once.
func TestStoppingEndsTheWait(t *testing.T) {
	_, exp := refusingExporter(t, http.StatusServiceUnavailable, func(cfg *Config) {
		cfg.BackOffConfig.InitialInterval = 2 * time.Minute
		cfg.BackOffConfig.MaxInterval = 2 * time.Minute
	})
	ticket := holdBatches(t, exp, 1, 3, 1)[0]

	require.NoError(t, exp.Shutdown(context.Background()))
	err := settled(t, ticket, 10*time.Second)
	require.Error(t, err)
	assert.False(t, consumererror.IsPermanent(err), "the batch is kept for the next start: %v", err)
}

// TestResumptionWakesTheLongestWaitingFirst: each resume wakes two waiting
// batches, those waiting longest; a probe wakes one.
func TestResumptionWakesTheLongestWaitingFirst(t *testing.T) {
	var r resumption
	const n = 5
	woken := make(chan int, n)
	for i := range n {
		go func() {
			assert.NoError(t, r.wait(context.Background(), time.Hour))
			woken <- i
		}()
		require.Eventually(t, func() bool { return r.waiters() == i+1 }, 5*time.Second, time.Millisecond)
	}

	wakes := []struct {
		want []int
		left int
	}{
		{want: []int{0, 1}, left: 3},
		{want: []int{2, 3}, left: 1},
		{want: []int{4}, left: 0},
	}
	for _, w := range wakes {
		r.resume()
		var got []int
		for range w.want {
			got = append(got, <-woken)
		}
		assert.ElementsMatch(t, w.want, got)
		assert.Equal(t, w.left, r.waiters())
	}
	r.resume() // none waits: nothing to do

	probing := resumption{probeEvery: 10 * time.Millisecond}
	for range 3 {
		require.NoError(t, probing.wait(context.Background(), time.Hour), "the probe wakes the one waiting")
	}
	assert.Zero(t, probing.waiters())

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	require.ErrorIs(t, r.wait(ctx, time.Hour), context.Canceled)
	assert.Zero(t, r.waiters(), "a wait that ended is forgotten")
	require.NoError(t, r.wait(context.Background(), time.Millisecond), "the back-off ends on its own")
	assert.Zero(t, r.waiters())
}

// waiters is how many batches wait to be sent again.
func (r *resumption) waiters() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.waiting)
}
