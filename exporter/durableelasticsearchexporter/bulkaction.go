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
	createPrefix      = []byte(`{"create":`)
	indexPrefix       = []byte(`{"index":`)
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
	body, err := io.ReadAll(req.Body)
	closeErr := req.Body.Close()
	if err != nil {
		return nil, fmt.Errorf("durable_elasticsearch: reading the bulk request: %w", err)
	}
	if closeErr != nil {
		return nil, fmt.Errorf("durable_elasticsearch: reading the bulk request: %w", closeErr)
	}
	// Data streams take create only: a request or a document that requires
	// one (contrib's otel mapping mode does) keeps its create actions.
	if rt.m.rewrite && req.URL.Query().Get("require_data_stream") != "true" {
		body = createToIndex(body)
	}
	out := req.Clone(req.Context())
	if req.Header.Get(headerUncompressedSize) != "" {
		out.Header.Set(headerUncompressedSize, strconv.Itoa(len(body)))
	}
	wire := body
	if rt.m.gzip {
		if wire, err = compress(body, rt.m.gzipLevel); err != nil {
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

func compress(body []byte, level int) ([]byte, error) {
	var buf bytes.Buffer
	zw, err := gzip.NewWriterLevel(&buf, level)
	if err != nil {
		return nil, fmt.Errorf("durable_elasticsearch: %w", err)
	}
	if _, err := zw.Write(body); err != nil {
		return nil, fmt.Errorf("durable_elasticsearch: compressing the bulk request: %w", err)
	}
	if err := zw.Close(); err != nil {
		return nil, fmt.Errorf("durable_elasticsearch: compressing the bulk request: %w", err)
	}
	return buf.Bytes(), nil
}

// createToIndex turns the `create` actions of a bulk body (NDJSON: an
// action line, then its document line) into `index` actions, except those
// that require a data stream. A body holding anything but create/document
// pairs is returned unchanged: then only its action lines could be told
// from its document lines.
func createToIndex(body []byte) []byte {
	var actions []int // offsets of the action lines to rewrite
	for pos, action := 0, true; pos < len(body); action = !action {
		end := bytes.IndexByte(body[pos:], '\n')
		if end < 0 {
			end = len(body) - pos
		}
		if action {
			line := body[pos : pos+end]
			if !bytes.HasPrefix(line, createPrefix) {
				return body
			}
			if !bytes.Contains(line, requireDataStream) {
				actions = append(actions, pos)
			}
		}
		pos += end + 1
	}
	if len(actions) == 0 {
		return body
	}
	out := make([]byte, 0, len(body)-len(actions))
	prev := 0
	for _, at := range actions {
		out = append(out, body[prev:at]...)
		out = append(out, indexPrefix...)
		prev = at + len(createPrefix)
	}
	return append(out, body[prev:]...)
}
