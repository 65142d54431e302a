package elemtasetupextension // import "github.com/elemta/otelcol-elemta/extension/elemtasetupextension"

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sync"
	"sync/atomic"
	"time"

	"github.com/cenkalti/backoff/v5"
	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/component/componentstatus"
	"go.opentelemetry.io/collector/extension"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"
	"go.uber.org/zap"

	"github.com/elemta/otelcol-elemta/extension/elemtasetupextension/internal/metadata"
	"github.com/elemta/otelcol-elemta/internal/readiness"
)

// setup installs the assets in the background after Start, retrying while
// Elasticsearch does not answer. It is ready (readiness.Elasticsearch)
// once every asset is in place or the installation was given up for good.
type setup struct {
	set       extension.Settings
	cfg       *Config
	telemetry *metadata.TelemetryBuilder

	ready     chan struct{}
	readyOnce sync.Once
	pending   atomic.Pointer[error] // the last failed attempt's error

	cancel context.CancelFunc
	wg     sync.WaitGroup
}

var _ readiness.Elasticsearch = (*setup)(nil)

func newSetup(set extension.Settings, cfg *Config) (*setup, error) {
	tb, err := metadata.NewTelemetryBuilder(set.TelemetrySettings)
	if err != nil {
		return nil, fmt.Errorf("telemetry: %w", err)
	}
	return &setup{set: set, cfg: cfg, telemetry: tb, ready: make(chan struct{})}, nil
}

// Targets of the extension_elemtasetup_incomplete metric.
var (
	targetElasticsearch = metric.WithAttributeSet(attribute.NewSet(attribute.String("target", "elasticsearch")))
	targetKibana        = metric.WithAttributeSet(attribute.NewSet(attribute.String("target", "kibana")))
)

// Start builds the client and returns; the installation runs meanwhile.
func (s *setup) Start(ctx context.Context, host component.Host) error {
	es := s.cfg.Elasticsearch
	c, err := newClient(ctx, "Elasticsearch", es.ClientConfig, es.User, es.Password, es.APIKey, host.GetExtensions(), s.set.TelemetrySettings)
	if err != nil {
		return err
	}
	all, err := allAssets(s.cfg)
	if err != nil {
		return err
	}
	runCtx, cancel := context.WithCancel(context.Background())
	s.cancel = cancel
	if s.cfg.Kibana.Endpoint != "" {
		k, objects, err := s.kibana(ctx, host)
		if err != nil {
			cancel()
			return err
		}
		s.telemetry.ExtensionElemtasetupIncomplete.Add(ctx, 1, targetKibana)
		s.wg.Add(1)
		go func() {
			defer s.wg.Done()
			s.runKibana(runCtx, k, objects)
		}()
	}
	s.telemetry.ExtensionElemtasetupIncomplete.Add(ctx, 1, targetElasticsearch)
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		s.run(runCtx, host, &c, all)
	}()
	return nil
}

// kibana builds the Kibana client and reads the objects to import.
func (s *setup) kibana(ctx context.Context, host component.Host) (*kibanaClient, []kibanaObject, error) {
	k, err := newKibanaClient(ctx, s.cfg.Kibana, host.GetExtensions(), s.set.TelemetrySettings)
	if err != nil {
		return nil, nil, err
	}
	objects, err := kibanaObjects(s.cfg.Kibana.Space)
	return k, objects, err
}

