package memorypolicyextension // import "github.com/elemta/otelcol-elemta/extension/memorypolicyextension"

import (
	"context"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"sync"
	"sync/atomic"

	"go.opentelemetry.io/collector/component"
	"go.uber.org/zap"

	"github.com/elemta/otelcol-elemta/internal/idle"
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
)

// policy sets the garbage collector's target while the collector runs,
// collects garbage at the moments the pipeline is idle, and while it is
// busy lets the heap reach a floor before each collection.
//
// Go's collector sets its next target from the heap it finds live, times
// GOGC. A collection that starts while a batch is in flight finds the
// batch live (its lines, records, documents and bulk body, several MB)
// and lets the heap grow to three times that at GOGC=200. Between batches
// the live heap is a fraction of it. A collection run when a receiver has
// delivered everything it read finds only that fraction, so the heap's
// peak follows the size of one batch, not three times a batch in flight
// (BENCHMARKS.md, "Collecting at idle moments").
type policy struct {
	cfg    *Config
	gogc   string // the environment's GOGC
	logger *zap.Logger

	collecting atomic.Bool
	// idleLive is the heap found live by the last collection at an idle
	// moment: the pipeline's own floor, without a batch in flight.
	idleLive atomic.Uint64

	// busy: a receiver handed over a full batch since its last idle
	// moment. Meanwhile the target is raised after each collection so
	// that the heap reaches busyHeap before the next one (busyPercent).
	busy     atomic.Bool
	busyHeap uint64

	mu       sync.Mutex // guards what follows
	setting  bool       // between Start and Shutdown, the target is this policy's
	previous int        // the target before Start, restored at Shutdown
	target   int        // the target set last
	// lowered: a collection at an idle moment is due, and the target is
	// collectNowPercent until it is done; then it is target again, or
	// restore when the policy does not set it (GOGC set).
	lowered bool
	restore int
}

// collectNowPercent is a target the heap is past at an idle moment that
// calls for a collection: the runtime starts one at its next allocation.
const collectNowPercent = 1

// maxBusyPercent bounds the raised target: a live heap that grows ten times
// over before the next retarget still meets a collection.
const maxBusyPercent = 1000

// busyPercent is the target that lets a heap of which live bytes are live
// grow to floor before a collection, and base when that is less.
func busyPercent(base int, live, floor uint64) int {
	if live == 0 || live >= floor {
		return base
	}
	need := (floor - live) * 100 / live
	if need >= maxBusyPercent {
		return max(maxBusyPercent, base)
	}
	return max(int(need), base) //nolint:gosec // under maxBusyPercent, checked above
}

var _ idle.Collector = (*policy)(nil)

func newPolicy(cfg *Config, gogc string, logger *zap.Logger) *policy {
	return &policy{cfg: cfg, gogc: gogc, logger: logger, busyHeap: uint64(max(cfg.BusyHeapMiB, 0)) << 20} //nolint:gosec // not negative
}

// Start sets the garbage collector's target, unless GOGC is set.
func (p *policy) Start(context.Context, component.Host) error {
	if p.gogc == "" && p.cfg.GCPercent > 0 {
		p.mu.Lock()
		p.previous = debug.SetGCPercent(p.cfg.GCPercent)
		p.setting, p.target = true, p.cfg.GCPercent
		p.mu.Unlock()
		if p.busyHeap > 0 {
			p.afterNextCollection()
		}
	}
	p.logger.Debug("Memory policy", zap.String("GOGC", p.gogc), zap.Int("gc_percent", p.cfg.GCPercent),
		zap.Bool("collect_when_idle", p.collectsWhenIdle()), zap.Int("busy_heap_mib", p.cfg.BusyHeapMiB))
	return nil
}

// Shutdown gives the runtime its target back.
func (p *policy) Shutdown(context.Context) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.lowered && !p.setting {
		debug.SetGCPercent(p.restore)
	}
	p.lowered = false
	if p.setting {
		debug.SetGCPercent(p.previous)
		p.setting = false
	}
	return nil
}

// afterNextCollection retargets once the next collection is done, and
// again after each one while the policy sets the target: the runtime
// finalizes an object after the collection that found it unreachable.
func (p *policy) afterNextCollection() {
	runtime.SetFinalizer(new(sentinel), func(*sentinel) {
		if p.retarget() {
			p.afterNextCollection()
		}
	})
}

// sentinel is an object only a finalizer follows. It holds a pointer so
// that it is never one of the tiny objects the runtime packs together,
// whose finalizers may not run.
type sentinel struct{ _ *byte }

// retarget sets the target for the heap the last collection found live:
// raised while busy, gc_percent otherwise. It reports whether the policy
// still sets the target (between Start and Shutdown).
func (p *policy) retarget() bool {
	want := p.cfg.GCPercent
	if p.busy.Load() {
		want = busyPercent(want, read(liveMetric), p.busyHeap)
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if !p.setting {
		return false
	}
	if want != p.target {
		p.target = want
		if !p.lowered { // else set once the collection due is done
			debug.SetGCPercent(want)
		}
	}
	return true
}

// PipelineBusy raises the target from the next collection on, until the
// pipeline is idle.
func (p *policy) PipelineBusy() {
	p.busy.Store(true)
}

func (p *policy) collectsWhenIdle() bool {
	return p.cfg.CollectWhenIdle && p.gogc != "off"
}

// PipelineIdle has a collection start in the background when the heap has
// grown enough since the last one at an idle moment; it never waits.
func (p *policy) PipelineIdle() {
	if p.busy.CompareAndSwap(true, false) {
		p.retarget() // gc_percent again: the heap follows what is live
	}
	if !p.collectsWhenIdle() || !due(p.idleLive.Load(), read(heapMetric)) {
		return
	}
	if !p.collecting.CompareAndSwap(false, true) {
		return // one collection at a time
	}
	p.collectSoon()
}

// collectSoon lowers the target below the heap, so that the runtime starts
// a collection at its next allocation and sweeps in the background as it
// does for its own, until that collection is done. runtime.GC would sweep
// the whole heap before it returns, handing the processor to the scheduler
// after each span: at 5,000 lines/s, an eighth of the collector's CPU went
// to that (BENCHMARKS.md, "Collecting at idle moments without
// runtime.GC").
func (p *policy) collectSoon() {
	p.mu.Lock()
	defer p.mu.Unlock()
	// The sentinel comes before the lowered target: made after it, it could
	// be made during the collection it waits for, and outlive it. Its
	// finalizer waits for p.mu, so it sees the target lowered.
	runtime.SetFinalizer(new(sentinel), func(*sentinel) { p.collected() })
	was := debug.SetGCPercent(collectNowPercent)
	if !p.setting {
		p.restore = was
	}
	p.lowered = true
}

// collected ends a collection at an idle moment: the target is the
// policy's (or GOGC's) again.
func (p *policy) collected() {
	p.idleLive.Store(read(liveMetric)) // what this collection found live
	p.mu.Lock()
	if p.lowered {
		p.lowered = false
		if p.setting {
			debug.SetGCPercent(p.target)
		} else {
			debug.SetGCPercent(p.restore)
		}
	}
	p.mu.Unlock()
	p.collecting.Store(false)
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
// batch in flight, which is what this policy avoids.
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
