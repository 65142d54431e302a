package durableelasticsearchexporter // import "github.com/elemta/otelcol-elemta/exporter/durableelasticsearchexporter"

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/cenkalti/backoff/v5"
	"github.com/open-telemetry/opentelemetry-collector-contrib/exporter/elasticsearchexporter"
	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/config/configmiddleware"
	"go.opentelemetry.io/collector/config/configretry"
	"go.opentelemetry.io/collector/consumer"
	"go.opentelemetry.io/collector/consumer/consumererror"
	"go.opentelemetry.io/collector/exporter"
	"go.opentelemetry.io/collector/exporter/exporterhelper"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"
	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"

	"github.com/elemta/otelcol-elemta/exporter/durableelasticsearchexporter/internal/metadata"
	"github.com/elemta/otelcol-elemta/internal/delivery"
	"github.com/elemta/otelcol-elemta/internal/readiness"
	"github.com/elemta/otelcol-elemta/internal/retrypolicy"
)

// newLogsExporter builds contrib's Elasticsearch exporter without a queue, so
// that every bulk failure comes back as an error, and wraps it in an
// exporterhelper with this exporter's persistent queue and unbounded retry.
// A batch leaves the queue only when Elasticsearch has taken every document
// in it or refused it for good into the dead-letter store; on shutdown an
// unsent batch stays in storage for the next start.
func newLogsExporter(ctx context.Context, set exporter.Settings, cfg *Config) (exporter.Logs, error) {
	tb, err := metadata.NewTelemetryBuilder(set.TelemetrySettings)
	if err != nil {
		return nil, fmt.Errorf("telemetry: %w", err)
	}
	innerCfg := cfg.Elasticsearch
	// The middleware sees every bulk request and its answer.
	refused, err := newRefusedDocuments(innerCfg.Retry.RetryOnStatus, set.Logger, tb)
	if err != nil {
		return nil, fmt.Errorf("refused documents: %w", err)
	}
	middleware := &bulkMiddleware{refused: refused}
	if cfg.Document.Shape == ShapeFlat {
		innerCfg.LogsDynamicID.Enabled = true // the record's log.record.uid
	}
	innerCfg.Middlewares = append(slices.Clone(innerCfg.Middlewares), configmiddleware.Config{ID: bulkMiddlewareID})

	innerSet := set
	innerSet.ID = component.NewIDWithName(elasticsearchexporter.NewFactory().Type(), set.ID.String())
	innerSet.Logger = set.Logger.WithOptions(zap.WrapCore(func(c zapcore.Core) zapcore.Core {
		return demoteInnerRejections{c}
	}))
	inner, err := elasticsearchexporter.NewFactory().CreateLogs(ctx, innerSet, &innerCfg)
	if err != nil {
		return nil, fmt.Errorf("elasticsearch: %w", err)
	}

	e := &durableExporter{
		inner:     inner,
		logger:    set.Logger,
		timeout:   cfg.Timeout,
		retry:     cfg.BackOffConfig,
		resume:    resumption{probeEvery: cfg.BackOffConfig.InitialInterval},
		shape:     cfg.Document.Shape,
		documents: flatDocuments{indexPrefix: cfg.Document.IndexPrefix, original: cfg.Document.Original},
		telemetry: tb,
		state:     &deliveryState{logger: set.Logger, changed: failingGauge(tb)},
		endpoint:  endpointOf(cfg),
	}
	start := func(ctx context.Context, host component.Host) error {
		if err := checkQueueStorage(ctx, host, cfg, set.ID); err != nil {
			return err
		}
		store, err := openDeadLetterStore(cfg.DeadLetter)
		if err != nil {
			return err
		}
		middleware.refused.store = store
		e.state.start(host)
		for _, ext := range host.GetExtensions() {
			if gate, ok := ext.(readiness.Elasticsearch); ok {
				e.setup = gate // the first document waits for the index template
			}
		}
		if e.setup != nil {
			watchCtx, cancel := context.WithCancel(context.Background())
			e.stopWatch = cancel
			e.watching.Add(1)
			go func() {
				defer e.watching.Done()
				e.watchSetup(watchCtx)
			}()
		}
		set.Logger.Info("Durable Elasticsearch exporter starting",
			zap.Bool("persistent_queue", hasStorage(cfg)),
			zap.Duration("retry_max_elapsed_time", cfg.BackOffConfig.MaxElapsedTime),
			zap.String("dead_letter", store.path()))
		// contrib's exporter reports a status for each request; this
		// exporter reports the state of delivery itself (deliveryState).
		return inner.Start(ctx, newHostWith(silenced{host}, bulkMiddlewareID, middleware))
	}
	shutdown := func(ctx context.Context) error {
		defer set.Logger.Info("Durable Elasticsearch exporter stopped")
		if e.stopWatch != nil {
			e.stopWatch()
			e.watching.Wait()
		}
		defer tb.Shutdown()
		err := inner.Shutdown(ctx)
		if middleware.refused.store != nil {
			err = errors.Join(err, middleware.refused.store.close())
		}
		return err
	}

	helper, err := exporterhelper.NewLogs(ctx, set, cfg, e.push,
		exporterhelper.WithStart(start),
		exporterhelper.WithShutdown(shutdown),
		// Each attempt is timed in attempt: a held batch makes its attempts
		// within one push.
		exporterhelper.WithTimeout(exporterhelper.TimeoutConfig{}),
		exporterhelper.WithQueue(cfg.QueueConfig),
		exporterhelper.WithRetry(cfg.BackOffConfig),
		// Documents are made in a batch of their own: the records are read only.
		exporterhelper.WithCapabilities(consumer.Capabilities{MutatesData: false}),
	)
	if err != nil {
		return nil, err
	}
	documents := func(ld plog.Logs) plog.Logs { return ld }
	if cfg.Document.Shape == ShapeFlat {
		documents = e.documents.build
	}
	return newHeldDelivery(helper, documents, e.setupDoneOrEnd), nil
}

