// Package readiness lets one component wait until another has prepared
// what it depends on, without importing it: the elemtasetup extension
// implements Elasticsearch, and the durable_elasticsearch exporter, which
// finds it among the host's extensions, sends no document before it is
// ready.
package readiness // import "github.com/elemta/otelcol-elemta/internal/readiness"

import "context"

// Elasticsearch is implemented by what prepares Elasticsearch for the
// documents (index template, ILM policy).
type Elasticsearch interface {
	// ElasticsearchReady returns nil once the preparation is done or given
	// up (documents may go then), or ctx's error.
	ElasticsearchReady(ctx context.Context) error
	// ElasticsearchPending is why the preparation is not done yet (the
	// last failure of its attempts); nil when no attempt failed.
	ElasticsearchPending() error
}
