package elemtareceiver // import "github.com/elemta/otelcol-elemta/receiver/elemtareceiver"

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/cenkalti/backoff/v5"
	"github.com/open-telemetry/opentelemetry-collector-contrib/pkg/stanza/adapter"
	"github.com/open-telemetry/opentelemetry-collector-contrib/pkg/stanza/fileconsumer"
	"github.com/open-telemetry/opentelemetry-collector-contrib/pkg/stanza/operator"
	bolterrors "go.etcd.io/bbolt/errors"
	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/component/componentstatus"
	"go.opentelemetry.io/collector/consumer"
	"go.opentelemetry.io/collector/consumer/consumererror"
	"go.opentelemetry.io/collector/extension/xextension/storage"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/receiver"
	"go.opentelemetry.io/collector/receiver/receiverhelper"
	"go.uber.org/zap"

	"github.com/elemta/otelcol-elemta/internal/delivery"
	"github.com/elemta/otelcol-elemta/internal/idle"
	"github.com/elemta/otelcol-elemta/internal/retrypolicy"
	"github.com/elemta/otelcol-elemta/receiver/elemtareceiver/internal/elemtalog"
	"github.com/elemta/otelcol-elemta/receiver/elemtareceiver/internal/metadata"
)

// checkpointScope prefixes the file consumer's keys in the storage.
const checkpointScope = "elemta"

// finalDeliveryTimeout bounds the delivery of the lines still held when
// the receiver stops; what is not delivered by then is saved in storage.
const finalDeliveryTimeout = 5 * time.Second

// logsReceiver tails Elemta's log files with contrib's file consumer and
// hands batches of parsed lines to the pipeline synchronously: a file's
// read position is saved past a line only once the pipeline took it, or
// once it is saved in storage because a shutdown interrupted its delivery.
// With an exporter that answers only once the backend has the batch
// (durable_elasticsearch without a sending queue), the log file itself is
// the durable copy of every line not yet indexed.
type logsReceiver struct {
	set       receiver.Settings
	cfg       *Config
	next      consumer.Logs
	obsrecv   *receiverhelper.ObsReport
	telemetry *metadata.TelemetryBuilder
	converter *converter

	files    *fileconsumer.Manager
	heads    *fileHeads
	batch    *lineBatch
	inFlight *inFlight
	client   storage.Client
	pending  *pendingStore

	cancel context.CancelFunc
	wg     sync.WaitGroup

	readingMu sync.Mutex // guards reading: the file consumer started
	reading   bool
}

func newLogsReceiver(set receiver.Settings, cfg *Config, next consumer.Logs) (*logsReceiver, error) {
	loc, err := time.LoadLocation(cfg.Timezone)
	if err != nil {
		return nil, fmt.Errorf("timezone: %w", err)
	}
	obsrecv, err := receiverhelper.NewObsReport(receiverhelper.ObsReportSettings{
		ReceiverID:             set.ID,
		Transport:              "file",
		ReceiverCreateSettings: set,
	})
	if err != nil {
		return nil, err
	}
	tb, err := metadata.NewTelemetryBuilder(set.TelemetrySettings)
	if err != nil {
		return nil, fmt.Errorf("telemetry: %w", err)
	}
	r := &logsReceiver{
		set:       set,
		cfg:       cfg,
		next:      next,
		obsrecv:   obsrecv,
		telemetry: tb,
		converter: newConverter(newParser(loc), cfg, tb),
	}
	r.heads = newFileHeads(int(cfg.FingerprintSize), cfg.Compression != "", set.Logger)
	r.inFlight = newInFlight(cfg.InFlight.MaxBatches, cfg.InFlight.MaxBytes, r.givenUp)
	r.batch = &lineBatch{
		maxLines: cfg.Batch.MaxLines,
		maxBytes: cfg.Batch.MaxBytes,
		grows:    r.inFlight.slowBackend,
		deliver:  r.deliver,
	}

	// Bytes are handed over as they are: the parser repairs invalid UTF-8
	// and flags it, and no whitespace is trimmed.
	fc := cfg.Config
	fc.Encoding = "nop"
	fc.Include = cfg.patterns()
	if fc.MaxLogSize > 0 {
		// One byte more than the limit tells a line of exactly max_log_size
		// bytes (whole) from a longer one (cut to the limit by the converter).
		fc.MaxLogSize++
	}
	r.files, err = fc.Build(set.TelemetrySettings, r.emit, fileconsumer.WithSplitFunc(elemtalog.SplitLinesWithin(int(fc.MaxLogSize))))
	if err != nil {
		return nil, err
	}
	return r, nil
}