// durableExporter sends each batch through contrib's exporter and decides,
// from what Elasticsearch answered, whether the batch is done.
type durableExporter struct {
	inner     exporter.Logs
	logger    *zap.Logger
	timeout   time.Duration             // of one attempt (`timeout`)
	retry     configretry.BackOffConfig // between the attempts of a held batch
	resume    resumption                // wakes held batches once Elasticsearch takes documents again
	setup     readiness.Elasticsearch   // nil without the elemtasetup extension
	setupDone atomic.Bool               // the setup was seen ready: batches no longer ask
	stopWatch context.CancelFunc
	watching  sync.WaitGroup
	shape     string
	documents flatDocuments
	telemetry *metadata.TelemetryBuilder
	state     *deliveryState
	endpoint  string
}

// push sends one batch. It returns nil once Elasticsearch took every
// document or refused it for good (then it is in the dead-letter store),
// and an error otherwise, so that the batch is kept.
//
// A batch this exporter holds on its delivery ticket (the elemta
// receiver's) is sent until then here, with retry_on_failure's back-off
// between the attempts, cut short (resumption) for the batch waiting
// longest every initial_interval, and for two more each time Elasticsearch
// takes a batch: after an outage, the batches held through it go again
// within initial_interval of the cluster's return, not max_interval. Any
// other batch is tried once a push; exporterhelper retries it.
func (e *durableExporter) push(ctx context.Context, ld plog.Logs) error {
	if e.shape == ShapeFlat && !madeDocuments(ld) { // kept in a queue by an older release
		ld = e.documents.build(ld)
	}
	if isHeldSend(ctx) {
		return e.pushHeld(ctx, ld)
	}
	return e.attempt(ctx, ld)
}

