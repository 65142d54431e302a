package durableelasticsearchexporter // import "github.com/elemta/otelcol-elemta/exporter/durableelasticsearchexporter"

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"

	"github.com/klauspost/compress/gzip"
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
	// Data streams take create only: a request or a document that requires
	// one (contrib's otel mapping mode does) keeps its create actions.
	body := newSentBody(req, rt.m.rewrite && req.URL.Query().Get("require_data_stream") != "true")
	defer body.release()

	wireBuf := buffers.Get().(*bytes.Buffer)
	defer buffers.Put(wireBuf)
	size, err := rt.m.encode(wireBuf, body)
	if err != nil {
		return nil, err
	}
	wire := wireBuf.Bytes()
	out := req.Clone(req.Context())
	if req.Header.Get(headerUncompressedSize) != "" {
		out.Header.Set(headerUncompressedSize, strconv.FormatInt(size, 10))
	}
	if rt.m.gzip {
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

// encode writes the bulk body to dst as it goes on the wire: its actions
// rewritten on the way when rewrite is set, compressed when the exporter
// compresses. It returns the size of the uncompressed body. The body is
// read once, in pieces: no uncompressed copy of it is held. A body holding
// anything but create/document pairs is encoded again, as it is.
func (m *bulkMiddleware) encode(dst *bytes.Buffer, body *sentBody) (int64, error) {
	first, err := body.first()
	if err != nil {
		return 0, fmt.Errorf("durable_elasticsearch: reading the bulk request: %w", err)
	}
	size, err := m.encodeOnce(dst, first, body.rewritten)
	if errors.Is(err, errNotCreatePairs) {
		body.rewritten = false
		var again io.Reader
		if again, err = body.again(); err != nil {
			return 0, fmt.Errorf("durable_elasticsearch: reading the bulk request: %w", err)
		}
		size, err = m.encodeOnce(dst, again, false)
		closeReader(again)
	}
	return size, err
}

func (m *bulkMiddleware) encodeOnce(dst *bytes.Buffer, src io.Reader, rewrite bool) (int64, error) {
	dst.Reset()
	var w io.Writer = dst
	var zw *gzip.Writer
	if m.gzip {
		pool, _ := gzipWriters.LoadOrStore(m.gzipLevel, &sync.Pool{})
		zw, _ = pool.(*sync.Pool).Get().(*gzip.Writer)
		if zw == nil {
			var err error
			if zw, err = gzip.NewWriterLevel(dst, m.gzipLevel); err != nil {
				return 0, fmt.Errorf("durable_elasticsearch: %w", err)
			}
		} else {
			zw.Reset(dst)
		}
		defer pool.(*sync.Pool).Put(zw)
		w = zw
	}
	var rw *actionRewriter
	if rewrite {
		rw = &actionRewriter{w: w}
		w = rw
	}
	chunk := chunks.Get().(*[]byte)
	defer chunks.Put(chunk)
	size, err := io.CopyBuffer(w, src, *chunk)
	if err == nil && rw != nil {
		err = rw.finish()
	}
	if errors.Is(err, errNotCreatePairs) {
		return 0, err
	}
	if err != nil {
		return 0, fmt.Errorf("durable_elasticsearch: reading the bulk request: %w", err)
	}
	if zw != nil {
		if err := zw.Close(); err != nil {
			return 0, fmt.Errorf("durable_elasticsearch: compressing the bulk request: %w", err)
		}
	}
	return size, nil
}

// buffers hold compressed bulk bodies, and whole ones when a request
// cannot be read twice, for one round trip each, and the answers to them
// until contrib's exporter has read them.
var buffers = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// chunks are the pieces a bulk body is read in.
var chunks = sync.Pool{New: func() any { b := make([]byte, 64<<10); return &b }}

// gzipWriters are kept by level: a writer's state is large to allocate.
var gzipWriters sync.Map // level -> *sync.Pool of *gzip.Writer

// sentBody is a bulk request's body: read once to encode it, and again,
// whole, only when Elasticsearch's answer needs the documents (refusals,
// dead letters). A request that cannot give its body twice (no GetBody)
// is copied once, whole.
type sentBody struct {
	req       *http.Request
	rewritten bool          // the actions go out rewritten to index
	copied    *bytes.Buffer // the whole body, when the request cannot give it twice
	whole     []byte        // the body as sent, once plain has read it
	err       error         // why the body could not be read again
}

func newSentBody(req *http.Request, rewrite bool) *sentBody {
	return &sentBody{req: req, rewritten: rewrite}
}

// first is the body for the first reading.
func (b *sentBody) first() (io.Reader, error) {
	if b.req.GetBody != nil {
		return b.req.Body, nil
	}
	b.copied = buffers.Get().(*bytes.Buffer)
	b.copied.Reset()
	if b.req.ContentLength > 0 {
		b.copied.Grow(int(b.req.ContentLength))
	}
	if _, err := b.copied.ReadFrom(b.req.Body); err != nil {
		return nil, err
	}
	return bytes.NewReader(b.copied.Bytes()), nil
}

// again is the whole body once more, as contrib's exporter wrote it.
func (b *sentBody) again() (io.Reader, error) {
	if b.copied != nil {
		return bytes.NewReader(b.copied.Bytes()), nil
	}
	return b.req.GetBody()
}

// plain returns the body as it was sent, uncompressed; nil when it
// cannot be read again.
func (b *sentBody) plain() []byte {
	if b.whole != nil || b.err != nil {
		return b.whole
	}
	r, err := b.again()
	if err == nil {
		b.whole, err = io.ReadAll(r)
		closeReader(r)
	}
	if err != nil {
		b.err = err
		return nil
	}
	if b.rewritten {
		createToIndex(b.whole)
	}
	return b.whole
}

func (b *sentBody) release() {
	_ = b.req.Body.Close()
	if b.copied != nil {
		buffers.Put(b.copied)
	}
}

func closeReader(r io.Reader) {
	if c, ok := r.(io.Closer); ok {
		_ = c.Close()
	}
}

// errNotCreatePairs stops the rewrite of a body whose actions are not all
// create actions each followed by its document: only in such a body can
// action lines be told from document lines.
var errNotCreatePairs = errors.New("the bulk body holds other actions than create")

// actionRewriter passes a bulk body on to w, with each create action
// turned into an index action (in place: the two are as long), except
// those that require a data stream. Lines alternate, action then document;
// an action line split between two writes is held until its end.
type actionRewriter struct {
	w       io.Writer
	inDoc   bool   // the line being read is a document line
	partial []byte // the start of an action line a write ended in
}

func (a *actionRewriter) Write(p []byte) (int, error) {
	run := 0 // start of the bytes of p not yet passed on
	pos := 0
	for pos < len(p) {
		nl := bytes.IndexByte(p[pos:], '\n')
		if a.inDoc {
			if nl < 0 {
				break
			}
			pos += nl + 1
			a.inDoc = false
			continue
		}
		if nl < 0 { // the action line goes on in the next write
			if err := a.pass(p[run:pos]); err != nil {
				return 0, err
			}
			a.partial = append(a.partial, p[pos:]...)
			return len(p), nil
		}
		end := pos + nl + 1
		if len(a.partial) > 0 { // only at the start of p: run == pos == 0
			a.partial = append(a.partial, p[pos:end]...)
			if err := a.action(a.partial); err != nil {
				return 0, err
			}
			a.partial = a.partial[:0]
			run = end
		} else if create, toIndex := actionRule(p[pos:end]); !create {
			return 0, errNotCreatePairs
		} else if toIndex {
			if err := a.pass(p[run:pos]); err != nil {
				return 0, err
			}
			if err := a.pass(indexPrefix); err != nil {
				return 0, err
			}
			run = pos + len(createPrefix)
		}
		pos = end
		a.inDoc = true
	}
	if err := a.pass(p[run:]); err != nil {
		return 0, err
	}
	return len(p), nil
}

// action passes on a whole action line held across writes.
func (a *actionRewriter) action(line []byte) error {
	create, toIndex := actionRule(line)
	if !create {
		return errNotCreatePairs
	}
	if toIndex {
		copy(line, indexPrefix)
	}
	return a.pass(line)
}

// finish passes on a last action line that had no newline.
func (a *actionRewriter) finish() error {
	if len(a.partial) == 0 {
		return nil
	}
	err := a.action(a.partial)
	a.partial = a.partial[:0]
	return err
}

func (a *actionRewriter) pass(b []byte) error {
	if len(b) == 0 {
		return nil
	}
	_, err := a.w.Write(b)
	return err
}

// createToIndex turns the `create` actions of a bulk body (NDJSON: an
// action line, then its document line) into `index` actions in place, as
// actionRewriter does on the way, except those that require a data stream.
// A body holding anything but create/document pairs is left unchanged:
// then only its action lines could be told from its document lines. The
// first pass checks, the second rewrites: nothing is allocated.
func createToIndex(body []byte) {
	if !eachAction(body, func(line []byte, _ int) bool { create, _ := actionRule(line); return create }) {
		return
	}
	eachAction(body, func(line []byte, at int) bool {
		if _, toIndex := actionRule(line); toIndex {
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

// actionRule says of a bulk action line whether it is a create action, and
// whether it goes out as an index action: every create action but those
// that require a data stream.
func actionRule(line []byte) (create, toIndex bool) {
	if !bytes.HasPrefix(line, createPrefix) {
		return false, false
	}
	return true, !bytes.Contains(line, requireDataStream)
}
