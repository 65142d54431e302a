package smtpeventprocessor // import "github.com/elemta/otelcol-elemta/processor/smtpeventprocessor"

import (
	"context"
	"fmt"
	"os"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/processor"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"
	"go.uber.org/zap"

	"github.com/elemta/otelcol-elemta/internal/recordroom"
	"github.com/elemta/otelcol-elemta/internal/vocabulary"
	"github.com/elemta/otelcol-elemta/processor/smtpeventprocessor/internal/metadata"
)

type smtpEventProcessor struct {
	cfg       *Config
	set       processor.Settings
	telemetry *metadata.TelemetryBuilder
	sessions  *sessionTable
	// receptions are the reception times of messages not yet delivered.
	receptions *receptions
	privacy    privacy
	geo        *geoLocator // nil when GeoIP is off
	geoResult  [geoOutcomes]metric.AddOption
	// host names this machine in record ids (unless the resource has a
	// host.name), so that two servers' identical lines at the same place of
	// the same path stay apart.
	host string
}

func newSMTPEventProcessor(set processor.Settings, cfg *Config) (*smtpEventProcessor, error) {
	tb, err := metadata.NewTelemetryBuilder(set.TelemetrySettings)
	if err != nil {
		return nil, fmt.Errorf("telemetry: %w", err)
	}
	host, err := os.Hostname()
	if err != nil {
		return nil, fmt.Errorf("host name for record ids: %w", err)
	}
	receptions, err := newReceptions()
	if err != nil {
		return nil, fmt.Errorf("reception times: %w", err)
	}
	ctx := context.Background()
	p := &smtpEventProcessor{
		cfg:        cfg,
		set:        set,
		telemetry:  tb,
		host:       host,
		receptions: receptions,
		privacy: privacy{key: []byte(cfg.Privacy.HashKey), modes: map[string]string{
			"sender": cfg.Privacy.Sender, "recipient": cfg.Privacy.Recipient, "subject": cfg.Privacy.Subject,
		}, failedLogin: cfg.Privacy.FailedLoginUsername},
	}
	for o, name := range geoOutcomeNames {
		p.geoResult[o] = metric.WithAttributeSet(attribute.NewSet(attribute.String("result", name)))
	}
	p.sessions, err = newSessionTable(cfg.Session.MaxSessions, cfg.Session.TTL,
		func() { tb.ProcessorSmtpeventSessionEvictions.Add(ctx, 1) },
		func(d int64) { tb.ProcessorSmtpeventSessions.Add(ctx, d) })
	if err != nil {
		return nil, fmt.Errorf("session::max_sessions: %w", err)
	}
	return p, nil
}

// start opens the GeoIP databases; a path that cannot be opened is an error.
func (p *smtpEventProcessor) start(context.Context, component.Host) error {
	if len(p.cfg.GeoIP.CityDatabase) == 0 && len(p.cfg.GeoIP.ASNDatabase) == 0 {
		return nil
	}
	geo, err := newGeoLocator(p.cfg.GeoIP, p.set.Logger)
	if err != nil {
		return err
	}
	geo.watch(p.cfg.GeoIP.ReloadInterval)
	p.geo = geo
	p.set.Logger.Info("GeoIP enabled", zap.Strings("city_database", p.cfg.GeoIP.CityDatabase),
		zap.Strings("asn_database", p.cfg.GeoIP.ASNDatabase))
	return nil
}

func (p *smtpEventProcessor) shutdown(context.Context) error {
	var err error
	if p.geo != nil {
		err = p.geo.close()
	}
	p.telemetry.Shutdown()
	return err
}

// processLogs turns each record into an SMTP event: its attributes get the
// mail flow, outcome, session context and place; its body stays the line,
// scrubbed of credentials.
func (p *smtpEventProcessor) processLogs(ctx context.Context, ld plog.Logs) (plog.Logs, error) {
	var b batchCounts
	defer p.count(ctx, &b)
	for _, rl := range ld.ResourceLogs().All() {
		host := p.host
		if h, ok := rl.Resource().Attributes().Get("host.name"); ok && h.Str() != "" {
			host = h.Str()
		}
		for _, sl := range rl.ScopeLogs().All() {
			for _, lr := range sl.LogRecords().All() {
				p.event(lr, host, &b)
			}
		}
	}
	return ld, nil
}

func (p *smtpEventProcessor) event(lr plog.LogRecord, host string, b *batchCounts) {
	attrs := lr.Attributes()
	// Room for what event adds: none is needed on the receiver's records,
	// a record received over OTLP or Kafka grows here once.
	attrs.EnsureCapacity(attrs.Len() + recordroom.AttributesAdded)
	var r record
	r.read(attrs)
	b.scrubbed += int64(r.scrubbed + scrubLine(attrs, lr.Body(), &r))
	p.sessionContext(attrs, &r)
	putNormalised(attrs, &r)
	if p.geo != nil {
		r.clientCountry = p.locate(attrs, r.clientIP, vocabulary.AttrClientGeo, vocabulary.AttrClientAS, b)
		p.locate(attrs, r.deliveryIP, vocabulary.AttrDeliveryGeo, vocabulary.AttrDeliveryAS, b)
	}

	s := flowOf(&r)
	attrs.PutStr(vocabulary.AttrMTAFlow, s.flow)
	attrs.PutStr(vocabulary.AttrEventOutcome, s.outcome)
	attrs.PutStr(vocabulary.AttrEventCategory, "email")
	addReasons(attrs, &r, s)
	p.measure(attrs, lr, &r, s, b)
	if s.outcome == vocabulary.OutcomeFailure {
		attrs.PutBool(vocabulary.AttrIsError, true)
	}
	p.privacy.apply(attrs, lr.Body())
	if r.eventType == vocabulary.EventAuthentication && statusOutcome(&r) == vocabulary.OutcomeFailure && p.privacy.protectFailedLogin(attrs, lr.Body(), r.username) {
		b.scrubbed++
	}
	b.countEvent(r.eventType, s.flow)
	putRecordUID(lr, &r, host)
}

// sessionContext records what a line tells about its SMTP session and adds
// what the session learnt before to the line: client address, HELO name,
// authenticated user, TLS. Elemta's JSON lines carry a session id (two
// after AUTH, when Elemta renews it); the older `SMTP:` text lines belong
// to the last `new connection` of their file.
func (p *smtpEventProcessor) sessionContext(attrs pcommon.Map, r *record) {
	var room [2]sessionKey
	keys := room[:0]
	fresh := false
	switch {
	case r.idCount > 0:
		keys = r.sessionKeys(keys)
	case r.format == vocabulary.FormatSMTP:
		keys = append(keys, sessionKey{file: true, name: r.path})
		fresh = r.eventType == vocabulary.EventSMTPConnection && r.hasClientIP
	default:
		return
	}
	p.sessions.with(keys, fresh, func(s *session) {
		s.remember(r)
		s.fillIn(attrs, r)
	})
}
