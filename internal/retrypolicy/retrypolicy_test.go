package retrypolicy

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"go.opentelemetry.io/collector/config/configretry"
)

func TestBackOff(t *testing.T) {
	tests := []struct {
		name string
		cfg  configretry.BackOffConfig
		want []time.Duration // without randomization
	}{
		{
			name: "grows by the multiplier up to max_interval",
			cfg:  configretry.BackOffConfig{InitialInterval: time.Second, Multiplier: 2, MaxInterval: 5 * time.Second},
			want: []time.Duration{time.Second, 2 * time.Second, 4 * time.Second, 5 * time.Second, 5 * time.Second},
		},
		{
			name: "multiplier 1: the first interval each time",
			cfg:  configretry.BackOffConfig{InitialInterval: 200 * time.Millisecond, Multiplier: 1, MaxInterval: time.Minute},
			want: []time.Duration{200 * time.Millisecond, 200 * time.Millisecond, 200 * time.Millisecond},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := BackOff(tt.cfg)
			var got []time.Duration
			for range tt.want {
				got = append(got, b.NextBackOff())
			}
			assert.Equal(t, tt.want, got)
		})
	}
}
