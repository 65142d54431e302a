// Package elemtareceiver reads the logs of the Elemta SMTP server — JSON,
// key=value and plain text, from files or Docker json-file container logs —
// and turns every line into a typed log record, with checkpoints in a
// storage extension so that a restart neither loses nor repeats a line.
//
//go:generate go tool -modfile=../../internal/tools/go.mod mdatagen metadata.yaml
package elemtareceiver // import "github.com/elemta/otelcol-elemta/receiver/elemtareceiver"
