package elemtareceiver // import "github.com/elemta/otelcol-elemta/receiver/elemtareceiver"

import "time"

// pace decides how many batches may be in flight, from how long the
// backend takes to answer, measured against the quickest answer seen
// lately (TCP Vegas reasons alike about a connection's window):
//
//   - an answer about as quick as the quickest says the backend has room:
//     one more batch may go; and a backend that takes long even so (a
//     loaded cluster answering in 100-1,000 ms) is not slowed by this
//     collector: as many as the bounds allow may go at once;
//   - an answer much slower than the quickest says the backend, or this
//     machine, queues the batches: more in flight would hold more memory
//     for no more lines a second, so one fewer may go.
//
// A fast cluster on a busy machine gets the one or two batches it can
// take, which keeps memory low; a slow one gets the bounds.
type pace struct {
	max   int
	limit int           // batches allowed in flight now
	base  time.Duration // the quickest answer seen lately
}

const (
	// quickAnswer and slowAnswer are margins over the quickest answer (a
	// quarter and a half of it more): they keep a backend that answers in
	// a millisecond from looking slow at two.
	quickAnswer = 5 * time.Millisecond
	slowAnswer  = 10 * time.Millisecond
	// slowBackend is the quickest answer of a backend that takes long for
	// reasons of its own: it gets every batch the bounds allow.
	slowBackend = 50 * time.Millisecond
)

func newPace(maxBatches int) pace {
	return pace{max: maxBatches, limit: 1}
}

// answered adapts the limit to an answer that took took.
func (p *pace) answered(took time.Duration) {
	switch {
	case p.base == 0 || took < p.base:
		p.base = took
	default:
		// The quickest answer ages: it drifts toward what is seen now, so
		// that a backend that became slower for good is measured afresh.
		p.base += (took - p.base) / 64
	}
	switch {
	case took <= p.base+p.base/4+quickAnswer && p.base >= slowBackend:
		p.limit = p.max
	case took <= p.base+p.base/4+quickAnswer:
		p.limit = min(p.limit+1, p.max)
	case took > p.base+p.base/2+slowAnswer:
		p.limit = max(p.limit-1, 1)
	}
}
