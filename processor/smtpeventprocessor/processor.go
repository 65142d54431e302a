package smtpeventprocessor // import "github.com/elemta/otelcol-elemta/processor/smtpeventprocessor"

import (
	"context"
	"fmt"
	"net/netip"
	"os"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/processor"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"
	"go.uber.org/zap"

	"github.com/elemta/otelcol-elemta/processor/smtpeventprocessor/internal/metadata"
)

type smtpEventProcessor struct {
	cfg       *Config
	set       processor.Settings
	telemetry *metadata.TelemetryBuilder
	sessions  *sessionTable
	privacy   privacy
	geo       *geoLocator // nil when GeoIP is off
	geoResult map[string]metric.AddOption
	// host names this machine in document ids (unless the resource has a
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
		return nil, fmt.Errorf("host name for document ids: %w", err)
	}
	ctx := context.Background()
	p := &smtpEventProcessor{
		cfg:       cfg,
		set:       set,
		telemetry: tb,
		host:      host,
		privacy: privacy{key: []byte(cfg.Privacy.HashKey), modes: map[string]string{
			"sender": cfg.Privacy.Sender, "recipient": cfg.Privacy.Recipient, "subject": cfg.Privacy.Subject,
		}},
	}
	p.geoResult = map[string]metric.AddOption{}
	for _, r := range []string{"found", "not_found", "skipped", "error", "hit", "miss"} {
		p.geoResult[r] = metric.WithAttributeSet(attribute.NewSet(attribute.String("result", r)))
	}
	p.sessions = newSessionTable(cfg.Session.MaxSessions, cfg.Session.TTL,
		func() { tb.ProcessorSmtpeventSessionEvictions.Add(ctx, 1) },
		func(d int64) { tb.ProcessorSmtpeventSessions.Add(ctx, d) })
	return p, nil
}

