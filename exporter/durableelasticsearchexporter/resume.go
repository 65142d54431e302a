package durableelasticsearchexporter // import "github.com/elemta/otelcol-elemta/exporter/durableelasticsearchexporter"

import (
	"context"
	"slices"
	"sync"
	"time"
)

// resumeFanout is how many waiting batches each batch Elasticsearch takes
// wakes: the batches held through an outage go again one answer after the
// cluster is back, in a doubling ramp (2, 4, 8, ...) rather than all at
// once onto a cluster that has just come back.
const resumeFanout = 2

// resumption holds the batches waiting out a back-off before they are sent
// again, and wakes them early, so that after an outage a batch need not
// sleep out the rest of its back-off (up to retry_on_failure::max_interval):
//
//   - every probeEvery while batches wait, the one waiting longest goes
//     again: the cluster is tried that often, whatever the back-offs have
//     grown to;
//   - each batch Elasticsearch takes wakes resumeFanout more.
type resumption struct {
	probeEvery time.Duration // retry_on_failure::initial_interval; 0: no probe

	mu      sync.Mutex
	waiting []chan struct{} // the longest waiting first
	probe   *time.Timer     // pending while batches wait
}

// wait waits for d, or until it is woken, or until ctx ends (its error).
func (r *resumption) wait(ctx context.Context, d time.Duration) error {
	woken := make(chan struct{})
	r.mu.Lock()
	r.waiting = append(r.waiting, woken)
	if r.probe == nil && r.probeEvery > 0 {
		r.probe = time.AfterFunc(r.probeEvery, r.probeOne)
	}
	r.mu.Unlock()
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case <-woken:
		return nil
	case <-timer.C:
		r.forget(woken)
		return nil
	case <-ctx.Done():
		r.forget(woken)
		return ctx.Err()
	}
}

func (r *resumption) forget(woken chan struct{}) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if i := slices.Index(r.waiting, woken); i >= 0 {
		r.waiting = slices.Delete(r.waiting, i, i+1)
	}
}

// resume wakes up to resumeFanout waiting batches, the longest waiting
// first: Elasticsearch took a batch.
func (r *resumption) resume() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.wakeLocked(resumeFanout)
}

// probeOne wakes the batch waiting longest; if it fails again, it waits
// again, and the next probe is set then.
func (r *resumption) probeOne() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.probe = nil
	r.wakeLocked(1)
}

func (r *resumption) wakeLocked(most int) {
	n := min(most, len(r.waiting))
	for _, woken := range r.waiting[:n] {
		close(woken)
	}
	r.waiting = slices.Delete(r.waiting, 0, n)
}
