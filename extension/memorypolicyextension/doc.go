// Package memorypolicyextension is the otelcol-elemta binary's memory
// policy, as a component of the build: the garbage collector's target
// (GOGC) unless the environment sets it, and collections at the moments
// the pipeline is idle, which receivers report through internal/idle.
//
//go:generate go tool -modfile=../../internal/tools/go.mod mdatagen metadata.yaml
package memorypolicyextension // import "github.com/elemta/otelcol-elemta/extension/memorypolicyextension"
