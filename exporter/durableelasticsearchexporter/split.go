package durableelasticsearchexporter // import "github.com/elemta/otelcol-elemta/exporter/durableelasticsearchexporter"

import "go.opentelemetry.io/collector/pdata/plog"

// splitLogs copies the first half of a batch's records into one batch and
// the rest into another, each record under its own resource and scope.
func splitLogs(ld plog.Logs) (first, second plog.Logs) {
	half := ld.LogRecordCount() / 2
	first, second = plog.NewLogs(), plog.NewLogs()
	seen := 0
	for _, rl := range ld.ResourceLogs().All() {
		var rlFirst, rlSecond plog.ResourceLogs
		for _, sl := range rl.ScopeLogs().All() {
			var slFirst, slSecond plog.ScopeLogs
			for _, r := range sl.LogRecords().All() {
				if seen < half {
					if slFirst == (plog.ScopeLogs{}) {
						if rlFirst == (plog.ResourceLogs{}) {
							rlFirst = newResourceLogs(first, rl)
						}
						slFirst = newScopeLogs(rlFirst, sl)
					}
					r.CopyTo(slFirst.LogRecords().AppendEmpty())
				} else {
					if slSecond == (plog.ScopeLogs{}) {
						if rlSecond == (plog.ResourceLogs{}) {
							rlSecond = newResourceLogs(second, rl)
						}
						slSecond = newScopeLogs(rlSecond, sl)
					}
					r.CopyTo(slSecond.LogRecords().AppendEmpty())
				}
				seen++
			}
		}
	}
	return first, second
}

func newResourceLogs(ld plog.Logs, like plog.ResourceLogs) plog.ResourceLogs {
	rl := ld.ResourceLogs().AppendEmpty()
	like.Resource().CopyTo(rl.Resource())
	rl.SetSchemaUrl(like.SchemaUrl())
	return rl
}

func newScopeLogs(rl plog.ResourceLogs, like plog.ScopeLogs) plog.ScopeLogs {
	sl := rl.ScopeLogs().AppendEmpty()
	like.Scope().CopyTo(sl.Scope())
	sl.SetSchemaUrl(like.SchemaUrl())
	return sl
}