// Start opens the storage, starts tailing and, in the background, delivers
// the lines a previous shutdown saved. It does not block.
func (r *logsReceiver) Start(ctx context.Context, host component.Host) error {
	client, err := adapter.GetStorageClient(ctx, host, r.cfg.StorageID, r.set.ID)
	if errors.Is(err, bolterrors.ErrTimeout) {
		// file_storage says only "timeout" when another process holds its file.
		return fmt.Errorf("storage: the storage directory of %q is in use by another collector (its checkpoint file is locked); "+
			"stop the other collector or give each its own directory (with the default configuration: OTELCOL_ELEMTA_STORAGE)", r.cfg.StorageID)
	}
	if err != nil {
		return fmt.Errorf("storage: %w", err)
	}
	r.client = client
	persister := operator.NewScopedPersister(checkpointScope, client)
	r.pending = newPendingStore(persister)

	runCtx, cancel := context.WithCancel(context.Background())
	r.cancel = cancel
	r.batch.convert = func(reads []linesRead, count bool) plog.Logs {
		return r.converter.convert(runCtx, reads, count)
	}
	// Read positions are written only after the lines before them were
	// delivered; at shutdown (runCtx done) lines still held are saved.
	// They are written once per look at the files, when reading has caught
	// up: no batch of this receiver is in flight then, the moment for the
	// binary's collection at idle moments (internal/idle: the memory_policy
	// extension, when the collector has it).
	idleNow := idle.FromHost(host)
	r.batch.behind = idleNow.PipelineBusy // set before reading starts
	checkpoints := checkpointAfterDelivery{Persister: persister, flush: func() {
		ctx := runCtx
		if runCtx.Err() != nil { // stopping: one bounded attempt, then the lines are saved
			var cancel context.CancelFunc
			ctx, cancel = context.WithTimeout(context.Background(), finalDeliveryTimeout)
			defer cancel()
		}
		r.batch.flush(ctx)
		if r.inFlight.wait(ctx) != nil {
			// Stopping: a last bounded wait, then what is still in flight
			// is saved, since the positions written next are past it.
			final, cancel := context.WithTimeout(context.Background(), finalDeliveryTimeout)
			_ = r.inFlight.wait(final)
			cancel()
			for _, o := range r.inFlight.unsettled() {
				r.save(o.batch())
			}
		}
		idleNow.PipelineIdle()
	}}
	// The lines a shutdown saved go first, then reading starts: the
	// pipeline sees the lines in the order they were written.
	r.wg.Add(1)
	go func() {
		defer r.wg.Done()
		r.replayPending(runCtx, host)
		r.startReading(runCtx, host, checkpoints)
	}()
	r.set.Logger.Info("Elemta receiver started",
		zap.Strings("include", r.cfg.Include), zap.Strings("rotated_copies", r.cfg.RotatedCopies.Suffixes),
		zap.String("format", r.cfg.Format),
		zap.Bool("checkpoints", r.cfg.StorageID != nil))
	return nil
}

