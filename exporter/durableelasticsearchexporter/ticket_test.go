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

// TestTicketSaysWhenTheBatchLeaves: a batch held on its delivery ticket
// waits for the Elasticsearch setup; the ticket says it was sent only once
// the setup is done, so that the receiver times Elasticsearch's answer,
// not the setup.
func TestTicketSaysWhenTheBatchLeaves(t *testing.T) {
	es := esdouble.New()
	defer es.Close()
	gate := &setupGate{ready: make(chan struct{})}
	exp := startObserved(t, testConfig(t, es.URL(), false), hostWithSetup{componenttest.NewNopHost(), gate})
	defer func() { require.NoError(t, exp.Shutdown(context.Background())) }()

	ticket := delivery.NewTicket()
	require.NoError(t, exp.ConsumeLogs(delivery.WithTicket(context.Background(), ticket), logs(5)))
	ticket.Close()
	assert.True(t, ticket.Held(), "held while the setup is not done")
	time.Sleep(300 * time.Millisecond)
	assert.True(t, ticket.Sent().IsZero(), "not sent before the setup is done")

	readyAt := time.Now()
	close(gate.ready)
	select {
	case <-ticket.Settled():
	case <-time.After(10 * time.Second):
		t.Fatal("the batch was not delivered once the setup was done")
	}
	require.NoError(t, ticket.Err())
	assert.False(t, ticket.Sent().Before(readyAt), "sent after the setup")
	requireAllLines(t, es, 5)
}
