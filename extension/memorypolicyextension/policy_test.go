package memorypolicyextension

import (
	"context"
	"runtime"
	"runtime/debug"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/extension"
	"go.opentelemetry.io/collector/extension/extensiontest"
	"go.uber.org/zap"

	"github.com/elemta/otelcol-elemta/extension/memorypolicyextension/internal/metadata"
	"github.com/elemta/otelcol-elemta/internal/idle"
)

func TestDue(t *testing.T) {
	const mib = 1 << 20
	tests := []struct {
		name              string
		idleLive, objects uint64
		want              bool
	}{
		{name: "nothing allocated since", idleLive: 4 * mib, objects: 4 * mib, want: false},
		{name: "a few lines read", idleLive: 4 * mib, objects: 5 * mib, want: false},
		{name: "just under the least growth", idleLive: 1 * mib, objects: 1*mib + MinGrowth - 1, want: false},
		{name: "the least growth over a small floor", idleLive: 1 * mib, objects: 1*mib + MinGrowth, want: true},
		{name: "a batch delivered", idleLive: 4 * mib, objects: 12 * mib, want: true},
		{name: "first call, nothing collected at an idle moment yet", idleLive: 0, objects: 12 * mib, want: true},
		{name: "a large floor, grown by less than itself", idleLive: 40 * mib, objects: 70 * mib, want: false},
		{name: "a large floor, grown by itself", idleLive: 40 * mib, objects: 80 * mib, want: true},
		{name: "heap below the floor (collected since)", idleLive: 8 * mib, objects: 6 * mib, want: false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, due(tt.idleLive, tt.objects))
		})
	}
}

// startPolicy starts the extension through its factory with cfg, the
// environment's GOGC set to gogc and the runtime's target at 77 before;
// the test's end gives the runtime its target back.
func startPolicy(t *testing.T, gogc string, cfg *Config) extension.Extension {
	t.Helper()
	t.Setenv("GOGC", gogc)
	before := debug.SetGCPercent(77)
	t.Cleanup(func() { debug.SetGCPercent(before) })
	ext, err := NewFactory().Create(context.Background(), extensiontest.NewNopSettings(metadata.Type), cfg)
	require.NoError(t, err)
	require.NoError(t, ext.Start(context.Background(), componenttest.NewNopHost()))
	return ext
}

// TestGCPercent: through the factory, Start sets the garbage collector's
// target unless GOGC is set, and Shutdown gives the runtime its own back.
func TestGCPercent(t *testing.T) {
	tests := []struct {
		name    string
		gogc    string
		percent int
		want    int
	}{
		{"the default, 200", "", defaultGCPercent, defaultGCPercent},
		{"configured", "", 300, 300},
		{"0: the runtime's own", "", 0, 77},
		{"GOGC set: it wins", "50", 300, 77},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := createDefaultConfig().(*Config)
			cfg.GCPercent = tt.percent
			ext := startPolicy(t, tt.gogc, cfg)
			assert.Equal(t, tt.want, debug.SetGCPercent(tt.want), "the target while the collector runs")
			require.NoError(t, ext.Shutdown(context.Background()))
			assert.Equal(t, 77, debug.SetGCPercent(77), "the runtime's target after Shutdown")
		})
	}
}

// TestCollectWhenIdle: a receiver that finds the extension through the
// host reports the pipeline idle; a collection starts when a batch of
// garbage was made since, not for a little, and never when the policy is
// off (collect_when_idle: false, or GOGC=off). The runtime starts it at its
// next allocation; once it is done the target is what it was.
func TestCollectWhenIdle(t *testing.T) {
	tests := []struct {
		name        string
		collect     bool
		gogc        string
		garbage     int
		wantCollect bool
	}{
		{name: "on, a batch of garbage", collect: true, garbage: 4 * MinGrowth, wantCollect: true},
		{name: "on, little garbage", collect: true, garbage: MinGrowth / 8, wantCollect: false},
		{name: "collect_when_idle: false", collect: false, garbage: 4 * MinGrowth, wantCollect: false},
		{name: "GOGC=off", collect: true, gogc: "off", garbage: 4 * MinGrowth, wantCollect: false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := newPolicy(&Config{CollectWhenIdle: tt.collect}, tt.gogc, zap.NewNop())
			host := hostWith{p}
			// A collection now makes the live heap the runtime reports current;
			// then no collection of its own pacing runs (the target is off)
			// while garbage builds up.
			debug.FreeOSMemory()
			defer debug.SetGCPercent(debug.SetGCPercent(-1))
			before := cycles()

			makeGarbage(tt.garbage)
			idle.FromHost(host).PipelineIdle()

			if tt.wantCollect {
				require.Eventually(t, func() bool {
					makeGarbage(MinGrowth / 8) // the pipeline's next allocations
					return cycles() > before
				}, 5*time.Second, 5*time.Millisecond)
				require.Eventually(t, func() bool { return !p.collecting.Load() }, 5*time.Second, 5*time.Millisecond)
				assert.Equal(t, -1, debug.SetGCPercent(-1), "the target is off again once the collection is done")
				assert.Positive(t, p.idleLive.Load(), "the heap that collection found live")
				return
			}
			makeGarbage(MinGrowth / 8)
			assert.False(t, p.collecting.Load(), "no collection started")
			assert.Equal(t, before, cycles())
			assert.Equal(t, -1, debug.SetGCPercent(-1), "the target left alone")
		})
	}
}

func TestConfigValidate(t *testing.T) {
	require.NoError(t, (&Config{GCPercent: 200}).Validate())
	assert.ErrorContains(t, (&Config{GCPercent: -1}).Validate(), "gc_percent: -1 is negative")
}

