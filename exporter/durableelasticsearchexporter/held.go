package durableelasticsearchexporter // import "github.com/elemta/otelcol-elemta/exporter/durableelasticsearchexporter"

import (
	"context"
	"sync"

	"go.opentelemetry.io/collector/exporter"
	"go.opentelemetry.io/collector/pdata/plog"

	"github.com/elemta/otelcol-elemta/internal/delivery"
)

// heldDelivery lets a caller keep several batches in flight: a batch handed
// over with a delivery ticket (the elemta receiver's) is made into
// documents at once (once the Elasticsearch setup is done: the caller
// waits for it), in the caller's order, then sent on its own goroutine
// while ConsumeLogs returns; the ticket is released once Elasticsearch has
// every document, or they are dead-lettered, or the exporter stops. A batch
// without a ticket is delivered before ConsumeLogs returns.
//
// The caller bounds what is in flight (the receiver's in_flight settings);
// each batch in flight is one bulk request at a time, retried as
// retry_on_failure says.
type heldDelivery struct {
	exporter.Logs // exporterhelper's: timeout, retries, the optional queue, then push
	documents     func(plog.Logs) plog.Logs
	// setupDone returns once the Elasticsearch setup is done (or ctx ends).
	setupDone func(ctx context.Context) error

	sendCtx context.Context // ends at shutdown: sends in flight give up
	stop    context.CancelFunc
	sending sync.WaitGroup
}

func newHeldDelivery(helper exporter.Logs, documents func(plog.Logs) plog.Logs, setupDone func(context.Context) error) *heldDelivery {
	ctx, cancel := context.WithCancel(context.Background())
	return &heldDelivery{Logs: helper, documents: documents, setupDone: setupDone, sendCtx: ctx, stop: cancel}
}

func (h *heldDelivery) ConsumeLogs(ctx context.Context, ld plog.Logs) error {
	ticket, ok := delivery.FromContext(ctx)
	if !ok {
		return h.Logs.ConsumeLogs(ctx, h.documents(ld))
	}
	// Until the Elasticsearch setup is done, the caller waits here with its
	// lines: batches held meanwhile would wait as documents, several times
	// a line's size, up to the caller's bounds (a collector started while
	// Elasticsearch is down). An end of ctx (the caller stops) returns its
	// error and the caller keeps the lines.
	if err := h.setupDone(ctx); err != nil {
		return err
	}
	docs := h.documents(ld)
	release, ok := ticket.Hold()
	if !ok {
		return h.Logs.ConsumeLogs(ctx, docs)
	}
	h.sending.Add(1)
	go func() {
		defer h.sending.Done()
		// The ticket goes along, so that push can say when the batch
		// leaves (delivery.Ticket.Sending).
		release(h.Logs.ConsumeLogs(withHeldSend(delivery.WithTicket(h.sendCtx, ticket)), docs))
	}()
	return nil
}

type heldSendKey struct{}

// withHeldSend marks ctx as the send of a batch this exporter holds, on its
// own goroutine until the exporter stops: push retries it itself
// (pushHeld). A batch delivered before ConsumeLogs returns is left to
// exporterhelper's retries, which end at shutdown whatever the caller's
// context.
func withHeldSend(ctx context.Context) context.Context {
	return context.WithValue(ctx, heldSendKey{}, true)
}

func isHeldSend(ctx context.Context) bool {
	held, _ := ctx.Value(heldSendKey{}).(bool)
	return held
}

// Shutdown ends the sends in flight (their tickets are released with the
// reason: the receiver, stopped first, saved their lines), then the rest.
func (h *heldDelivery) Shutdown(ctx context.Context) error {
	h.stop()
	h.sending.Wait()
	return h.Logs.Shutdown(ctx)
}
