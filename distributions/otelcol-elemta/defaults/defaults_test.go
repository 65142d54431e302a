package defaults

import (
	"os"
	"runtime/debug"
	"testing"

	"github.com/stretchr/testify/assert"
	"go.opentelemetry.io/collector/featuregate"

	"github.com/elemta/otelcol-elemta/internal/idlegc"
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

func TestCollectWhenIdle(t *testing.T) {
	tests := []struct {
		gogc string
		want bool
	}{
		{gogc: "", want: true},
		{gogc: "100", want: true},
		{gogc: "50", want: true},
		{gogc: "off", want: false},
	}
	for _, tt := range tests {
		t.Run("GOGC="+tt.gogc, func(t *testing.T) {
			assert.Equal(t, tt.want, collectWhenIdle(tt.gogc))
		})
	}
	assert.Equal(t, collectWhenIdle(os.Getenv("GOGC")), idlegc.Enabled(), "the binary's setting follows this environment's GOGC")
}
