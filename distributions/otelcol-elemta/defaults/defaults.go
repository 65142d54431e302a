// Package defaults holds what the otelcol-elemta binary changes in the
// collector's defaults. The built binary imports it for its side effect
// (the Makefile adds the import next to the main package ocb generates).
//
// It turns on the feature gate extension.healthcheck.useComponentStatus:
// the health_check extension then answers from the components' status, so
// the health endpoint says when Elasticsearch has not taken documents for
// longer than component_health::recovery_duration. The command line
// (--feature-gates=-extension.healthcheck.useComponentStatus) still turns
// it off.
//
// It runs the garbage collector at GOGC=200 unless the environment sets
// GOGC: the collector's live heap is small and short-lived batches make
// most of its garbage, so at Go's default of 100 a third of the CPU went to
// collecting it (BENCHMARKS.md, "End to end"); 200 halves that for a peak
// resident memory still well under the stock contrib pipeline's.
//
// It collects garbage at idle moments (internal/idlegc) unless GOGC=off:
// when the elemta receiver has delivered all it read, a collection finds
// little live, and the heap's peak at a steady rate is about half of what
// GOGC alone allows (BENCHMARKS.md, "Collecting at idle moments").
package defaults // import "github.com/elemta/otelcol-elemta/distributions/otelcol-elemta/defaults"

import (
	"os"
	"runtime/debug"

	// The gate is registered by the extension's package, initialised first.
	_ "github.com/open-telemetry/opentelemetry-collector-contrib/extension/healthcheckextension"
	"go.opentelemetry.io/collector/featuregate"

	"github.com/elemta/otelcol-elemta/internal/idlegc"
)

// HealthFromComponentStatus is the gate turned on.
const HealthFromComponentStatus = "extension.healthcheck.useComponentStatus"

// GCPercent is the garbage collector's target unless GOGC is set.
const GCPercent = 200

func init() {
	if err := featuregate.GlobalRegistry().Set(HealthFromComponentStatus, true); err != nil {
		panic("otelcol-elemta defaults: " + err.Error())
	}
	gogc := os.Getenv("GOGC")
	if gogc == "" {
		debug.SetGCPercent(GCPercent)
	}
	if collectWhenIdle(gogc) {
		idlegc.Enable()
	}
}

// collectWhenIdle says whether collection at idle moments is on: always,
// except when GOGC=off asks for no collection at all.
func collectWhenIdle(gogc string) bool {
	return gogc != "off"
}