// startReading starts the file consumer, unless the receiver is stopping.
func (r *logsReceiver) startReading(ctx context.Context, host component.Host, checkpoints checkpointAfterDelivery) {
	r.readingMu.Lock()
	defer r.readingMu.Unlock()
	if ctx.Err() != nil {
		return
	}
	if err := r.files.Start(checkpoints); err != nil {
		r.set.Logger.Error("The log files cannot be read", zap.Error(err))
		componentstatus.ReportStatus(host, componentstatus.NewPermanentErrorEvent(fmt.Errorf("start reading: %w", err)))
		return
	}
	r.reading = true
}

// Shutdown stops reading, saves what could not be delivered and the
// checkpoints, and closes the storage. It is safe without Start.
func (r *logsReceiver) Shutdown(ctx context.Context) error {
	if r.cancel != nil {
		r.cancel()
	}
	var errs []error
	done := make(chan struct{})
	go func() { r.wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-ctx.Done():
		errs = append(errs, ctx.Err())
	}
	r.readingMu.Lock()
	if r.reading {
		errs = append(errs, r.files.Stop())
		r.reading = false
	}
	r.readingMu.Unlock()
	r.inFlight.close()
	if r.client != nil {
		errs = append(errs, r.client.Close(ctx))
	}
	r.telemetry.Shutdown()
	r.set.Logger.Info("Elemta receiver stopped")
	return errors.Join(errs...)
}

// emit is the file consumer's callback for lines of one file. The tokens
// stay valid until it returns.
func (r *logsReceiver) emit(ctx context.Context, tokens [][]byte, fileAttrs map[string]any, _ int64, offsets []int64) error {
	r.batch.add(ctx, tokens, fileAttrs, offsets, r.heads.of(fileAttrs, tokens, offsets))
	return nil
}

// deliver hands a batch to the pipeline, retrying until it is taken, once
// there is room for it among the batches in flight. An exporter may hold
// the batch after taking it (internal/delivery): the batch stays in flight
// until it is delivered. When the receiver is stopped first, the batch is
// saved in storage and delivered after the next start. A consumer may
// change a batch it refuses, so every attempt gets a batch converted afresh
// from the lines; only the first is counted in the receiver's metrics.
func (r *logsReceiver) deliver(ctx context.Context, convert func(count bool) plog.Logs, lines, bytes int) {
	if err := r.inFlight.acquire(ctx, bytes); err != nil {
		r.save(convert(true)) // stopping, with no room left in flight
		return
	}
	first := true
	batch := func() plog.Logs {
		ld := convert(first)
		first = false
		return ld
	}
	ticket, err := r.consumeWithRetry(ctx, batch)
	switch {
	case ticket != nil:
		r.inFlight.track(ticket, bytes, lines, func() plog.Logs { return convert(false) })
		return
	case err == nil || ctx.Err() == nil: // dropped for good: logged and counted
		r.inFlight.release(bytes)
		return
	}
	r.inFlight.release(bytes)
	r.save(batch())
}

// save keeps lines that were read but not delivered before a shutdown in
// storage, for the next start.
func (r *logsReceiver) save(ld plog.Logs) {
	if err := r.pending.save(ld); err != nil {
		r.set.Logger.Error("Lines not delivered before shutdown could not be saved; they are lost",
			zap.Int("lines", ld.LogRecordCount()), zap.Error(err))
		r.telemetry.ReceiverElemtaLinesLost.Add(context.Background(), int64(ld.LogRecordCount()))
		return
	}
	r.set.Logger.Info("Lines not delivered before shutdown are saved for the next start",
		zap.Int("lines", ld.LogRecordCount()))
}

// givenUp is told of a batch an exporter held and released with an error:
// the exporter gave the batch up (refused for good, or its retries'
// max_elapsed_time passed); the lines are logged and counted as lost.
func (r *logsReceiver) givenUp(lines int, err error) {
	r.set.Logger.Error("An exporter gave up lines it had taken; they are dropped", zap.Int("lines", lines), zap.Error(err))
	r.telemetry.ReceiverElemtaLinesLost.Add(context.Background(), int64(lines))
}

