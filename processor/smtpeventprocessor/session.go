package smtpeventprocessor // import "github.com/elemta/otelcol-elemta/processor/smtpeventprocessor"

import (
	"strings"
	"sync"
	"time"

	lru "github.com/hashicorp/golang-lru/v2"
	"go.opentelemetry.io/collector/pdata/pcommon"

	"github.com/elemta/otelcol-elemta/internal/vocabulary"
)

// sessionKey is a name a session is known by: one of Elemta's session
// ids, or the log file whose last connection it is.
type sessionKey struct {
	file bool
	name string
}

// session is what one SMTP session learnt so far.
type session struct {
	keys     []sessionKey // every name the session is known by
	clientIP string
	port     int64
	hasPort  bool
	helo     string
	user     string
	tls      bool
	hasTLS   bool
	lastSeen time.Time
}

// sessionTable is a bounded LRU of sessions that also forgets a session
// not seen for ttl. A session is known by several names (Elemta renews its
// id after AUTH), so the LRU holds sessions and a map holds their names.
// The expiry is checked when a session is looked up: golang-lru's
// expirable LRU runs a goroutine per cache that it never stops. It is safe
// for concurrent use.
type sessionTable struct {
	mu      sync.Mutex
	ttl     time.Duration
	lru     *lru.Cache[*session, struct{}]
	byKey   map[sessionKey]*session
	now     func() time.Time
	onEvict func()
	onSize  func(delta int64)
}

// newSessionTable returns a table of at most maxSessions sessions; an
// error for a size below one (which Config.Validate refuses first).
func newSessionTable(maxSessions int, ttl time.Duration, onEvict func(), onSize func(int64)) (*sessionTable, error) {
	t := &sessionTable{ttl: ttl, byKey: map[sessionKey]*session{}, now: time.Now, onEvict: onEvict, onSize: onSize}
	var err error
	t.lru, err = lru.NewWithEvict(maxSessions, func(s *session, _ struct{}) { t.forget(s) })
	return t, err
}

// with runs fn on the session known by any of keys, created if none is,
// after linking every key to it. A new connection (fresh) always starts a
// new session.
func (t *sessionTable) with(keys []sessionKey, fresh bool, fn func(*session)) {
	if len(keys) == 0 {
		return
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	before := t.lru.Len()
	now := t.now()
	var s *session
	for _, k := range keys {
		found, ok := t.byKey[k]
		switch {
		case !ok:
		case fresh || now.Sub(found.lastSeen) > t.ttl:
			t.lru.Remove(found)
		case s == nil:
			s = found
		}
	}
	if s == nil {
		s = &session{}
	}
	for _, k := range keys {
		if t.byKey[k] != s {
			k.name = strings.Clone(k.name) // the table outlives the line the name was read from
			t.byKey[k] = s
			s.keys = append(s.keys, k)
		}
	}
	s.lastSeen = now
	if t.lru.Add(s, struct{}{}) { // the least recently seen went
		t.onEvict()
	}
	fn(s)
	t.onSize(int64(t.lru.Len() - before))
}

// forget drops the names of a session the LRU removed; t.mu is held.
func (t *sessionTable) forget(s *session) {
	for _, k := range s.keys {
		if t.byKey[k] == s {
			delete(t.byKey, k)
		}
	}
}

// len is the number of sessions held.
func (t *sessionTable) len() int {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.lru.Len()
}

// remember keeps what a line says of its session: the client, its HELO,
// the user once authenticated, whether TLS is on.
// What it keeps are copies: a session outlives the lines it was read from,
// and the lines of a read share one string.
func (s *session) remember(r *record) {
	if r.clientIP != "" {
		keep(&s.clientIP, r.clientIP)
		if r.hasClientPort {
			s.port, s.hasPort = r.clientPort, true
		}
	}
	switch r.command {
	case "HELO", "EHLO", "LHLO":
		if r.commandData != "" {
			keep(&s.helo, r.commandData)
		}
	}
	if r.username != "" && (r.authenticated || r.eventType == vocabulary.EventAuthentication && statusOutcome(r) == vocabulary.OutcomeSuccess) {
		keep(&s.user, r.username)
	}
	if r.hasTLS {
		s.tls, s.hasTLS = r.tls, true
	}
}

// fillIn adds to a line what its session knows and the line does not say.
func (s *session) fillIn(attrs pcommon.Map, r *record) {
	if s.clientIP != "" && !r.hasClientIP {
		attrs.PutStr(vocabulary.AttrClientIP, s.clientIP)
		r.clientIP, r.hasClientIP = s.clientIP, true
		if s.hasPort {
			attrs.PutInt(vocabulary.AttrClientPort, s.port)
		}
	}
	if s.helo != "" && !r.hasHelo {
		attrs.PutStr(vocabulary.AttrHelo, s.helo)
	}
	if s.user != "" && r.username == "" {
		attrs.PutStr(vocabulary.AttrUsername, s.user)
		r.username = s.user
	}
	if s.hasTLS && !r.hasTLS {
		attrs.PutBool(vocabulary.AttrTLSActive, s.tls)
	}
}

// keep sets *dst to a copy of v, unless it holds v already.
func keep(dst *string, v string) {
	if *dst != v {
		*dst = strings.Clone(v)
	}
}
