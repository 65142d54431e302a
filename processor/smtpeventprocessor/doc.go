// Package smtpeventprocessor turns parsed Elemta log records into SMTP
// events: the step of the mail flow and its outcome, normalised addresses,
// the context of the SMTP session a line belongs to, GeoIP, credentials
// scrubbed, privacy, a stable id (log.record.uid) and metric marks. The
// records stay ordinary OpenTelemetry log records; the Elasticsearch
// document is made by the durable_elasticsearch exporter.
//
// Each record is read once into a record (record.go), the hub every step
// works from. The files, in the order a record goes through them:
//
//   - processor.go: ConsumeLogs, and the steps for one record (event);
//   - record.go: what the line says, read from its attributes;
//   - flow.go: the step of the mail flow and its outcome;
//   - normalise.go: addresses and domains in one form;
//   - session.go: the SMTP session a line belongs to, what it remembers
//     and fills in;
//   - geoip.go: where a client or a delivery host is;
//   - scrub.go: credentials out of the line and the attributes;
//   - privacy.go: pseudonyms of addresses and the user name of a failed
//     login;
//   - measure.go: the metric marks (one line per SMTP event, bounded
//     labels); timing.go: when a message was received and delivered;
//   - uid.go: the stable id;
//   - counts.go: the per-batch counts of the processor's own metrics.
//
//go:generate go tool -modfile=../../internal/tools/go.mod mdatagen metadata.yaml
package smtpeventprocessor // import "github.com/elemta/otelcol-elemta/processor/smtpeventprocessor"
