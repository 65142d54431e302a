package durableelasticsearchexporter // import "github.com/elemta/otelcol-elemta/exporter/durableelasticsearchexporter"

import (
	"context"
	"sync"
)

// bulkReport collects what Elasticsearch answered to the bulk requests of
// one batch: contrib's exporter reduces a refused request to an error
// without its reason, and a refused document to a log line. The exporter
// puts a report in the context of each batch it sends; the bulk middleware
// fills it in.
type bulkReport struct {
	single bool // the batch holds one record: a 413 cannot be split further

	mu sync.Mutex
	// status and reason are those of the last whole request that failed.
	status int
	reason refusal
	index  string // the index the failed request wrote to first
	// transport is the last error of a request that got no answer.
	transport error
	// pending holds the documents last refused with a status worth retrying
	// (429, 5xx), by index and id (or content when they have no id).
	pending map[string]int
	// deadLettered counts the documents written to the dead-letter store;
	// deadLetterErr is set when one could not be written.
	deadLettered  int
	deadLetterErr error
}

type reportKey struct{}

func newBulkReport(single bool) *bulkReport {
	return &bulkReport{single: single}
}

func withReport(ctx context.Context, r *bulkReport) context.Context {
	return context.WithValue(ctx, reportKey{}, r)
}

// reportFrom returns the report of the batch a request belongs to, or nil:
// every method of a nil report does nothing.
func reportFrom(ctx context.Context) *bulkReport {
	r, _ := ctx.Value(reportKey{}).(*bulkReport)
	return r
}

func (r *bulkReport) transportFailed(err error) {
	if r == nil {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.transport = err
}

func (r *bulkReport) requestFailed(status int, reason refusal, index string) {
	if r == nil {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.status, r.reason, r.index = status, reason, index
}

// requestAnswered records a request Elasticsearch answered with 2xx.
func (r *bulkReport) requestAnswered() {
	if r == nil {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.status, r.reason, r.transport = 0, refusal{}, nil
}

// hasPending reports whether documents await a retry.
func (r *bulkReport) hasPending() bool {
	if r == nil {
		return false
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.pending) > 0
}

// document records the latest outcome of one document: retry is true
// when it was refused with a status worth retrying.
func (r *bulkReport) document(key string, status int, retry bool) {
	if r == nil {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if retry {
		if r.pending == nil {
			r.pending = map[string]int{}
		}
		r.pending[key] = status
		return
	}
	delete(r.pending, key)
}

func (r *bulkReport) deadLetterWritten(n int, err error) {
	if r == nil {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if err != nil {
		r.deadLetterErr = err
		return
	}
	r.deadLettered += n
}

// snapshot is a copy of a report, read once the batch is sent.
type snapshot struct {
	status        int
	reason        refusal
	index         string
	transport     error
	pending       int
	pendingStatus int
	deadLettered  int
	deadLetterErr error
}

func (r *bulkReport) snapshot() snapshot {
	r.mu.Lock()
	defer r.mu.Unlock()
	s := snapshot{
		status: r.status, reason: r.reason, index: r.index, transport: r.transport,
		pending: len(r.pending), deadLettered: r.deadLettered, deadLetterErr: r.deadLetterErr,
	}
	for _, status := range r.pending {
		s.pendingStatus = status
		break
	}
	return s
}
