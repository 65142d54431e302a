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
