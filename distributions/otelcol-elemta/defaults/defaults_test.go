package defaults

import (
	"os"
	"runtime/debug"
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

func TestGCPercentUnlessGOGCIsSet(t *testing.T) {
	if os.Getenv("GOGC") != "" {
		t.Skip("GOGC is set: the runtime's own setting stands")
	}
	percent := debug.SetGCPercent(GCPercent)
	assert.Equal(t, GCPercent, percent)
}
