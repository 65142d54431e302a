package smtpeventprocessor // import "github.com/elemta/otelcol-elemta/processor/smtpeventprocessor"

import (
	"context"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"
)

// geoOutcome is a result of a GeoIP lookup or of its cache.
type geoOutcome int

const (
	geoFound geoOutcome = iota
	geoNotFound
	geoSkipped
	geoError
	geoCacheHit
	geoCacheMiss
	geoOutcomes
)

// geoOutcomeNames are the values of the metrics' result attribute.
var geoOutcomeNames = [geoOutcomes]string{"found", "not_found", "skipped", "error", "hit", "miss"}

type eventsKey struct{ eventType, flow string }

// batch is what the records of one batch share: the index name of the
// last event's day, and the counts the processor's metrics take once the
// batch is done.
type batch struct {
	day   time.Time // UTC midnight of index
	index string

	events   map[eventsKey]int64
	geo      [geoOutcomes]int64
	scrubbed int64
}

func (b *batch) indexFor(prefix string, ts time.Time) string {
	day := ts.Truncate(24 * time.Hour) // the UTC day: Go time has no leap seconds
	if b.index == "" || !day.Equal(b.day) {
		b.day, b.index = day, prefix+ts.Format("2006.01.02")
	}
	return b.index
}

func (b *batch) countEvent(eventType, flow string) {
	if b.events == nil {
		b.events = map[eventsKey]int64{}
	}
	b.events[eventsKey{eventType, flow}]++
}

// count adds a batch's counts to the processor's metrics.
func (p *smtpEventProcessor) count(ctx context.Context, b *batch) {
	for k, n := range b.events {
		p.telemetry.ProcessorSmtpeventEvents.Add(ctx, n, metric.WithAttributeSet(attribute.NewSet(
			attribute.String("event_type", k.eventType), attribute.String("mta_flow", k.flow))))
	}
	for o, n := range b.geo {
		if n == 0 {
			continue
		}
		switch geoOutcome(o) {
		case geoCacheHit, geoCacheMiss:
			p.telemetry.ProcessorSmtpeventGeoipCache.Add(ctx, n, p.geoResult[o])
		default:
			p.telemetry.ProcessorSmtpeventGeoipLookups.Add(ctx, n, p.geoResult[o])
		}
	}
	if b.scrubbed > 0 {
		p.telemetry.ProcessorSmtpeventCredentialsScrubbed.Add(ctx, b.scrubbed)
	}
}
