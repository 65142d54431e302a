// Package smtpeventprocessor turns parsed Elemta log records into SMTP
// events: the step of the mail flow and its outcome, normalised addresses,
// the context of the SMTP session a line belongs to, GeoIP, credentials
// scrubbed, privacy, a stable id (log.record.uid) and metric marks. The
// records stay ordinary OpenTelemetry log records; the Elasticsearch
// document is made by the durable_elasticsearch exporter.
//
//go:generate go tool -modfile=../../internal/tools/go.mod mdatagen metadata.yaml
package smtpeventprocessor // import "github.com/elemta/otelcol-elemta/processor/smtpeventprocessor"
