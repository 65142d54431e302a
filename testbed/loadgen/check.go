package loadgen // import "github.com/elemta/otelcol-elemta/testbed/loadgen"

import (
	"fmt"
	"slices"
	"time"

	"github.com/elemta/otelcol-elemta/testbed/esdouble"
)

// Report is what arrived of the lines written.
type Report struct {
	Written    int
	Delivered  int // lines with a document
	Missing    int // lines with neither a document nor a dead letter
	Duplicates int // lines with more than one document
	// DeadLettered are lines refused for good, kept in the dead-letter file.
	DeadLettered int
	FirstMissing []int
	Latency      Latency
	ByEventType  map[string]int
}

// Latency is the time from a line's write to its document's arrival.
type Latency struct {
	P50, P95, P99, Max time.Duration
}

// Lost reports whether a line is missing or duplicated.
func (r Report) Lost() bool { return r.Missing > 0 || r.Duplicates > 0 }

func (r Report) String() string {
	return fmt.Sprintf("%d written, %d delivered, %d dead-lettered, %d missing, %d duplicated; latency p50 %s p99 %s max %s",
		r.Written, r.Delivered, r.DeadLettered, r.Missing, r.Duplicates,
		r.Latency.P50.Round(time.Millisecond), r.Latency.P99.Round(time.Millisecond), r.Latency.Max.Round(time.Millisecond))
}

// Check compares the documents with the lines 0 to written-1; deadLettered
// holds the ids of lines in the dead-letter file.
func Check(docs []esdouble.Document, written int, deadLettered map[int]bool) Report {
	r := Report{Written: written, ByEventType: map[string]int{}}
	seen := make([]int, written)
	latencies := make([]time.Duration, 0, len(docs))
	for _, d := range docs {
		id, at, ok := IDOf(d)
		if !ok || id < 0 || id >= written {
			continue
		}
		seen[id]++
		if seen[id] == 1 {
			latencies = append(latencies, d.Arrived.Sub(at))
		}
		if et, ok := d.Source["event_type"].(string); ok {
			r.ByEventType[et]++
		}
	}
	for id, n := range seen {
		switch {
		case n == 1:
			r.Delivered++
		case n > 1:
			r.Delivered++
			r.Duplicates++
		case deadLettered[id]:
			r.DeadLettered++
		default:
			r.Missing++
			if len(r.FirstMissing) < 10 {
				r.FirstMissing = append(r.FirstMissing, id)
			}
		}
	}
	r.Latency = percentiles(latencies)
	return r
}

func percentiles(d []time.Duration) Latency {
	if len(d) == 0 {
		return Latency{}
	}
	slices.Sort(d)
	at := func(q float64) time.Duration { return d[min(len(d)-1, int(q*float64(len(d))))] }
	return Latency{P50: at(0.50), P95: at(0.95), P99: at(0.99), Max: d[len(d)-1]}
}

// IDOf finds the id of a document's line and its write time: in the line
// the document carries (esdouble.Message), else in its `tbid` field, where
// a structured line's fields are (a JSON or key=value line whose message
// is its msg, the line itself left out).
func IDOf(d esdouble.Document) (id int, written time.Time, ok bool) {
	if id, written, ok := ParseID(esdouble.Message(d)); ok {
		return id, written, true
	}
	if v, found := esdouble.Attribute(d, "tbid"); found {
		if text, isText := v.(string); isText {
			return ParseID("tbid=" + text)
		}
	}
	return 0, time.Time{}, false
}
