package defaults

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"go.opentelemetry.io/collector/featuregate"
)

func TestHealthFromComponentStatusIsOn(t *testing.T) {
	on := false
	featuregate.GlobalRegistry().VisitAll(func(g *featuregate.Gate) {
		if g.ID() == HealthFromComponentStatus {
			on = g.IsEnabled()
		}
	})
	assert.True(t, on)
}