// pushHeld sends a held batch until Elasticsearch has it, the error is
// permanent, retry_on_failure::max_elapsed_time has passed, or ctx ends
// (the exporter stops).
func (e *durableExporter) pushHeld(ctx context.Context, ld plog.Logs) error {
	b := retrypolicy.BackOff(e.retry)
	var giveUp time.Time
	if e.retry.MaxElapsedTime > 0 {
		giveUp = time.Now().Add(e.retry.MaxElapsedTime)
	}
	var held *heldDocuments
	if e.shape == ShapeFlat { // documents of this exporter's own making
		held = &heldDocuments{docs: ld}
		ctx = withHeldDocuments(ctx, held)
	}
	for {
		if held != nil {
			docs, err := held.documents()
			if err != nil {
				return consumererror.NewPermanent(err)
			}
			ld = docs
		}
		err := e.attempt(ctx, ld)
		if err == nil || consumererror.IsPermanent(err) || ctx.Err() != nil {
			return err
		}
		delay := b.NextBackOff()
		if delay == backoff.Stop || (!giveUp.IsZero() && time.Now().Add(delay).After(giveUp)) {
			return consumererror.NewPermanent(fmt.Errorf("retry_on_failure::max_elapsed_time (%s) has passed: %w", e.retry.MaxElapsedTime, err))
		}
		e.logger.Info("Exporting failed. Will retry the request after interval.", zap.Error(err), zap.Duration("interval", delay))
		if werr := e.resume.wait(ctx, delay); werr != nil {
			return fmt.Errorf("%w (the exporter stops)", err)
		}
	}
}

// attempt sends a batch once, within `timeout`. A batch Elasticsearch takes
// wakes batches waiting to be sent again.
func (e *durableExporter) attempt(ctx context.Context, ld plog.Logs) error {
	if e.timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, e.timeout)
		defer cancel()
	}
	if err := e.waitForSetup(ctx); err != nil {
		return err
	}
	if ticket, ok := delivery.FromContext(ctx); ok {
		ticket.Sending() // the receiver's pace counts from here, not from the wait for the setup
	}
	err := e.send(ctx, ld)
	if err != nil && ctx.Err() != nil {
		// The caller gave up (a shutdown), or the attempt timed out: that
		// says nothing of Elasticsearch.
		return err
	}
	e.state.observe(err)
	if err == nil {
		e.resume.resume()
	}
	return err
}

// setupWait is how long a batch waits for the Elasticsearch setup before
// the wait counts as a failed attempt: logged, reported, retried.
const setupWait = time.Second

// waitForSetup holds a batch until the elemtasetup extension (when there
// is one) has installed the index template and the ILM policy, so that no
// daily index is created with dynamic mappings before them.
func (e *durableExporter) waitForSetup(ctx context.Context) error {
	if e.setup == nil || e.setupDone.Load() {
		return nil // without a timer for each attempt
	}
	waitCtx, cancel := context.WithTimeout(ctx, setupWait)
	defer cancel()
	err := e.setupDoneOrEnd(waitCtx)
	if err == nil || ctx.Err() != nil {
		return err
	}
	de := e.setupPending()
	e.state.observe(de)
	return de
}

// setupDoneOrEnd returns once the Elasticsearch setup is done, or with
// ctx's error when ctx ends first.
func (e *durableExporter) setupDoneOrEnd(ctx context.Context) error {
	if e.setup == nil || e.setupDone.Load() {
		return nil
	}
	if err := e.setup.ElasticsearchReady(ctx); err != nil {
		return err
	}
	e.setupDone.Store(true)
	return nil
}

// watchSetup reports, while no batch waits, what a batch would wait for:
// the delivery state (log line, component status, health) follows the
// Elasticsearch setup from the start, not from the first line.
func (e *durableExporter) watchSetup(ctx context.Context) {
	for {
		waitCtx, cancel := context.WithTimeout(ctx, setupWait)
		err := e.setup.ElasticsearchReady(waitCtx)
		cancel()
		switch {
		case err == nil:
			e.setupDone.Store(true)
			e.state.resolved(failureSetup, "The Elasticsearch setup is done; documents go")
			e.resume.resume() // batches that waited for it need not wait out their back-off
			return
		case ctx.Err() != nil:
			return
		}
		e.state.observe(e.setupPending())
	}
}

