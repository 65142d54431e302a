package elemtareceiver // import "github.com/elemta/otelcol-elemta/receiver/elemtareceiver"

import (
	"context"
	"maps"
	"strings"
	"sync"

	"github.com/open-telemetry/opentelemetry-collector-contrib/pkg/stanza/operator"
	"go.opentelemetry.io/collector/extension/xextension/storage"
	"go.opentelemetry.io/collector/pdata/plog"
)

// linesRead is one call of the file consumer: lines of one file, copied
// out of its buffer into one string, with where each starts in the file.
type linesRead struct {
	lines     []string
	fileAttrs map[string]any
	offsets   []int64
	head      *fileHead // the start of the file, which identifies it
}

// lineBatch gathers the lines the file consumer reads until a batch is
// full, then hands it to the pipeline: one batch at a time, in the order
// read, so that the processors see the lines as they were written. The
// handing over waits while the bounds of what is in flight are reached.
// The lines are held raw and converted for each attempt, so that a refused
// batch is sent again as it was read, not as a processor left it.
//
// The file consumer saves its read positions (the checkpoint) after each
// poll of the files, and it has moved each position past the lines it
// handed over. checkpointAfterDelivery hands over what is gathered and
// waits until every batch in flight is delivered before any checkpoint is
// written: a position in storage never runs ahead of what the backends
// have. The log file is the durable copy of a line until then.
//
// While the reading is behind (batches fill up) and the backend answers
// slowly for reasons of its own (grows), each full batch lets the next
// hold twice as many lines, up to maxGrowth times maxLines: fewer, larger
// requests carry more lines within the bounds of what is in flight. A
// batch handed over before it is full (the reading caught up) sets the
// size back to maxLines, so a steady rate keeps its latency.
type lineBatch struct {
	maxLines int
	maxBytes int
	grows    func() bool // nil: batches never grow
	// behind is told each time a full batch is handed over: the reading
	// is behind (internal/idle: the memory policy); nil tells no one.
	behind  func()
	deliver func(ctx context.Context, batch func(count bool) plog.Logs, lines, bytes int)
	convert func(reads []linesRead, count bool) plog.Logs

	mu    sync.Mutex
	reads []linesRead
	lines int
	bytes int
	scale int // the batch holds up to maxLines times scale lines (0 reads as 1)
}

// maxGrowth bounds how many times maxLines a batch grows to.
const maxGrowth = 4

// add copies the lines of one read into the batch and delivers the batch
// each time it is full.
func (b *lineBatch) add(ctx context.Context, tokens [][]byte, fileAttrs map[string]any, offsets []int64, head *fileHead) {
	size := 0
	for _, tok := range tokens {
		size += len(tok)
	}
	// One copy of the lines: the file consumer reuses its buffer, and the
	// records' strings are cut from this one.
	var buf strings.Builder
	buf.Grow(size)
	for _, tok := range tokens {
		buf.Write(tok)
	}
	all := buf.String()
	read := linesRead{
		lines:     make([]string, len(tokens)),
		fileAttrs: maps.Clone(fileAttrs),
		offsets:   append([]int64(nil), offsets[:len(tokens)]...),
		head:      head,
	}
	delete(read.fileAttrs, fileHeadKey) // kept for the file, not a field of its lines
	start := 0
	for i, tok := range tokens {
		read.lines[i] = all[start : start+len(tok)]
		start += len(tok)
	}

	b.mu.Lock()
	defer b.mu.Unlock()
	// A batch holds max_lines at most: a read that would overflow it is
	// split, its rest starting the next batch.
	for len(read.lines) > 0 {
		part := read
		scale := max(b.scale, 1)
		limit := b.maxLines * scale
		if room := limit - b.lines; len(part.lines) > room {
			part.lines, part.offsets = read.lines[:room], read.offsets[:room]
			read.lines, read.offsets = read.lines[room:], read.offsets[room:]
		} else {
			read.lines = nil
		}
		b.reads = append(b.reads, part)
		b.lines += len(part.lines)
		for _, l := range part.lines {
			b.bytes += len(l)
		}
		if b.lines >= limit || b.bytes >= b.maxBytes {
			b.flushLocked(ctx)
			if b.behind != nil {
				b.behind()
			}
			b.scale = 1
			if b.grows != nil && b.grows() {
				b.scale = min(2*scale, maxGrowth)
			}
		}
	}
}

// flush delivers what is gathered: the reading caught up.
func (b *lineBatch) flush(ctx context.Context) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.flushLocked(ctx)
	b.scale = 1
}

func (b *lineBatch) flushLocked(ctx context.Context) {
	if len(b.reads) == 0 {
		return
	}
	reads, lines, bytes := b.reads, b.lines, b.bytes
	b.reads, b.lines, b.bytes = nil, 0, 0
	b.deliver(ctx, func(count bool) plog.Logs { return b.convert(reads, count) }, lines, bytes)
}

// checkpointAfterDelivery is the file consumer's persister: before it
// writes read positions, the lines read up to them are delivered (or, at
// shutdown, saved with the pending batches).
type checkpointAfterDelivery struct {
	operator.Persister
	flush func()
}

func (p checkpointAfterDelivery) Set(ctx context.Context, key string, value []byte) error {
	p.flush()
	return p.Persister.Set(ctx, key, value)
}

func (p checkpointAfterDelivery) Delete(ctx context.Context, key string) error {
	p.flush()
	return p.Persister.Delete(ctx, key)
}

func (p checkpointAfterDelivery) Batch(ctx context.Context, ops ...*storage.Operation) error {
	p.flush()
	return p.Persister.Batch(ctx, ops...)
}
