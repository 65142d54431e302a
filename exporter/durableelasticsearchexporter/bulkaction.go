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

// bulkActionMiddleware is the HTTP client middleware that the exporter
// gives contrib's Elasticsearch exporter (through the host it starts it
// with) when bulk_action is index. Contrib's exporter writes `create`
// actions only; the middleware rewrites them to `index` on the way out and
// then compresses the request, which contrib's exporter is told not to do.
type bulkActionMiddleware struct {
	component.StartFunc
	component.ShutdownFunc
	gzip      bool // compress the request
	gzipLevel int
}

var _ extensionmiddleware.HTTPClient = (*bulkActionMiddleware)(nil)

func (m *bulkActionMiddleware) GetHTTPRoundTripper(context.Context) (extensionmiddleware.WrapHTTPRoundTripperFunc, error) {
	return func(_ context.Context, base http.RoundTripper) (http.RoundTripper, error) {
		return &bulkActionRoundTripper{base: base, gzip: m.gzip, gzipLevel: m.gzipLevel}, nil
	}, nil
}

type bulkActionRoundTripper struct {
	base      http.RoundTripper
	gzip      bool
	gzipLevel int
}

func (rt *bulkActionRoundTripper) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.Method != http.MethodPost || !strings.HasSuffix(req.URL.Path, "/_bulk") || req.Body == nil {
		return rt.base.RoundTrip(req)
	}
	if enc := req.Header.Get(headerContentEncoding); enc != "" {
		return nil, fmt.Errorf("bulk_action %s: the bulk request is already %s-encoded; contrib's compression must be off", BulkActionIndex, enc)
	}
	body, err := io.ReadAll(req.Body)
	closeErr := req.Body.Close()
	if err != nil {
		return nil, fmt.Errorf("bulk_action %s: reading the bulk request: %w", BulkActionIndex, err)
	}
	if closeErr != nil {
		return nil, fmt.Errorf("bulk_action %s: reading the bulk request: %w", BulkActionIndex, closeErr)
	}
	// Data streams take create only: a request or a document that requires
	// one (contrib's otel mapping mode does) keeps its create actions.
	if req.URL.Query().Get("require_data_stream") != "true" {
		body = createToIndex(body)
	}

	out := req.Clone(req.Context())
	if req.Header.Get(headerUncompressedSize) != "" {
		out.Header.Set(headerUncompressedSize, strconv.Itoa(len(body)))
	}
	if rt.gzip {
		var buf bytes.Buffer
		zw, err := gzip.NewWriterLevel(&buf, rt.gzipLevel)
		if err != nil {
			return nil, fmt.Errorf("bulk_action %s: %w", BulkActionIndex, err)
		}
		if _, err := zw.Write(body); err != nil {
			return nil, fmt.Errorf("bulk_action %s: compressing the bulk request: %w", BulkActionIndex, err)
		}
		if err := zw.Close(); err != nil {
			return nil, fmt.Errorf("bulk_action %s: compressing the bulk request: %w", BulkActionIndex, err)
		}
		body = buf.Bytes()
		out.Header.Set(headerContentEncoding, "gzip")
	}
	out.Body = io.NopCloser(bytes.NewReader(body))
	out.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(body)), nil }
	out.ContentLength = int64(len(body))
	return rt.base.RoundTrip(out)
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