// consumeWithRetry hands a batch to the pipeline and returns its ticket
// once the pipeline took it, or an error when ctx ends first. A permanent
// error, or retry_on_failure::max_elapsed_time passed, drops the batch: it
// is logged and counted, and neither a ticket nor an error is returned.
// batch returns a new copy of the batch for each attempt.
func (r *logsReceiver) consumeWithRetry(ctx context.Context, batch func() plog.Logs) (*delivery.Ticket, error) {
	retry := r.cfg.RetryOnFailure
	bo := retrypolicy.BackOff(retry)
	lines := 0
	ticket, err := backoff.Retry(ctx, func() (*delivery.Ticket, error) {
		ld := batch()
		if lines = ld.LogRecordCount(); lines == 0 {
			return nil, nil
		}
		ticket := delivery.NewTicket()
		obsCtx := r.obsrecv.StartLogsOp(ctx)
		err := r.next.ConsumeLogs(delivery.WithTicket(obsCtx, ticket), ld)
		r.obsrecv.EndLogsOp(obsCtx, metadata.Type.String(), lines, err)
		ticket.Close() // after a refusal, what an exporter still holds is sent again anyway
		switch {
		case err == nil:
			return ticket, nil
		case consumererror.IsPermanent(err):
			return nil, backoff.Permanent(err)
		}
		return nil, err
	}, backoff.WithBackOff(bo), backoff.WithMaxElapsedTime(retry.MaxElapsedTime), // 0: no limit
		backoff.WithNotify(func(err error, wait time.Duration) {
			r.set.Logger.Debug("The pipeline refused lines; retrying", zap.Int("lines", lines), zap.Duration("interval", wait), zap.Error(err))
		}))
	switch {
	case err == nil:
		return ticket, nil
	case ctx.Err() != nil:
		return nil, err // stopping: the caller keeps the lines
	case consumererror.IsPermanent(err):
		r.set.Logger.Error("The pipeline refused lines for good; they are dropped", zap.Int("lines", lines), zap.Error(err))
	default:
		r.set.Logger.Error("retry_on_failure::max_elapsed_time passed; lines are dropped", zap.Int("lines", lines), zap.Error(err))
	}
	r.telemetry.ReceiverElemtaLinesLost.Add(context.Background(), int64(lines))
	return nil, nil
}

// replayPending delivers the batches a previous shutdown saved.
func (r *logsReceiver) replayPending(ctx context.Context, host component.Host) {
	batches, err := r.pending.load()
	if err != nil {
		r.set.Logger.Error("Saved lines could not be read from storage", zap.Error(err))
		componentstatus.ReportStatus(host, componentstatus.NewRecoverableErrorEvent(err))
		return
	}
	if len(batches) == 0 {
		return
	}
	r.set.Logger.Info("Delivering lines saved at the last shutdown", zap.Int("batches", len(batches)))
	delivered := 0
	for _, saved := range batches {
		copyOf := func() plog.Logs {
			ld := plog.NewLogs()
			saved.CopyTo(ld)
			return ld
		}
		ticket, err := r.consumeWithRetry(ctx, copyOf)
		if err != nil || !settledWithin(ctx, ticket) {
			break // stopped again: the rest stays saved
		}
		if ticket != nil && ticket.Err() != nil {
			r.givenUp(saved.LogRecordCount(), ticket.Err())
		}
		delivered++
	}
	if err := r.pending.drop(delivered); err != nil {
		r.set.Logger.Error("Delivered lines could not be removed from storage; they will be delivered again", zap.Error(err))
	}
}

// settledWithin waits until an exporter that holds a batch has delivered
// it, or ctx ends (false). A nil ticket is a batch dropped for good.
func settledWithin(ctx context.Context, t *delivery.Ticket) bool {
	if t == nil {
		return true
	}
	select {
	case <-t.Settled():
		return true
	case <-ctx.Done():
		return false
	}
}
