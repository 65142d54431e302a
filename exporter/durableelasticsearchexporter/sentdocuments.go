package durableelasticsearchexporter // import "github.com/elemta/otelcol-elemta/exporter/durableelasticsearchexporter"

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"sync"

	"github.com/valyala/fastjson"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"

	"github.com/elemta/otelcol-elemta/internal/jsonvalue"
)

// heldDocuments are the documents of a batch this exporter holds until
// Elasticsearch has them (pushHeld). They are not kept while their bulk
// request is answered: once contrib's exporter has made the request of
// them (it sends one request per batch, after encoding every document:
// it is built without its queue, so it never flushes early), the bulk
// middleware keeps the request's body, compressed, and the documents go.
// A retry makes them again from that body.
//
// A batch in flight is then a few hundred bytes a line (the line and its
// share of the compressed request) rather than its documents' attribute
// lists, records and values, which were most of a slow cluster's drain's
// live heap (BENCHMARKS.md).
type heldDocuments struct {
	mu   sync.Mutex
	docs plog.Logs
	// sent is the body of the request made of docs, as sent (gzip
	// compressed when gzipped), once the documents are let go; nil before.
	sent    []byte
	gzipped bool
}

type heldDocumentsKey struct{}

// withHeldDocuments marks ctx as a send of h's documents.
func withHeldDocuments(ctx context.Context, h *heldDocuments) context.Context {
	return context.WithValue(ctx, heldDocumentsKey{}, h)
}

// heldDocumentsFrom returns the documents a request is made of, or nil.
func heldDocumentsFrom(ctx context.Context) *heldDocuments {
	h, _ := ctx.Value(heldDocumentsKey{}).(*heldDocuments)
	return h
}

// requestMade is told by the bulk middleware that the request made of the
// documents goes out: the body is kept and the documents go. A request
// sent again (contrib's own retries) keeps the body kept first, the whole
// batch.
func (h *heldDocuments) requestMade(body *sentBody) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.sent != nil || h.docs.LogRecordCount() == 0 {
		return nil
	}
	rc, err := body.again()
	if err != nil {
		return err
	}
	defer rc.Close()
	// The body reads from one byte slice (contrib's bulk indexer makes its
	// requests of one, and sentBody's copy is one): io.Copy hands it over
	// in a single Write, one allocation of its size, where ReadFrom would
	// grow the buffer in doublings.
	var kept bytes.Buffer
	if _, err := io.Copy(&kept, rc); err != nil {
		return err
	}
	h.sent, h.gzipped = kept.Bytes(), body.gzipped
	h.docs.ResourceLogs().RemoveIf(func(plog.ResourceLogs) bool { return true })
	return nil
}

// documents returns the documents, made again from the request sent when
// they were let go.
func (h *heldDocuments) documents() (plog.Logs, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.sent == nil {
		return h.docs, nil
	}
	plain, err := uncompressed(bytes.NewReader(h.sent), h.gzipped)
	if err == nil {
		h.docs, err = documentsOf(plain)
	}
	if err != nil {
		return plog.Logs{}, fmt.Errorf("making the documents again from the bulk request sent: %w", err)
	}
	h.sent = nil
	return h.docs, nil
}

// documentsOf makes, from a bulk request's body (uncompressed), the
// documents it was made of: each one's body the document, under the index
// and id its action line names, in a scope that names contrib's bodymap
// mode and the index (indexScopes), as flatDocuments.build makes them.
// contrib's exporter writes them again as they were.
func documentsOf(plain []byte) (plog.Logs, error) {
	out := plog.NewLogs()
	scopes := indexScopes{out: out.ResourceLogs().AppendEmpty().ScopeLogs(), from: plog.NewScopeLogs()}
	var p fastjson.Parser
	for _, d := range bulkDocuments(plain) {
		if d.index == "" {
			return plog.Logs{}, errors.New("an action line names no index")
		}
		v, err := p.ParseBytes(d.doc)
		if err != nil {
			return plog.Logs{}, err
		}
		if v.Type() != fastjson.TypeObject {
			return plog.Logs{}, errors.New("a document is not a JSON object")
		}
		doc := scopes.of(d.index).AppendEmpty()
		putJSON(doc.Body(), v)
		if d.id != "" {
			doc.Attributes().PutStr(attrDocumentID, d.id)
		}
	}
	return out, nil
}

// putJSON stores a JSON value as contrib's exporter wrote it: a number
// written without a fraction or an exponent is an integer (jsonvalue).
func putJSON(dst pcommon.Value, v *fastjson.Value) {
	if jsonvalue.SetScalar(dst, v) {
		return
	}
	switch v.Type() {
	case fastjson.TypeString:
		dst.SetStr(string(v.GetStringBytes()))
	case fastjson.TypeArray:
		sl := dst.SetEmptySlice()
		for _, it := range v.GetArray() {
			putJSON(sl.AppendEmpty(), it)
		}
	case fastjson.TypeObject:
		m := dst.SetEmptyMap()
		v.GetObject().Visit(func(k []byte, v *fastjson.Value) { putJSON(m.PutEmpty(string(k)), v) })
	default:
		// null: an empty value, which contrib writes as null
	}
}
