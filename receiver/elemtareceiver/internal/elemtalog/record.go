// Package elemtalog turns one line of an Elemta log, in any of the shapes
// Elemta writes, into a typed record: timestamp, level, and attributes named
// as operators search for them. It is hand-written for speed: no regular
// expression runs per line.
package elemtalog // import "github.com/elemta/otelcol-elemta/receiver/elemtareceiver/internal/elemtalog"

import (
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"

	"github.com/elemta/otelcol-elemta/internal/vocabulary"
)

// Record is one parsed line. The line itself is kept by the caller as the
// log body; Record holds what was learnt from it.
type Record struct {
	// Line is the line as it is to be kept: invalid UTF-8 replaced by U+FFFD.
	Line string
	// Timestamp is the time written in the line; zero when it carries none.
	Timestamp time.Time
	// Level is the normalised level: DEBUG, INFO, WARN, ERROR or FATAL; empty when none.
	Level string
	// Format is the shape the line was recognised as.
	Format vocabulary.Format
	// Attributes are the fields of the line, typed, plus the derived ones above.
	Attributes pcommon.Map
}
