// Package statustest is a component host that records the status events
// a component reports, for the components' tests.
package statustest // import "github.com/elemta/otelcol-elemta/internal/statustest"

import (
	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/component/componentstatus"
	"go.opentelemetry.io/collector/component/componenttest"
)

// Host is a host without extensions that records reported statuses.
type Host struct {
	component.Host
	events chan componentstatus.Status
}

// NewHost returns a host that keeps up to 100 statuses.
func NewHost() *Host {
	return &Host{Host: componenttest.NewNopHost(), events: make(chan componentstatus.Status, 100)}
}

// Report records a status event.
func (h *Host) Report(ev *componentstatus.Event) { h.events <- ev.Status() }

// Events gives the statuses in the order they were reported.
func (h *Host) Events() <-chan componentstatus.Status { return h.events }

// Statuses returns the statuses reported and not read yet, without waiting.
func (h *Host) Statuses() []componentstatus.Status {
	var out []componentstatus.Status
	for {
		select {
		case s := <-h.events:
			out = append(out, s)
		default:
			return out
		}
	}
}
