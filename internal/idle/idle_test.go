package idle

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/component/componenttest"
)

type counting struct {
	component.StartFunc
	component.ShutdownFunc
	calls int
	busy  int
}

func (c *counting) PipelineIdle() { c.calls++ }

func (c *counting) PipelineBusy() { c.busy++ }

type host struct {
	component.Host
	extensions map[component.ID]component.Component
}

func (h host) GetExtensions() map[component.ID]component.Component { return h.extensions }

func TestFromHost(t *testing.T) {
	c := &counting{}
	tests := []struct {
		name  string
		host  component.Host
		calls int
	}{
		{"the extension", host{componenttest.NewNopHost(), map[component.ID]component.Component{component.MustNewID("memory_policy"): c}}, 1},
		{"none: nothing happens", componenttest.NewNopHost(), 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c.calls, c.busy = 0, 0
			FromHost(tt.host).PipelineBusy()
			FromHost(tt.host).PipelineIdle()
			assert.Equal(t, tt.calls, c.calls)
			assert.Equal(t, tt.calls, c.busy)
		})
	}
}
