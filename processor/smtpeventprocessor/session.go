package smtpeventprocessor // import "github.com/elemta/otelcol-elemta/processor/smtpeventprocessor"

import (
	"sync"
	"time"

	lru "github.com/hashicorp/golang-lru/v2"
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
