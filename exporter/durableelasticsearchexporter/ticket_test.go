package durableelasticsearchexporter

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/component/componenttest"

	"github.com/elemta/otelcol-elemta/internal/delivery"
	"github.com/elemta/otelcol-elemta/internal/readiness"
	"github.com/elemta/otelcol-elemta/testbed/esdouble"
)

// setupGate is an Elasticsearch setup that is ready once ready is closed.
type setupGate struct {
	component.StartFunc
	component.ShutdownFunc
	ready chan struct{}
}

var _ readiness.Elasticsearch = (*setupGate)(nil)

func (g *setupGate) ElasticsearchReady(ctx context.Context) error {
	select {
	case <-g.ready:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (*setupGate) ElasticsearchPending() error { return nil }

// hostWithSetup is a host whose one extension is the setup gate.
type hostWithSetup struct {
	component.Host
	gate *setupGate
}

func (h hostWithSetup) GetExtensions() map[component.ID]component.Component {
	return map[component.ID]component.Component{component.MustNewID("elemtasetup"): h.gate}
}

// TestTicketSaysWhenTheBatchLeaves: a batch handed over with a delivery
// ticket before the Elasticsearch setup is done waits in ConsumeLogs, as
// lines, not held as documents; once the setup is done it is held and
// sent, and the ticket says it was sent only then, so that the receiver
// times Elasticsearch's answer, not the setup.
func TestTicketSaysWhenTheBatchLeaves(t *testing.T) {
	es := esdouble.New()
	defer es.Close()
	gate := &setupGate{ready: make(chan struct{})}
	exp := startObserved(t, testConfig(t, es.URL(), false), hostWithSetup{componenttest.NewNopHost(), gate})
	defer func() { require.NoError(t, exp.Shutdown(context.Background())) }()

	ticket := delivery.NewTicket()
	consumed := make(chan error, 1)
	go func() { consumed <- exp.ConsumeLogs(delivery.WithTicket(context.Background(), ticket), logs(5)) }()
	select {
	case err := <-consumed:
		t.Fatalf("ConsumeLogs returned (%v) before the setup was done", err)
	case <-time.After(300 * time.Millisecond):
	}
	assert.False(t, ticket.Held(), "not held while the setup is not done: the caller keeps its lines")

	readyAt := time.Now()
	close(gate.ready)
	select {
	case err := <-consumed:
		require.NoError(t, err)
	case <-time.After(10 * time.Second):
		t.Fatal("ConsumeLogs did not return once the setup was done")
	}
	ticket.Close()
	select {
	case <-ticket.Settled():
	case <-time.After(10 * time.Second):
		t.Fatal("the batch was not delivered once the setup was done")
	}
	require.NoError(t, ticket.Err())
	assert.False(t, ticket.Sent().Before(readyAt), "sent after the setup")
	requireAllLines(t, es, 5)
}

// TestWaitForTheSetupEndsWithTheCaller: a caller that stops while its batch
// waits for the setup gets its context's error back and keeps the lines;
// nothing is held or sent.
func TestWaitForTheSetupEndsWithTheCaller(t *testing.T) {
	es := esdouble.New()
	defer es.Close()
	gate := &setupGate{ready: make(chan struct{})}
	exp := startObserved(t, testConfig(t, es.URL(), false), hostWithSetup{componenttest.NewNopHost(), gate})
	defer func() { require.NoError(t, exp.Shutdown(context.Background())) }()

	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	ticket := delivery.NewTicket()
	err := exp.ConsumeLogs(delivery.WithTicket(ctx, ticket), logs(5))
	require.ErrorIs(t, err, context.DeadlineExceeded)
	ticket.Close()
	assert.False(t, ticket.Held())
	assert.Empty(t, es.Documents())
}
