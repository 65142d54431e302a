package idlegc

import (
	"runtime/debug"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

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

func TestIdle(t *testing.T) {
	tests := []struct {
		name        string
		enable      bool
		garbage     int
		wantCollect bool
	}{
		{name: "on, a batch of garbage", enable: true, garbage: 4 * MinGrowth, wantCollect: true},
		{name: "on, little garbage", enable: true, garbage: MinGrowth / 8, wantCollect: false},
		{name: "off, a batch of garbage", enable: false, garbage: 4 * MinGrowth, wantCollect: false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.enable {
				Enable()
				t.Cleanup(Disable)
			}
			// A collection now makes the live heap the runtime reports current;
			// then its own pacing stays out of the way while garbage builds up.
			debug.FreeOSMemory()
			defer debug.SetGCPercent(debug.SetGCPercent(-1))
			before := Forced()

			makeGarbage(tt.garbage)
			Idle()

			if tt.wantCollect {
				require.Eventually(t, func() bool { return Forced() > before }, 5*time.Second, 5*time.Millisecond)
				require.Eventually(t, func() bool { return !collecting.Load() }, 5*time.Second, 5*time.Millisecond)
				return
			}
			assert.False(t, collecting.Load(), "no collection started")
			assert.Equal(t, before, Forced())
		})
	}
}

var sink []byte

func makeGarbage(n int) {
	const piece = 64 << 10
	for ; n > 0; n -= piece {
		sink = make([]byte, piece)
	}
	sink = nil
}
