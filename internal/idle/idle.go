// Package idle lets a receiver tell the binary's memory policy when the
// pipeline is idle (everything it read is delivered) and when it is busy
// (behind, handing over full batches), without importing it: the
// memory_policy extension implements Collector, and the elemta receiver,
// which finds it among the host's extensions, calls it at such moments. A
// collector without the extension leaves the runtime alone.
package idle // import "github.com/elemta/otelcol-elemta/internal/idle"

import "go.opentelemetry.io/collector/component"

// Collector is implemented by what collects garbage at idle moments.
type Collector interface {
	// PipelineIdle says the caller holds no batch: everything it read is
	// delivered. It never waits.
	PipelineIdle()
	// PipelineBusy says the caller is behind: it handed over a full batch
	// and has more to read. It never waits.
	PipelineBusy()
}

// FromHost returns the host's extension that collects at idle moments, or
// one that does nothing.
func FromHost(host component.Host) Collector {
	for _, ext := range host.GetExtensions() {
		if c, ok := ext.(Collector); ok {
			return c
		}
	}
	return nothing{}
}

type nothing struct{}

func (nothing) PipelineIdle() {}

func (nothing) PipelineBusy() {}
