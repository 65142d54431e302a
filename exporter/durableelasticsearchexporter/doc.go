// Package durableelasticsearchexporter ships logs to Elasticsearch through
// contrib's Elasticsearch exporter, without losing them when the cluster is
// slow, down or restarting: a persistent sending queue in a storage
// extension, and retries of every transient failure until it succeeds.
//
//go:generate go tool -modfile=../../internal/tools/go.mod mdatagen metadata.yaml
package durableelasticsearchexporter // import "github.com/elemta/otelcol-elemta/exporter/durableelasticsearchexporter"
