package memorypolicyextension // import "github.com/elemta/otelcol-elemta/extension/memorypolicyextension"

import (
	"context"
	"os"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/extension"

	"github.com/elemta/otelcol-elemta/extension/memorypolicyextension/internal/metadata"
)

// defaultGCPercent: the collector's live heap is small and short-lived
// batches make most of its garbage, so at Go's default of 100 a third of
// the CPU went to collecting it (BENCHMARKS.md, "End to end"); 200 halves
// that for a peak resident memory still well under the stock contrib
// pipeline's.
const defaultGCPercent = 200

// defaultBusyHeapMiB: while a backlog is read, a collection every 40 MiB
// of garbage rather than every two batches' worth: the heap reaches about
// that much anyway at the peaks of a backlog (BENCHMARKS.md, "A heap floor
// while busy").
const defaultBusyHeapMiB = 40

// NewFactory returns the factory of the memory_policy extension.
func NewFactory() extension.Factory {
	return extension.NewFactory(metadata.Type, createDefaultConfig, create, metadata.ExtensionStability)
}

func createDefaultConfig() component.Config {
	return &Config{GCPercent: defaultGCPercent, CollectWhenIdle: true, BusyHeapMiB: defaultBusyHeapMiB}
}

func create(_ context.Context, set extension.Settings, cfg component.Config) (extension.Extension, error) {
	return newPolicy(cfg.(*Config), os.Getenv("GOGC"), set.Logger), nil
}
