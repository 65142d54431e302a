// Package elemtasetupextension installs what Elasticsearch needs before
// the first Elemta event arrives: the ILM policy elemta-logs-policy and the
// index template of the elemta-logs-* indices. It works in the background,
// never writes over what an operator changed, and holds the
// durable_elasticsearch exporter's first documents until the template is
// there.
//
//go:generate go tool -modfile=../../internal/tools/go.mod mdatagen metadata.yaml
package elemtasetupextension // import "github.com/elemta/otelcol-elemta/extension/elemtasetupextension"
