// Package retrypolicy turns a component's retry_on_failure settings into
// the exponential back-off that paces its attempts.
package retrypolicy // import "github.com/elemta/otelcol-elemta/internal/retrypolicy"

import (
	"github.com/cenkalti/backoff/v5"
	"go.opentelemetry.io/collector/config/configretry"
)

// BackOff is the back-off of cfg, from its first interval. Its
// max_elapsed_time is the caller's to apply: backoff/v5 keeps it out of
// the back-off itself.
func BackOff(cfg configretry.BackOffConfig) *backoff.ExponentialBackOff {
	b := &backoff.ExponentialBackOff{
		InitialInterval:     cfg.InitialInterval,
		RandomizationFactor: cfg.RandomizationFactor,
		Multiplier:          cfg.Multiplier,
		MaxInterval:         cfg.MaxInterval,
	}
	b.Reset()
	return b
}
