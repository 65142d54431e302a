package durableelasticsearchexporter // import "github.com/elemta/otelcol-elemta/exporter/durableelasticsearchexporter"

import (
	"bytes"
	"compress/gzip"
	"context"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/extension/extensionmiddleware"
)

// Bulk actions (`bulk_action`).
const (
	// BulkActionIndex writes each document with the `index` action: a
	// document sent again under the id it was indexed with replaces it, and
	// Elasticsearch answers 200 (updated), a success.
	BulkActionIndex = "index"
	// BulkActionCreate keeps contrib's `create` action: a document sent
	// again is refused with a 409 conflict. Data streams take only create.
	BulkActionCreate = "create"
)

// Headers the bulk indexer sets on a _bulk request.
const (
	headerContentEncoding  = "Content-Encoding"
	headerUncompressedSize = "X-Elastic-Uncompressed-Request-Length"
)

var (
	createPrefix = []byte(`{"create":`)
	// indexPrefix is as long as createPrefix (JSON allows the space), so
	// that the actions are rewritten in place.
	indexPrefix       = []byte(`{"index": `)
	requireDataStream = []byte(`"require_data_stream":true`)
)

// bulkMiddleware is the HTTP client middleware that the exporter gives
// contrib's Elasticsearch exporter (through the host it starts it with).
// It sees every _bulk request and its answer:
//   - with bulk_action index it rewrites contrib's `create` actions to
//     `index`, then compresses the request, which contrib's exporter is told
//     not to do;
//   - it reads Elasticsearch's answer into the report of the batch being
//     sent (see bulkReport) and writes the documents refused for good to
//     the dead-letter store.
type bulkMiddleware struct {
	component.StartFunc
	component.ShutdownFunc
	rewrite   bool // create → index
	gzip      bool // compress the request
	gzipLevel int
	refused   *refusedDocuments
}

var _ extensionmiddleware.HTTPClient = (*bulkMiddleware)(nil)

func (m *bulkMiddleware) GetHTTPRoundTripper(context.Context) (extensionmiddleware.WrapHTTPRoundTripperFunc, error) {
	return func(_ context.Context, base http.RoundTripper) (http.RoundTripper, error) {
		return &bulkRoundTripper{base: base, m: m}, nil
	}, nil
}

type bulkRoundTripper struct {
	base http.RoundTripper
	m    *bulkMiddleware
}

func (rt *bulkRoundTripper) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.Method != http.MethodPost || !strings.HasSuffix(req.URL.Path, "/_bulk") || req.Body == nil {
		return rt.base.RoundTrip(req)
	}
	if enc := req.Header.Get(headerContentEncoding); enc != "" {
		return nil, fmt.Errorf("durable_elasticsearch: the bulk request is already %s-encoded; contrib's compression must be off", enc)
	}
	bodyBuf := buffers.Get().(*bytes.Buffer)
	defer buffers.Put(bodyBuf)
	bodyBuf.Reset()
	if req.ContentLength > 0 {
		bodyBuf.Grow(int(req.ContentLength))
	}
	_, err := bodyBuf.ReadFrom(req.Body)
	closeErr := req.Body.Close()
	if err != nil {
		return nil, fmt.Errorf("durable_elasticsearch: reading the bulk request: %w", err)
	}
	if closeErr != nil {
		return nil, fmt.Errorf("durable_elasticsearch: reading the bulk request: %w", closeErr)
	}
	body := bodyBuf.Bytes()
	// Data streams take create only: a request or a document that requires
	// one (contrib's otel mapping mode does) keeps its create actions.
	if rt.m.rewrite && req.URL.Query().Get("require_data_stream") != "true" {
		createToIndex(body)
	}
	out := req.Clone(req.Context())
	if req.Header.Get(headerUncompressedSize) != "" {
		out.Header.Set(headerUncompressedSize, strconv.Itoa(len(body)))
	}
	wire := body
	if rt.m.gzip {
		wireBuf := buffers.Get().(*bytes.Buffer)
		defer buffers.Put(wireBuf)
		if wire, err = compress(wireBuf, body, rt.m.gzipLevel); err != nil {
			return nil, err
		}
		out.Header.Set(headerContentEncoding, "gzip")
	}
	out.Body = io.NopCloser(bytes.NewReader(wire))
	out.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(wire)), nil }
	out.ContentLength = int64(len(wire))

	rep := reportFrom(req.Context())
	resp, err := rt.base.RoundTrip(out)
	if err != nil {
		rep.transportFailed(err)
		return nil, err
	}
	answer, err := io.ReadAll(resp.Body)
	_ = resp.Body.Close()
	if err != nil {
		rep.transportFailed(err)
		return nil, fmt.Errorf("durable_elasticsearch: reading the bulk response: %w", err)
	}
	resp.Body = io.NopCloser(bytes.NewReader(answer))
	rt.m.refused.inspect(req.Context(), rep, resp.StatusCode, body, answer)
	return resp, nil
}

// buffers hold bulk bodies, plain and compressed, for one round trip each.
var buffers = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// gzipWriters are kept by level: a writer's state is large to allocate.
var gzipWriters sync.Map // level -> *sync.Pool of *gzip.Writer

// compress writes body gzip-compressed into buf and returns buf's bytes.
func compress(buf *bytes.Buffer, body []byte, level int) ([]byte, error) {
	buf.Reset()
	pool, _ := gzipWriters.LoadOrStore(level, &sync.Pool{})
	zw, _ := pool.(*sync.Pool).Get().(*gzip.Writer)
	if zw == nil {
		var err error
		if zw, err = gzip.NewWriterLevel(buf, level); err != nil {
			return nil, fmt.Errorf("durable_elasticsearch: %w", err)
		}
	} else {
		zw.Reset(buf)
	}
	defer pool.(*sync.Pool).Put(zw)
	if _, err := zw.Write(body); err != nil {
		return nil, fmt.Errorf("durable_elasticsearch: compressing the bulk request: %w", err)
	}
	if err := zw.Close(); err != nil {
		return nil, fmt.Errorf("durable_elasticsearch: compressing the bulk request: %w", err)
	}
	return buf.Bytes(), nil
}

// createToIndex turns the `create` actions of a bulk body (NDJSON: an
// action line, then its document line) into `index` actions in place,
// except those that require a data stream. A body holding anything but
// create/document pairs is left unchanged: then only its action lines
// could be told from its document lines. The first pass checks, the second
// rewrites: nothing is allocated.
func createToIndex(body []byte) {
	if !eachAction(body, func(line []byte, _ int) bool { return bytes.HasPrefix(line, createPrefix) }) {
		return
	}
	eachAction(body, func(line []byte, at int) bool {
		if !bytes.Contains(line, requireDataStream) {
			copy(body[at:], indexPrefix)
		}
		return true
	})
}

// eachAction calls f with every action line of a bulk body and its offset,
// while f returns true; it reports whether f always did.
func eachAction(body []byte, f func(line []byte, at int) bool) bool {
	for pos, action := 0, true; pos < len(body); action = !action {
		end := bytes.IndexByte(body[pos:], '\n')
		if end < 0 {
			end = len(body) - pos
		}
		if action && !f(body[pos:pos+end], pos) {
			return false
		}
		pos += end + 1
	}
	return true
}
