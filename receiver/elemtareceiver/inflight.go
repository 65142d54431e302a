package elemtareceiver // import "github.com/elemta/otelcol-elemta/receiver/elemtareceiver"

import (
	"context"
	"runtime"
	"slices"
	"sync"
	"time"

	"go.opentelemetry.io/collector/pdata/plog"

	"github.com/elemta/otelcol-elemta/internal/delivery"
)

// inFlight bounds the batches handed to the pipeline whose delivery is not
// settled yet: as many as the backend's answers show room for (pace), at
// most maxBatches, holding at most maxBytes of lines (one batch may exceed
// it alone). Each keeps its lines until it is settled, so that a batch
// still in flight at shutdown can be saved.
//
// The read positions are saved only when nothing is in flight (wait): a
// position never passes a line whose delivery is not settled, however the
// exporters' answers are ordered.
type inFlight struct {
	maxBytes int
	gaveUp   func(lines int, err error) // told of a tracked batch an exporter gave up

	mu      sync.Mutex
	pace    pace
	batches int
	bytes   int
	// delivered counts the bytes of the batches answered so far.
	delivered int
	tracked   []*outstanding
	changed   chan struct{} // closed, and replaced, whenever room is given back
	closed    chan struct{} // the receiver stopped: answers are no longer awaited
	once      sync.Once
}

// outstanding is a batch handed over whose delivery an exporter holds.
type outstanding struct {
	ticket *delivery.Ticket
	since  time.Time // handed over
	size   int
	lines  int
	// deliveredBefore is what inFlight.delivered was when it was handed
	// over.
	deliveredBefore int
	batch           func() plog.Logs // the batch again, converted from its lines
	saved           bool             // saved in storage at shutdown; guarded by inFlight.mu
}

func newInFlight(maxBatches, maxBytes int, gaveUp func(lines int, err error)) *inFlight {
	return &inFlight{
		maxBytes: maxBytes, gaveUp: gaveUp, pace: newPace(maxBatches, runtime.GOMAXPROCS(0)),
		changed: make(chan struct{}), closed: make(chan struct{}),
	}
}

// acquire reserves room for a batch of size bytes, waiting while the
// bounds are reached. It returns ctx's error if ctx ends first.
func (w *inFlight) acquire(ctx context.Context, size int) error {
	return w.until(ctx, func() bool {
		if w.batches > 0 && (w.batches >= w.pace.limit || w.bytes+size > w.maxBytes || w.beyondRoom(size)) {
			return false
		}
		w.batches++
		w.bytes += size
		return true
	})
}

// beyondRoom reports whether size more bytes in flight exceed what the
// backend's delivery rate makes room for (pace.room).
func (w *inFlight) beyondRoom(size int) bool {
	room := w.pace.room()
	return room > 0 && w.bytes+size > room
}

// until waits until done, called under the lock each time room is given
// back, returns true; or returns ctx's error if ctx ends first.
func (w *inFlight) until(ctx context.Context, done func() bool) error {
	for {
		w.mu.Lock()
		if done() {
			w.mu.Unlock()
			return nil
		}
		changed := w.changed
		w.mu.Unlock()
		select {
		case <-changed:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// release gives back the room of a batch that is not tracked: delivered
// before ConsumeLogs returned, dropped, or saved.
func (w *inFlight) release(size int) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.giveBack(size)
}

func (w *inFlight) giveBack(size int) {
	w.batches--
	w.bytes -= size
	close(w.changed)
	w.changed = make(chan struct{})
}

// track follows a batch whose ticket an exporter may still hold: its room
// is given back once the ticket is settled.
func (w *inFlight) track(t *delivery.Ticket, size, lines int, batch func() plog.Logs) {
	select {
	case <-t.Settled():
		if t.Err() == nil { // delivered before ConsumeLogs returned
			w.release(size)
			return
		}
	default:
	}
	o := &outstanding{ticket: t, since: time.Now(), size: size, lines: lines, batch: batch}
	w.mu.Lock()
	o.deliveredBefore = w.delivered
	w.tracked = append(w.tracked, o)
	w.mu.Unlock()
	go func() {
		select {
		case <-t.Settled():
		case <-w.closed: // stopped: the batch was saved (unsettled)
			return
		}
		w.mu.Lock()
		if o.saved { // its room was given back when it was saved
			w.mu.Unlock()
			return
		}
		w.tracked = slices.DeleteFunc(w.tracked, func(x *outstanding) bool { return x == o })
		err := t.Err()
		if err == nil {
			took := time.Since(o.sentAt())
			w.delivered += o.size
			w.pace.answered(took, w.delivered-o.deliveredBefore)
		}
		w.giveBack(o.size)
		w.mu.Unlock()
		if err != nil {
			w.gaveUp(o.lines, err)
		}
	}()
}

// slowBackend reports whether the backend's answers take long for
// reasons of its own (pace), or, before its first answer, whether a batch
// sent to it has waited that long already: then larger requests carry more
// lines. A batch the exporter has not sent yet (it waits for the backend's
// setup) says nothing of the backend.
func (w *inFlight) slowBackend() bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	if !w.pace.measured() && len(w.tracked) > 0 {
		sent := w.tracked[0].ticket.Sent()
		return !sent.IsZero() && time.Since(sent) >= slowBackend
	}
	return w.pace.slow()
}

// sentAt is when the batch last left for the backend, as its exporter
// said, or when it was handed over.
func (o *outstanding) sentAt() time.Time {
	if sent := o.ticket.Sent(); sent.After(o.since) {
		return sent
	}
	return o.since
}

// wait returns once nothing is in flight, or with ctx's error.
func (w *inFlight) wait(ctx context.Context) error {
	return w.until(ctx, func() bool { return w.batches == 0 })
}

// unsettled returns the batches still in flight and stops tracking them:
// at shutdown they are saved in storage, their room is given back, and
// their late answers are ignored.
func (w *inFlight) unsettled() []*outstanding {
	w.mu.Lock()
	defer w.mu.Unlock()
	out := w.tracked
	w.tracked = nil
	for _, o := range out {
		o.saved = true
		w.giveBack(o.size)
	}
	return out
}

// close stops awaiting the answers of the batches still in flight, once
// the receiver has saved them (unsettled).
func (w *inFlight) close() {
	w.once.Do(func() { close(w.closed) })
}