// start opens the GeoIP databases; a path that cannot be opened is an error.
func (p *smtpEventProcessor) start(context.Context, component.Host) error {
	if p.cfg.GeoIP.CityDatabase == "" && p.cfg.GeoIP.ASNDatabase == "" {
		return nil
	}
	geo, err := newGeoLocator(p.cfg.GeoIP, p.set.Logger)
	if err != nil {
		return err
	}
	geo.watch(p.cfg.GeoIP.ReloadInterval)
	p.geo = geo
	p.set.Logger.Info("GeoIP enabled", zap.String("city_database", p.cfg.GeoIP.CityDatabase),
		zap.String("asn_database", p.cfg.GeoIP.ASNDatabase))
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

// processLogs turns each record into an SMTP event and its document.
func (p *smtpEventProcessor) processLogs(ctx context.Context, ld plog.Logs) (plog.Logs, error) {
	for _, rl := range ld.ResourceLogs().All() {
		host := p.host
		if h, ok := rl.Resource().Attributes().Get("host.name"); ok && h.Str() != "" {
			host = h.Str()
		}
		for _, sl := range rl.ScopeLogs().All() {
			sl.Scope().Attributes().PutStr(attrMappingMode, mappingBodyMap)
			for _, lr := range sl.LogRecords().All() {
				p.event(ctx, lr, host)
			}
		}
	}
	return ld, nil
}

func (p *smtpEventProcessor) event(ctx context.Context, lr plog.LogRecord, host string) {
	attrs := lr.Attributes()
	if n := scrubCredentials(attrs, lr.Body()); n > 0 {
		p.telemetry.ProcessorSmtpeventCredentialsScrubbed.Add(ctx, int64(n))
	}
	p.sessionContext(attrs)
	normalise(attrs)
	if p.geo != nil {
		p.locate(ctx, attrs, "client_ip", "client_geo", "client_as")
		p.locate(ctx, attrs, "delivery_ip", "delivery_geo", "delivery_as")
	}

	s := flowOf(attrs)
	attrs.PutStr("mta_flow", s.flow)
	attrs.PutStr("event.outcome", s.outcome)
	attrs.PutStr("event.category", "email")
	addReasons(attrs, s)
	if s.outcome == outcomeFailure {
		attrs.PutBool("is_error", true)
	}
	p.privacy.apply(attrs, lr.Body())
	p.telemetry.ProcessorSmtpeventEvents.Add(ctx, 1, metric.WithAttributeSet(attribute.NewSet(
		attribute.String("event_type", str(attrs, "event_type")), attribute.String("mta_flow", s.flow))))
	p.document(lr, host)
}

// sessionContext records what a line tells about its SMTP session and adds
// what the session learnt before to the line: client address, HELO name,
// authenticated user, TLS. Elemta's JSON lines carry a session id (two
// after AUTH, when Elemta renews it); the older `SMTP:` text lines belong
// to the last `new connection` of their file.
func (p *smtpEventProcessor) sessionContext(attrs pcommon.Map) {
	var keys []string
	fresh := false
	if v, ok := attrs.Get("session_id"); ok {
		forEachString(v, func(it pcommon.Value) { keys = append(keys, "id:"+it.Str()) })
	} else if str(attrs, "log.format") == "smtp" {
		keys = []string{"file:" + str(attrs, "log.file.path")}
		fresh = str(attrs, "event_type") == "smtp_connection" && hasKey(attrs, "client_ip")
	}
	if len(keys) == 0 {
		return
	}
	p.sessions.with(keys, fresh, func(s *session) {
		learn(s, attrs)
		tell(s, attrs)
	})
}

func hasKey(attrs pcommon.Map, key string) bool {
	_, ok := attrs.Get(key)
	return ok
}

func learn(s *session, attrs pcommon.Map) {
	if ip := str(attrs, "client_ip"); ip != "" {
		s.clientIP = ip
		if port, ok := attrs.Get("client_port"); ok && port.Type() == pcommon.ValueTypeInt {
			s.port, s.hasPort = port.Int(), true
		}
	}
	switch str(attrs, "smtp_command") {
	case "HELO", "EHLO", "LHLO":
		if data := str(attrs, "command_data"); data != "" {
			s.helo = data
		}
	}
	if v, ok := attrs.Get("authenticated"); ok && v.Type() == pcommon.ValueTypeBool && v.Bool() {
		if u := str(attrs, "username"); u != "" {
			s.user = u
		}
	}
	if str(attrs, "event_type") == "authentication" && statusOutcome(attrs, str(attrs, "log_message")) == outcomeSuccess {
		if u := str(attrs, "username"); u != "" {
			s.user = u
		}
	}
	if v, ok := attrs.Get("tls_active"); ok && v.Type() == pcommon.ValueTypeBool {
		s.tls, s.hasTLS = v.Bool(), true
	}
}

func tell(s *session, attrs pcommon.Map) {
	if s.clientIP != "" && !hasKey(attrs, "client_ip") {
		attrs.PutStr("client_ip", s.clientIP)
		if s.hasPort {
			attrs.PutInt("client_port", s.port)
		}
	}
	if s.helo != "" && !hasKey(attrs, "helo") {
		attrs.PutStr("helo", s.helo)
	}
	if s.user != "" && str(attrs, "username") == "" {
		attrs.PutStr("username", s.user)
	}
	if s.hasTLS && !hasKey(attrs, "tls_active") {
		attrs.PutBool("tls_active", s.tls)
	}
}

// locate adds where an address is (geoKey) and who routes it (asKey).
// Private, loopback and reserved addresses are skipped without a trace.
func (p *smtpEventProcessor) locate(ctx context.Context, attrs pcommon.Map, ipKey, geoKey, asKey string) {
	text := str(attrs, ipKey)
	if text == "" {
		return
	}
	addr, err := netip.ParseAddr(text)
	if err != nil {
		return
	}
	addr = addr.Unmap()
	if !routable(addr) {
		p.telemetry.ProcessorSmtpeventGeoipLookups.Add(ctx, 1, p.geoResult["skipped"])
		return
	}
	info, hit, err := p.geo.lookup(addr)
	if hit {
		p.telemetry.ProcessorSmtpeventGeoipCache.Add(ctx, 1, p.geoResult["hit"])
	} else {
		p.telemetry.ProcessorSmtpeventGeoipCache.Add(ctx, 1, p.geoResult["miss"])
	}
	switch {
	case err != nil:
		p.telemetry.ProcessorSmtpeventGeoipLookups.Add(ctx, 1, p.geoResult["error"])
		return
	case !info.found:
		p.telemetry.ProcessorSmtpeventGeoipLookups.Add(ctx, 1, p.geoResult["not_found"])
		return
	}
	p.telemetry.ProcessorSmtpeventGeoipLookups.Add(ctx, 1, p.geoResult["found"])
	if info.countryISO != "" || info.city != "" || info.hasLocation {
		geo := attrs.PutEmptyMap(geoKey)
		putNonEmpty(geo, "country_iso_code", info.countryISO)
		putNonEmpty(geo, "country_name", info.countryName)
		putNonEmpty(geo, "region_iso_code", info.regionISO)
		putNonEmpty(geo, "region_name", info.regionName)
		putNonEmpty(geo, "city_name", info.city)
		putNonEmpty(geo, "timezone", info.timezone)
		if info.hasLocation {
			loc := geo.PutEmptyMap("location")
			loc.PutDouble("lat", info.lat)
			loc.PutDouble("lon", info.lon)
		}
	}
	if info.asNumber != 0 {
		as := attrs.PutEmptyMap(asKey)
		as.PutInt("number", int64(info.asNumber))
		putNonEmpty(as, "organization.name", info.asOrg)
	}
}

func putNonEmpty(m pcommon.Map, k, v string) {
	if v != "" {
		m.PutStr(k, v)
	}
}
