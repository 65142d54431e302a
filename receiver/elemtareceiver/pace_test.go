package elemtareceiver

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

func TestPace(t *testing.T) {
	ms := time.Millisecond
	tests := []struct {
		name    string
		max     int
		cores   int // 8 unless set
		answers []time.Duration
		want    int
	}{
		{name: "before any answer: the bounds", max: 32, want: 32},
		{name: "a fast cluster's first answer: from one again", max: 32, cores: 2, answers: []time.Duration{10 * ms}, want: 2},
		{name: "never more than max", max: 1, answers: []time.Duration{ms, ms}, want: 1},
		{
			name: "a cluster that answers in a second whatever the load: the bounds at once", max: 32,
			answers: []time.Duration{time.Second}, want: 32,
		},
		{name: "answers in 200 ms", max: 32, answers: repeat(200*ms, 3), want: 32},
		{
			name: "a fast cluster, answers as quick with more in flight: one more each", max: 10,
			answers: []time.Duration{10 * ms, 11 * ms, 10 * ms, 12 * ms}, want: 5,
		},
		{
			name: "answers slow down as more are in flight: back off", max: 10,
			answers: []time.Duration{10 * ms, 11 * ms, 12 * ms, 13 * ms, 40 * ms, 45 * ms, 50 * ms}, want: 2,
		},
		{
			name: "a cluster that answers in a millisecond or two is not slow at two", max: 10,
			answers: []time.Duration{ms, 2 * ms, ms, 3 * ms, 2 * ms}, want: 6,
		},
		{
			name: "a slow cluster that slows down further backs off too", max: 32,
			answers: append([]time.Duration{time.Second}, repeat(3*time.Second, 10)...), want: 22,
		},
		{
			name: "a fast cluster on two cores: three at most", max: 32, cores: 2,
			answers: repeat(10*ms, 10), want: 3,
		},
		{
			name: "a cluster that became slow gets the bounds; fast again, cores + 1", max: 32, cores: 2,
			answers: append(repeat(150*ms, 3), repeat(10*ms, 60)...), want: 3,
		},
		{
			name: "never fewer than one", max: 10,
			answers: append([]time.Duration{ms}, repeat(time.Second, 10)...), want: 1,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cores := tt.cores
			if cores == 0 {
				cores = 8
			}
			p := newPace(tt.max, cores)
			for _, a := range tt.answers {
				p.answered(a, 0)
			}
			assert.Equal(t, tt.want, p.limit)
		})
	}
}

func repeat(d time.Duration, n int) []time.Duration {
	out := make([]time.Duration, n)
	for i := range out {
		out[i] = d
	}
	return out
}

// TestPaceRoomByDeliveryRate: a cluster that indexes one batch at a time,
// 200 ms each (an overloaded one: it answers later the more it is sent),
// is held to the few batches its delivery rate makes room for; a cluster
// that answers each batch in 200 ms however many it holds is sent as many
// as the bounds allow.
func TestPaceRoomByDeliveryRate(t *testing.T) {
	const (
		perBatch   = 200 * time.Millisecond
		batchBytes = 400_000
		maxBatches = 32
		maxBytes   = 10 << 20
	)
	tests := []struct {
		name string
		// done is when the oldest batch in flight, sent at sent, is
		// answered, the one before it having been answered at previous.
		done    func(previous, sent time.Duration) time.Duration
		atLeast int // batches in flight, once settled
		atMost  int
	}{
		{
			name:    "one batch at a time",
			done:    func(previous, sent time.Duration) time.Duration { return max(previous, sent) + perBatch },
			atLeast: 1, atMost: 5,
		},
		{
			name:    "its own latency",
			done:    func(_, sent time.Duration) time.Duration { return sent + perBatch },
			atLeast: maxBytes / batchBytes, atMost: maxBytes / batchBytes,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := newPace(maxBatches, 2)
			type batch struct {
				sent            time.Duration
				deliveredBefore int
			}
			var now time.Duration
			var inFlight []batch // oldest first
			delivered := 0
			for i := range 120 {
				// Behind: a batch goes whenever the bounds and the room allow.
				for {
					bytes := len(inFlight) * batchBytes
					room := p.room()
					if len(inFlight) > 0 && (len(inFlight) >= p.limit || bytes+batchBytes > maxBytes || room > 0 && bytes+batchBytes > room) {
						break
					}
					inFlight = append(inFlight, batch{sent: now, deliveredBefore: delivered})
				}
				if i >= 60 {
					assert.GreaterOrEqual(t, len(inFlight), tt.atLeast, "answer %d", i)
					assert.LessOrEqual(t, len(inFlight), tt.atMost, "answer %d", i)
				}
				now = tt.done(now, inFlight[0].sent)
				took := now - inFlight[0].sent
				delivered += batchBytes
				p.answered(took, delivered-inFlight[0].deliveredBefore)
				inFlight = inFlight[1:]
			}
		})
	}
}
