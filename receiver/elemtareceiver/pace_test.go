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
		answers []time.Duration
		want    int
	}{
		{name: "before any answer: one", max: 32, want: 1},
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
			name: "never fewer than one", max: 10,
			answers: append([]time.Duration{ms}, repeat(time.Second, 10)...), want: 1,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := newPace(tt.max)
			for _, a := range tt.answers {
				p.answered(a)
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
