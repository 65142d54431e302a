// Package smtpeventprocessor turns parsed Elemta log records into SMTP
// events: the step of the mail flow and its outcome, normalised addresses,
// the context of the SMTP session a line belongs to, credentials scrubbed,
// and the Elasticsearch document (index by event date, stable id).
//
//go:generate go tool -modfile=../../internal/tools/go.mod mdatagen metadata.yaml
package smtpeventprocessor // import "github.com/elemta/otelcol-elemta/processor/smtpeventprocessor"
