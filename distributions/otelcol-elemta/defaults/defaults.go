// Package defaults holds what the otelcol-elemta binary changes in the
// collector's defaults. The built binary imports it for its side effect
// (the Makefile adds the import next to the main package ocb generates).
//
// It turns on the feature gate extension.healthcheck.useComponentStatus:
// the health_check extension then answers from the components' status, so
// the health endpoint says when Elasticsearch has not taken documents for
// longer than component_health::recovery_duration. The command line
// (--feature-gates=-extension.healthcheck.useComponentStatus) still turns
// it off. (A gate must be set before the configuration is read: a
// component cannot. The memory policy, GOGC and collecting at idle
// moments, is the memory_policy extension's.)
package defaults // import "github.com/elemta/otelcol-elemta/distributions/otelcol-elemta/defaults"

import (
	// The gate is registered by the extension's package, initialised first.
	_ "github.com/open-telemetry/opentelemetry-collector-contrib/extension/healthcheckextension"
	"go.opentelemetry.io/collector/featuregate"
)

// HealthFromComponentStatus is the gate turned on.
const HealthFromComponentStatus = "extension.healthcheck.useComponentStatus"

func init() {
	if err := featuregate.GlobalRegistry().Set(HealthFromComponentStatus, true); err != nil {
		panic("otelcol-elemta defaults: " + err.Error())
	}
}