// setupPending is the failure of a batch that waits for the setup.
func (e *durableExporter) setupPending() *deliveryError {
	return &deliveryError{failureSetup, "documents wait for the Elasticsearch setup (ILM policy, index template); the batch is kept and sent after it", e.setup.ElasticsearchPending()}
}

func (e *durableExporter) send(ctx context.Context, ld plog.Logs) error {
	rep := newBulkReport(ld.LogRecordCount() == 1)
	sendErr := e.inner.ConsumeLogs(withReport(ctx, rep), ld)
	s := rep.snapshot()
	if s.status == http.StatusRequestEntityTooLarge && !rep.single && s.deadLetterErr == nil {
		// Too large as a whole: each half is sent on its own, and split
		// again if needed. A half already taken is harmless to resend.
		e.telemetry.ExporterDurableElasticsearchBatchesSplit.Add(ctx, 1)
		if held := heldDocumentsFrom(ctx); held != nil {
			// The documents went with the request: made again, and the
			// halves keep theirs.
			docs, err := held.documents()
			if err != nil {
				return consumererror.NewPermanent(err)
			}
			ld = docs
			ctx = withHeldDocuments(ctx, nil)
		}
		first, second := splitLogs(ld)
		return errors.Join(e.send(ctx, first), e.send(ctx, second))
	}
	if de := explain(s, sendErr, e.endpoint); de != nil {
		if de.kind == failureOther && consumererror.IsPermanent(sendErr) && s.deadLettered == 0 {
			return sendErr // contrib could not make the request: retrying cannot help
		}
		return de
	}
	return nil
}

// failingGauge keeps exporter_durable_elasticsearch_failing at 1 for the
// reason Elasticsearch does not take documents, and at 0 for the others.
func failingGauge(tb *metadata.TelemetryBuilder) func(was, now string) {
	ctx := context.Background()
	return func(was, now string) {
		if was != "" {
			tb.ExporterDurableElasticsearchFailing.Add(ctx, -1, metric.WithAttributes(attribute.String("reason", was)))
		}
		if now != "" {
			tb.ExporterDurableElasticsearchFailing.Add(ctx, 1, metric.WithAttributes(attribute.String("reason", now)))
		}
	}
}

// silenced is the collector's host without status reports: contrib's
// exporter reports one for every request, which would restart the health
// check's failure window on each retry.
type silenced struct{ component.Host }

func endpointOf(cfg *Config) string {
	switch {
	case cfg.Elasticsearch.Endpoint != "":
		return cfg.Elasticsearch.Endpoint
	case len(cfg.Elasticsearch.Endpoints) > 0:
		return strings.Join(cfg.Elasticsearch.Endpoints, ", ")
	}
	return "the configured endpoint"
}

// bulkMiddlewareID names the bulk middleware among the extensions that
// contrib's exporter sees.
var bulkMiddlewareID = component.MustNewID("durable_elasticsearch_bulk")

// hostWith is a host with one more extension.
type hostWith struct {
	component.Host
	extensions map[component.ID]component.Component
}

func newHostWith(host component.Host, id component.ID, ext component.Component) hostWith {
	extensions := maps.Clone(host.GetExtensions())
	if extensions == nil {
		extensions = map[component.ID]component.Component{}
	}
	extensions[id] = ext
	return hostWith{Host: host, extensions: extensions}
}

func (h hostWith) GetExtensions() map[component.ID]component.Component { return h.extensions }

func hasStorage(cfg *Config) bool {
	return cfg.QueueConfig.HasValue() && cfg.QueueConfig.Get().StorageID != nil
}
