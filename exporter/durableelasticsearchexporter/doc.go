// Package durableelasticsearchexporter ships logs to Elasticsearch through
// contrib's Elasticsearch exporter, without losing them when the cluster is
// slow, down or restarting: it makes each record a flat document, answers
// only once Elasticsearch has the batch, retries every transient failure
// until it succeeds and keeps what is refused for good in a dead-letter file.
//
//go:generate go tool -modfile=../../internal/tools/go.mod mdatagen metadata.yaml
package durableelasticsearchexporter // import "github.com/elemta/otelcol-elemta/exporter/durableelasticsearchexporter"
