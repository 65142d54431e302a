// Package recordstest lists the log records of a batch, for the
// components' tests.
package recordstest // import "github.com/elemta/otelcol-elemta/internal/recordstest"

import "go.opentelemetry.io/collector/pdata/plog"

// Of returns the records of ld, in order, across its resources and scopes.
func Of(ld plog.Logs) []plog.LogRecord {
	out := make([]plog.LogRecord, 0, ld.LogRecordCount())
	for _, rl := range ld.ResourceLogs().All() {
		for _, sl := range rl.ScopeLogs().All() {
			for _, lr := range sl.LogRecords().All() {
				out = append(out, lr)
			}
		}
	}
	return out
}