var sink []byte

func makeGarbage(n int) {
	const piece = 64 << 10
	for ; n > 0; n -= piece {
		sink = make([]byte, piece)
	}
	sink = nil
}

func TestBusyPercent(t *testing.T) {
	const mib = 1 << 20
	tests := []struct {
		name        string
		base        int
		live, floor uint64
		want        int
	}{
		{name: "nothing known live yet", live: 0, floor: 40 * mib, want: 200},
		{name: "live heap over the floor: gc_percent", live: 50 * mib, floor: 40 * mib, want: 200},
		{name: "gc_percent reaches the floor already", live: 14 * mib, floor: 40 * mib, want: 200},
		{name: "10 MiB live: up to 40", live: 10 * mib, floor: 40 * mib, want: 300},
		{name: "4 MiB live: up to 40", live: 4 * mib, floor: 40 * mib, want: 900},
		{name: "1 MiB live: at most ten times over", live: 1 * mib, floor: 40 * mib, want: maxBusyPercent},
		{name: "no floor", live: 1 * mib, floor: 0, want: 200},
		{name: "gc_percent over the bound: never lowered", base: 2000, live: 1 * mib, floor: 40 * mib, want: 2000},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			base := tt.base
			if base == 0 {
				base = 200
			}
			assert.Equal(t, tt.want, busyPercent(base, tt.live, tt.floor))
		})
	}
}

// gogc is the garbage collector's target now.
func gogc() int { return int(read("/gc/gogc:percent")) }

// TestBusyHeap: through the factory, a receiver that reports the pipeline
// busy has the target raised after the next collection, so that the heap
// reaches busy_heap_mib before the one after; an idle moment sets
// gc_percent back at once. busy_heap_mib: 0, or GOGC set, leave the target.
func TestBusyHeap(t *testing.T) {
	tests := []struct {
		name      string
		gogc      string
		busyHeap  int
		wantRaise bool
	}{
		{name: "the default, 40 MiB", busyHeap: defaultBusyHeapMiB, wantRaise: true},
		{name: "busy_heap_mib: 0", busyHeap: 0},
		{name: "GOGC set: it wins", gogc: "50", busyHeap: defaultBusyHeapMiB},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := createDefaultConfig().(*Config)
			cfg.BusyHeapMiB = tt.busyHeap
			// A collection at the idle moment lowers the target until it is
			// done (TestCollectWhenIdle); here the target read is the busy one.
			cfg.CollectWhenIdle = false
			ext := startPolicy(t, tt.gogc, cfg)
			base := gogc()
			pipeline := idle.FromHost(hostWith{ext.(*policy)})

			pipeline.PipelineBusy()
			runtime.GC()
			if tt.wantRaise {
				require.Eventually(t, func() bool { return gogc() > base }, 5*time.Second, 5*time.Millisecond,
					"raised after a collection while busy: the live heap here is far under 40 MiB")
				pipeline.PipelineIdle()
				assert.Equal(t, defaultGCPercent, gogc(), "gc_percent at the idle moment")
			} else {
				runtime.GC() // the finalizers of the first have run
				assert.Equal(t, base, gogc(), "left alone")
			}
			require.NoError(t, ext.Shutdown(context.Background()))
			assert.Equal(t, 77, gogc(), "the runtime's target after Shutdown")
			runtime.GC()
			runtime.GC()
			assert.Equal(t, 77, gogc(), "no retarget after Shutdown")
		})
	}
}

func TestConfigValidateBusyHeap(t *testing.T) {
	assert.ErrorContains(t, (&Config{BusyHeapMiB: -1}).Validate(), "busy_heap_mib: -1 is negative")
}

// TestTargetAroundAnIdleCollection: through the factory, the target is
// lowered from the idle moment until its collection is done, then it is
// the policy's again (gc_percent, or the one GOGC set); a Shutdown in
// between gives the runtime its own at once, and the collection, when it
// comes, leaves it.
func TestTargetAroundAnIdleCollection(t *testing.T) {
	tests := []struct {
		name      string
		gogc      string
		shutdown  bool // before the collection
		wantAfter int
	}{
		{name: "gc_percent", wantAfter: defaultGCPercent},
		{name: "GOGC set", gogc: "50", wantAfter: 77}, // startPolicy's stand-in for what the runtime read
		{name: "Shutdown first", shutdown: true, wantAfter: 77},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := createDefaultConfig().(*Config)
			cfg.BusyHeapMiB = 0
			ext := startPolicy(t, tt.gogc, cfg)
			p := ext.(*policy)
			runtime.GC() // the finalizers of earlier tests have run
			p.idleLive.Store(read(liveMetric))
			target := debug.SetGCPercent(-1) // no collection while the garbage builds up
			makeGarbage(4 * MinGrowth)
			debug.SetGCPercent(target)
			idle.FromHost(hostWith{p}).PipelineIdle()
			require.True(t, p.collecting.Load(), "a collection is due")
			assert.Equal(t, collectNowPercent, gogc(), "lowered until it is done")
			if tt.shutdown {
				require.NoError(t, ext.Shutdown(context.Background()))
				assert.Equal(t, 77, gogc(), "the runtime's target at Shutdown")
			}
			require.Eventually(t, func() bool {
				makeGarbage(MinGrowth / 8)
				return !p.collecting.Load()
			}, 5*time.Second, 5*time.Millisecond)
			assert.Equal(t, tt.wantAfter, gogc())
			if !tt.shutdown {
				require.NoError(t, ext.Shutdown(context.Background()))
			}
		})
	}
}
