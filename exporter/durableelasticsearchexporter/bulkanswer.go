package durableelasticsearchexporter // import "github.com/elemta/otelcol-elemta/exporter/durableelasticsearchexporter"

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"

	"github.com/klauspost/compress/gzip"
	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/extension/extensionmiddleware"
)

// bulkMiddleware is the HTTP client middleware that the exporter gives
// contrib's Elasticsearch exporter (through the host it starts it with).
// Contrib's exporter reduces a refused document to a log line and a whole
// refused request to a dropped batch; the middleware reads Elasticsearch's
// answer to every _bulk request into the report of the batch being sent
// (see bulkReport), and writes the documents refused for good to the
// dead-letter store. The request goes out as contrib's exporter made it.
type bulkMiddleware struct {
	component.StartFunc
	component.ShutdownFunc
	refused *refusedDocuments
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
	body, err := sentBodyOf(req)
	if err != nil {
		return nil, fmt.Errorf("durable_elasticsearch: reading the bulk request: %w", err)
	}
	defer body.release()
	if held := heldDocumentsFrom(req.Context()); held != nil {
		if err := held.requestMade(body); err != nil {
			return nil, fmt.Errorf("durable_elasticsearch: keeping the bulk request: %w", err)
		}
	}

	rep := reportFrom(req.Context())
	resp, err := rt.base.RoundTrip(req)
	if err != nil {
		rep.transportFailed(err)
		return nil, err
	}
	answer, err := readAnswer(resp.Body)
	_ = resp.Body.Close()
	if err != nil {
		rep.transportFailed(err)
		return nil, fmt.Errorf("durable_elasticsearch: reading the bulk response: %w", err)
	}
	resp.Body = answer
	rt.m.refused.inspect(req.Context(), rep, resp.StatusCode, body.plain, answer.buf.Bytes())
	return resp, nil
}

// answerBody is Elasticsearch's answer to a bulk request, read whole (the
// exporter inspects it before contrib's exporter reads it) into a pooled
// buffer that closing the body gives back.
type answerBody struct {
	bytes.Reader
	buf *bytes.Buffer
}

// readAnswer reads r whole into a pooled buffer.
func readAnswer(r io.Reader) (*answerBody, error) {
	a := &answerBody{buf: buffers.Get().(*bytes.Buffer)}
	a.buf.Reset()
	if _, err := a.buf.ReadFrom(r); err != nil {
		_ = a.Close()
		return nil, err
	}
	a.Reset(a.buf.Bytes())
	return a, nil
}

// Close gives the buffer back; the body reads as empty after.
func (a *answerBody) Close() error {
	if a.buf != nil {
		a.Reset(nil)
		buffers.Put(a.buf)
		a.buf = nil
	}
	return nil
}

// buffers hold the answers to bulk requests until contrib's exporter has
// read them, and the bodies of requests that cannot give them twice.
var buffers = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// sentBody is a bulk request's body as contrib's exporter sent it (gzip
// compressed, at its `compression` setting), read again and decompressed
// only when Elasticsearch's answer needs the documents (refusals, dead
// letters). Contrib's bulk indexer makes its requests from a byte slice,
// so they can give their body twice (GetBody); a request that cannot is
// copied once, before it goes.
type sentBody struct {
	again   func() (io.ReadCloser, error)
	gzipped bool
	copied  *bytes.Buffer // the body, when the request cannot give it twice
	whole   []byte        // the body, uncompressed, once plain has read it
	err     error         // why the body could not be read again
}

func sentBodyOf(req *http.Request) (*sentBody, error) {
	b := &sentBody{again: req.GetBody, gzipped: req.Header.Get("Content-Encoding") == "gzip"}
	if b.again != nil {
		return b, nil
	}
	b.copied = buffers.Get().(*bytes.Buffer)
	b.copied.Reset()
	if _, err := b.copied.ReadFrom(req.Body); err != nil {
		b.release()
		return nil, err
	}
	_ = req.Body.Close()
	wire := b.copied.Bytes()
	req.Body = io.NopCloser(bytes.NewReader(wire))
	b.again = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(wire)), nil }
	return b, nil
}

// plain returns the body as it was sent, uncompressed; nil when it
// cannot be read again.
func (b *sentBody) plain() []byte {
	if b.whole != nil || b.err != nil {
		return b.whole
	}
	b.whole, b.err = b.read()
	return b.whole
}

func (b *sentBody) read() ([]byte, error) {
	rc, err := b.again()
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	return uncompressed(rc, b.gzipped)
}

// uncompressed reads a bulk request's body whole, decompressed when it
// went gzipped.
func uncompressed(r io.Reader, gzipped bool) ([]byte, error) {
	if !gzipped {
		return io.ReadAll(r)
	}
	zr, err := gzip.NewReader(r)
	if err != nil {
		return nil, err
	}
	defer zr.Close()
	return io.ReadAll(zr)
}

func (b *sentBody) release() {
	if b.copied != nil {
		buffers.Put(b.copied)
		b.copied = nil
	}
}
