// Package idlegc collects garbage at the moments the pipeline is idle.
//
// Go's collector sets its next target from the heap it finds live,
// times GOGC. A collection that starts while a batch is in flight finds the
// batch live (its lines, records, documents and bulk body, several MB) and
// lets the heap grow to three times that at GOGC=200. Between batches the
// live heap is a fraction of it. A collection run when a receiver has
// delivered everything it read finds only that fraction, so the heap's
// peak follows the size of one batch, not three times a batch in flight.
//
// Nothing happens unless the binary turns it on (Enable): a component that
// calls Idle in another distribution leaves the runtime alone.
package idlegc // import "github.com/elemta/otelcol-elemta/internal/idlegc"

import (
	"runtime"
	"runtime/metrics"
	"sync/atomic"
)

// MinGrowth is the least growth of the heap, since the last collection at
// an idle moment, worth another: a pipeline that read a few lines since is
// left to the runtime's own pacing.
const MinGrowth = 4 << 20

const (
	// liveMetric is the heap the last collection found live.
	liveMetric = "/gc/heap/live:bytes"
	// heapMetric is the heap's objects now, live or not yet collected.
	heapMetric = "/memory/classes/heap/objects:bytes"
	// forcedMetric counts the collections runtime.GC forced.
	forcedMetric = "/gc/cycles/forced:gc-cycles"
)

var (
	enabled    atomic.Bool
	collecting atomic.Bool
	// idleLive is the heap found live by the last collection at an idle
	// moment: the pipeline's own floor, without a batch in flight.
	idleLive atomic.Uint64
)

// Enable turns collection at idle moments on for the whole process.
func Enable() { enabled.Store(true) }

// Disable turns it off again.
func Disable() { enabled.Store(false) }

// Enabled says whether collection at idle moments is on.
func Enabled() bool { return enabled.Load() }

// Idle says the caller holds no batch: everything it read is delivered.
// When collection at idle moments is on and the heap has grown enough
// since the last one, a collection starts in the background; Idle itself
// never waits for it.
func Idle() {
	if !enabled.Load() || !due(idleLive.Load(), read(heapMetric)) {
		return
	}
	if !collecting.CompareAndSwap(false, true) {
		return // one collection at a time
	}
	go func() {
		defer collecting.Store(false)
		runtime.GC()
		idleLive.Store(read(liveMetric)) // what this collection found live
	}()
}

// due says whether a heap of objects bytes is worth collecting, given the
// heap the last idle collection found live: it must have grown by
// MinGrowth at least, and by no less than that live heap, so that a large
// live heap (a long session table) is never marked more often than
// GOGC=100 would mark it.
//
// The growth is measured from the idle floor, not from the runtime's own
// last collection: one that ran in the middle of a batch found the batch
// live, and measuring from it would let the heap run on to three times a
// batch in flight, which is what this package avoids.
func due(idleLive, objects uint64) bool {
	if objects <= idleLive {
		return false
	}
	growth := objects - idleLive
	return growth >= MinGrowth && growth >= idleLive
}

// read returns the runtime metric of that name.
func read(name string) uint64 {
	samples := []metrics.Sample{{Name: name}}
	metrics.Read(samples)
	return samples[0].Value.Uint64()
}

// Forced returns the number of collections the program forced so far,
// this package's and any other runtime.GC call's.
func Forced() uint64 {
	return read(forcedMetric)
}
