package smtpeventprocessor // import "github.com/elemta/otelcol-elemta/processor/smtpeventprocessor"

import (
	"context"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"

	"github.com/elemta/otelcol-elemta/internal/vocabulary"
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

// batchCounts holds the counts the processor's metrics take once a batch is
// done.
type batchCounts struct {
	events   map[eventsKey]int64
	geo      [geoOutcomes]int64
	scrubbed int64
	// delaysMalformed counts delivery delays that are not a number.
	delaysMalformed int64
}

func (b *batchCounts) countEvent(eventType, flow string) {
	if b.events == nil {
		b.events = map[eventsKey]int64{}
	}
	b.events[eventsKey{eventType, flow}]++
}

// count adds a batch's counts to the processor's metrics.
func (p *smtpEventProcessor) count(ctx context.Context, b *batchCounts) {
	for k, n := range b.events {
		p.telemetry.ProcessorSmtpeventEvents.Add(ctx, n, metric.WithAttributeSet(attribute.NewSet(
			attribute.String(vocabulary.AttrEventType, k.eventType), attribute.String(vocabulary.AttrMTAFlow, k.flow))))
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
	if b.delaysMalformed > 0 {
		p.telemetry.ProcessorSmtpeventDelaysMalformed.Add(ctx, b.delaysMalformed)
	}
	if b.scrubbed > 0 {
		p.telemetry.ProcessorSmtpeventCredentialsScrubbed.Add(ctx, b.scrubbed)
	}
}
