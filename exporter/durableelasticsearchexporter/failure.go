package durableelasticsearchexporter // import "github.com/elemta/otelcol-elemta/exporter/durableelasticsearchexporter"

import (
	"errors"
	"fmt"
	"net/http"
	"sync"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/component/componentstatus"
	"go.uber.org/zap"
)

// Why a batch is not delivered yet. Each is transient: the batch is kept
// and sent again.
const (
	failureCredentials = "credentials" // 401
	failurePrivileges  = "privileges"  // 403
	failureUnreachable = "unreachable" // no answer
	failureOverloaded  = "overloaded"  // 429
	failureUnavailable = "unavailable" // 5xx
	failureTooLarge    = "too_large"   // 413 on one document
	failureDocuments   = "documents"   // documents refused with 429/5xx after contrib's retries
	failureDeadLetter  = "dead_letter" // refused documents could not be written down
	failureSetup       = "setup"       // the elemtasetup extension has not installed the template yet
	failureOther       = "other"       // any other error contrib's exporter returned
)

// deliveryError is a batch not delivered, in words an operator acts on.
// It is never permanent: the batch is kept and retried.
type deliveryError struct {
	kind string
	msg  string
	err  error
}

func (e *deliveryError) Error() string {
	if e.err == nil {
		return e.msg
	}
	return e.msg + ": " + e.err.Error()
}

func (e *deliveryError) Unwrap() error { return e.err }

// explain turns what a batch's report says into a deliveryError, or nil
// when nothing was wrong. endpoint is where the exporter sends.
func explain(s snapshot, sendErr error, endpoint string) *deliveryError {
	const kept = "; the batch is kept and sent again"
	reason := func() error {
		if s.reason.Reason == "" {
			return errors.New(s.reason.Type)
		}
		return fmt.Errorf("%s: %s", s.reason.Type, s.reason.Reason)
	}
	switch {
	case s.deadLetterErr != nil:
		return &deliveryError{failureDeadLetter, "documents Elasticsearch refused could not be written to the dead-letter file (dead_letter::directory)" + kept, s.deadLetterErr}
	case s.status == http.StatusUnauthorized:
		return &deliveryError{failureCredentials, "Elasticsearch rejected the credentials (401): check ELASTICSEARCH_USERNAME/ELASTICSEARCH_PASSWORD or ELASTICSEARCH_API_KEY (elasticsearch::user, password, api_key)" + kept, reason()}
	case s.status == http.StatusForbidden:
		return &deliveryError{failurePrivileges, fmt.Sprintf("the user lacks the privilege to write to %s (403): grant its role the create_doc, index and auto_configure privileges on elemta-logs-*%s", orUnknown(s.index), kept), reason()}
	case s.status >= 400 && s.status < 500 && s.status != http.StatusTooManyRequests && s.deadLettered > 0:
		return nil // refused for good as a whole: every document is in the dead-letter store
	case sendErr == nil && s.pending > 0:
		return &deliveryError{failureDocuments, fmt.Sprintf("Elasticsearch refused %d documents with status %d after the exporter's retries%s", s.pending, s.pendingStatus, kept), nil}
	case sendErr == nil:
		return nil
	case s.status == http.StatusTooManyRequests:
		return &deliveryError{failureOverloaded, "Elasticsearch is overloaded (429 Too Many Requests)" + kept, reason()}
	case s.status >= 500:
		return &deliveryError{failureUnavailable, fmt.Sprintf("Elasticsearch answered %d %s%s", s.status, http.StatusText(s.status), kept), reason()}
	case s.transport != nil:
		return &deliveryError{failureUnreachable, "Elasticsearch is unreachable at " + endpoint + kept, s.transport}
	case s.status == http.StatusRequestEntityTooLarge:
		return &deliveryError{failureTooLarge, "Elasticsearch refused a request as too large (413)" + kept, reason()}
	}
	return &deliveryError{failureOther, "sending to Elasticsearch failed" + kept, sendErr}
}

func orUnknown(index string) string {
	if index == "" {
		return "the index"
	}
	return index
}

// deliveryState follows whether batches get through. It logs once when
// the reason batches fail changes and once when they get through again, and
// reports the same changes as component status, which the health check
// extension turns into its answer.
type deliveryState struct {
	logger *zap.Logger
	// changed is told each change of the failure kind ("" for none).
	changed func(was, now string)

	mu      sync.Mutex
	host    component.Host
	failing string // the kind of the last failure; "" while batches get through
}

func (d *deliveryState) start(host component.Host) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.host = host
}

// observe records the outcome of one attempt to send a batch.
func (d *deliveryState) observe(err error) {
	kind := ""
	var de *deliveryError
	switch {
	case err == nil:
	case errors.As(err, &de):
		kind = de.kind
	default:
		kind = failureOther
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if kind == d.failing {
		return
	}
	was := d.failing
	d.failing = kind
	d.change(was, kind)
	if kind == "" {
		d.logger.Info("Elasticsearch takes documents again", zap.String("was", was))
		d.report(componentstatus.NewEvent(componentstatus.StatusOK))
		return
	}
	d.logger.Error("Elasticsearch does not take documents", zap.String("reason", kind), zap.Error(err))
	d.report(componentstatus.NewRecoverableErrorEvent(err))
}

// resolved ends a failure of the given kind that was resolved without a
// batch being sent (the Elasticsearch setup finished while none waited).
func (d *deliveryState) resolved(kind, msg string) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.failing != kind {
		return
	}
	d.failing = ""
	d.change(kind, "")
	d.logger.Info(msg)
	d.report(componentstatus.NewEvent(componentstatus.StatusOK))
}

func (d *deliveryState) change(was, now string) {
	if d.changed != nil {
		d.changed(was, now)
	}
}

// report passes a status event to the collector; the caller holds d.mu.
func (d *deliveryState) report(ev *componentstatus.Event) {
	if d.host != nil {
		componentstatus.ReportStatus(d.host, ev)
	}
}