// Shutdown stops the installation and waits for it.
func (s *setup) Shutdown(ctx context.Context) error {
	if s.cancel != nil {
		s.cancel()
	}
	done := make(chan struct{})
	go func() { s.wg.Wait(); close(done) }()
	select {
	case <-done:
		s.telemetry.Shutdown()
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// ElasticsearchReady returns once the installation is done or given up.
func (s *setup) ElasticsearchReady(ctx context.Context) error {
	select {
	case <-s.ready:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// ElasticsearchPending is the last failed attempt's error.
func (s *setup) ElasticsearchPending() error {
	if err := s.pending.Load(); err != nil {
		return *err
	}
	return nil
}

func (s *setup) markReady() { s.readyOnce.Do(func() { close(s.ready) }) }

func (s *setup) run(ctx context.Context, host component.Host, c *client, all []asset) {
	err := retry(ctx, s.cfg.Retry, permanent, func() error { return s.install(ctx, c, all) }, func(err error) {
		s.pending.Store(&err)
	}, onChange(func(err error) {
		s.set.Logger.Warn("Elasticsearch setup waits for Elasticsearch; documents wait too", zap.Error(err))
		componentstatus.ReportStatus(host, componentstatus.NewRecoverableErrorEvent(err))
	}))
	switch {
	case ctx.Err() != nil:
		return
	case err == nil:
		s.telemetry.ExtensionElemtasetupIncomplete.Add(ctx, -1, targetElasticsearch)
		componentstatus.ReportStatus(host, componentstatus.NewEvent(componentstatus.StatusOK))
	default:
		// Retrying cannot help; documents go on with dynamic mappings.
		s.set.Logger.Error("Elasticsearch setup failed; documents are indexed without the index template", zap.Error(err))
		componentstatus.ReportStatus(host, componentstatus.NewPermanentErrorEvent(err))
	}
	s.markReady()
}

// install ensures every asset, in order, and logs what it did.
func (s *setup) install(ctx context.Context, c *client, all []asset) error {
	results, err := ensureAll(ctx, c, all, s.cfg.Overwrite)
	for _, r := range results {
		fields := []zap.Field{zap.String("kind", r.Kind), zap.String("name", r.Name), zap.String("outcome", r.Outcome)}
		switch {
		case r.LeftAlone():
			s.set.Logger.Warn("Elasticsearch setup left an asset as it is; set overwrite: true to replace it", fields...)
		case r.Outcome == outcomeUpToDate || r.Outcome == outcomePresent:
			s.set.Logger.Debug("Elasticsearch setup", fields...)
		default:
			s.set.Logger.Info("Elasticsearch setup", fields...)
		}
	}
	return err
}

// Result is what the setup did with one asset.
type Result struct {
	Kind     string // "ILM policy", "index template", "Kibana objects"
	Name     string
	Endpoint string // where it is
	Outcome  string // installed, updated, up to date, left alone: …
}

// LeftAlone tells an asset the setup did not write because it was changed,
// foreign or newer.
func (r Result) LeftAlone() bool {
	return r.Outcome == outcomeChanged || r.Outcome == outcomeForeign || r.Outcome == outcomeNewer
}

// ensureAll ensures each asset in order; it stops at the first failure.
func ensureAll(ctx context.Context, c *client, all []asset, overwrite bool) ([]Result, error) {
	var results []Result
	for _, a := range all {
		outcome, err := c.ensure(ctx, a, overwrite)
		if err != nil {
			return results, fmt.Errorf("%s %s: %w", a.kind, a.name, err)
		}
		results = append(results, Result{Kind: a.kind, Name: a.name, Endpoint: c.endpoint, Outcome: outcome})
	}
	return results, nil
}

// InstallOnce installs the assets cfg describes now, in the foreground, for
// a setup-only run: it retries while Elasticsearch does not answer, until
// ctx ends, and returns what it did, or why it failed.
func InstallOnce(ctx context.Context, cfg *Config, telemetry component.TelemetrySettings) ([]Result, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	es := cfg.Elasticsearch
	c, err := newClient(ctx, "Elasticsearch", es.ClientConfig, es.User, es.Password, es.APIKey, nil, telemetry)
	if err != nil {
		return nil, err
	}
	all, err := allAssets(cfg)
	if err != nil {
		return nil, err
	}
	var results []Result
	err = retry(ctx, cfg.Retry, permanent, func() (err error) {
		results, err = ensureAll(ctx, &c, all, cfg.Overwrite)
		return err
	})
	if err != nil || cfg.Kibana.Endpoint == "" {
		return results, err
	}
	k, err := newKibanaClient(ctx, cfg.Kibana, nil, telemetry)
	if err != nil {
		return results, err
	}
	objects, err := kibanaObjects(cfg.Kibana.Space)
	if err != nil {
		return results, err
	}
	var out kibanaOutcome
	err = retry(ctx, cfg.Retry, refused, func() (err error) {
		out, err = k.installKibana(ctx, objects, cfg.Overwrite)
		return err
	})
	if err == nil {
		results = append(results, kibanaResult(k, out))
		if r, ok := rulesResult(k, out.rules); ok {
			results = append(results, r)
		}
	}
	return results, err
}

// retry calls attempt until it succeeds or fails for good (final), or ctx
// ends; after each other failure it calls failed, in order, then backs off.
func retry(ctx context.Context, cfg RetryConfig, final func(error) bool, attempt func() error, failed ...func(error)) error {
	bo := backoff.NewExponentialBackOff()
	bo.InitialInterval, bo.MaxInterval = cfg.InitialInterval, cfg.MaxInterval
	var last error
	_, err := backoff.Retry(ctx, func() (struct{}, error) {
		err := attempt()
		switch {
		case err == nil:
			return struct{}{}, nil
		case final(err):
			return struct{}{}, backoff.Permanent(err)
		}
		last = err
		return struct{}{}, err
	}, backoff.WithBackOff(bo), backoff.WithMaxElapsedTime(0), backoff.WithNotify(func(err error, _ time.Duration) {
		for _, f := range failed {
			f(err)
		}
	}))
	if err != nil && last != nil && ctx.Err() != nil && !errors.Is(err, last) {
		return fmt.Errorf("%w (gave up: %w)", last, err) // what kept failing, and why it stopped
	}
	return err
}

// onChange calls f with a failure only when it differs from the last one:
// one log line per reason, not per attempt.
func onChange(f func(error)) func(error) {
	last := ""
	return func(err error) {
		if err.Error() != last {
			last = err.Error()
			f(err)
		}
	}
}

// allAssets are the assets to install, the policy first: the template names it.
func allAssets(cfg *Config) ([]asset, error) {
	policy, err := ilmPolicy(cfg.ILM.Retention)
	if err != nil {
		return nil, err
	}
	template, err := indexTemplate()
	if err != nil {
		return nil, err
	}
	all := []asset{policy, template}
	if cfg.Backup.Repository != "" {
		all = append(all, snapshotRepository(cfg.Backup), slmPolicy(cfg.Backup))
	}
	return all, nil
}

// ExportKibana writes the Kibana objects this extension installs, as they
// are in Kibana now, to w (NDJSON, what Kibana's import takes back), for a
// backup of the dashboards an operator changed. It returns how many it wrote.
func ExportKibana(ctx context.Context, cfg *Config, telemetry component.TelemetrySettings, w io.Writer) (int, error) {
	if cfg.Kibana.Endpoint == "" {
		return 0, errors.New("kibana::endpoint is empty: set it (KIBANA_ENDPOINT) to export the Kibana objects")
	}
	k, err := newKibanaClient(ctx, cfg.Kibana, nil, telemetry)
	if err != nil {
		return 0, err
	}
	objects, err := kibanaObjects(cfg.Kibana.Space)
	if err != nil {
		return 0, err
	}
	return k.export(ctx, objects, w)
}
