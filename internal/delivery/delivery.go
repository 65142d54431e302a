// Package delivery lets a receiver keep several batches in flight while
// the processors still see its batches one after the other, in the order
// they were read.
//
// The receiver calls ConsumeLogs for one batch at a time, from one
// goroutine, with a Ticket in the batch's context. An exporter that can
// deliver the batch later (durable_elasticsearch) takes a hold on the
// ticket, returns from ConsumeLogs at once, and releases the hold once the
// backend has the batch, or has refused it for good. The receiver counts
// the batch delivered when ConsumeLogs returned nil and every hold taken
// during it is released; an exporter that takes no hold delivers before
// it returns, as every exporter does without this package. The exporter
// also says when the batch leaves for the backend (Sending), so that the
// receiver paces its batches by the backend's answer time alone.
//
// A ticket belongs to one batch, so it travels with that batch, in its
// context, as client.Info does: the host gives a receiver no way to reach
// an exporter, and a batch crosses processors and fan-outs only as its
// data and its context. Both sides import this package: the contract is a
// type, not a convention.
package delivery // import "github.com/elemta/otelcol-elemta/internal/delivery"

import (
	"context"
	"sync"
	"time"
)

// Ticket follows one batch from the receiver to every exporter that takes
// a hold on it.
type Ticket struct {
	mu      sync.Mutex
	holds   int
	closed  bool // ConsumeLogs returned: no hold is taken any more
	err     error
	sent    time.Time // when the batch last left for the backend
	settled chan struct{}
}

// NewTicket returns the ticket of a batch about to be handed over.
func NewTicket() *Ticket {
	return &Ticket{settled: make(chan struct{})}
}

type ticketKey struct{}

// WithTicket returns ctx carrying t.
func WithTicket(ctx context.Context, t *Ticket) context.Context {
	return context.WithValue(ctx, ticketKey{}, t)
}

// FromContext returns the ticket of the batch ctx was handed over with.
func FromContext(ctx context.Context) (*Ticket, bool) {
	t, ok := ctx.Value(ticketKey{}).(*Ticket)
	return t, ok
}

// Hold takes over the delivery of the batch: the caller may return from
// ConsumeLogs before the backend has it. The returned release must be
// called once: with nil once the backend has the batch, or with the error
// that ended its delivery (a refusal for good, a shutdown); later calls do
// nothing. ok is false when the batch was already counted as handed over
// (a hold taken after ConsumeLogs returned): the caller must then deliver
// before it returns, as without a ticket.
func (t *Ticket) Hold() (release func(error), ok bool) {
	t.mu.Lock()
	if t.closed {
		t.mu.Unlock()
		return nil, false
	}
	t.holds++
	t.mu.Unlock()
	var once sync.Once
	return func(err error) {
		once.Do(func() { t.release(err) })
	}, true
}

func (t *Ticket) release(err error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.holds--
	if err != nil && t.err == nil {
		t.err = err
	}
	if t.closed && t.holds == 0 {
		close(t.settled)
	}
}

// Close is called by the receiver once ConsumeLogs returned nil: the
// batch is settled once every hold is released.
func (t *Ticket) Close() {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.closed {
		return
	}
	t.closed = true
	if t.holds == 0 {
		close(t.settled)
	}
}

// Sending is called by an exporter holding the batch each time it sends
// the batch to the backend, once any wait of its own is over (for the
// backend's setup, say): the receiver paces batches by how long the
// backend takes to answer, and that wait is not the backend's.
func (t *Ticket) Sending() {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.sent = time.Now()
}

// Sent returns when the batch last left for the backend; the zero time
// while no exporter said it did.
func (t *Ticket) Sent() time.Time {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.sent
}

// Held reports whether an exporter holds the batch still.
func (t *Ticket) Held() bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.holds > 0
}

// Settled is closed once the batch is delivered or given up.
func (t *Ticket) Settled() <-chan struct{} { return t.settled }

// Err is the first error a hold was released with; nil once settled means
// every exporter delivered the batch.
func (t *Ticket) Err() error {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.err
}
