package smtpeventprocessor // import "github.com/elemta/otelcol-elemta/processor/smtpeventprocessor"

import (
	"container/list"
	"sync"
	"time"
)

// sessionKey is a name a session is known by: one of Elemta's session
// ids, or the log file whose last connection it is.
type sessionKey struct {
	file bool
	name string
}

// session is what one SMTP session learnt so far.
type session struct {
	keys      []sessionKey // every name the session is known by
	clientIP  string
	port      int64
	hasPort   bool
	helo      string
	user      string
	tls       bool
	hasTLS    bool
	lastSeen  time.Time
	lruHandle *list.Element
}

// sessionTable is a bounded LRU of sessions that also forgets a session
// not seen for ttl. It is safe for concurrent use.
type sessionTable struct {
	mu      sync.Mutex
	max     int
	ttl     time.Duration
	byKey   map[sessionKey]*session
	lru     *list.List // front: most recently seen
	now     func() time.Time
	onEvict func()
	onSize  func(delta int64)
}

func newSessionTable(maxSessions int, ttl time.Duration, onEvict func(), onSize func(int64)) *sessionTable {
	return &sessionTable{
		max: maxSessions, ttl: ttl, byKey: map[sessionKey]*session{}, lru: list.New(),
		now: time.Now, onEvict: onEvict, onSize: onSize,
	}
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
	now := t.now()
	var s *session
	if !fresh {
		for _, k := range keys {
			if found, ok := t.byKey[k]; ok {
				if now.Sub(found.lastSeen) > t.ttl {
					t.remove(found)
					continue
				}
				s = found
				break
			}
		}
	} else {
		for _, k := range keys {
			if old, ok := t.byKey[k]; ok {
				t.remove(old)
			}
		}
	}
	if s == nil {
		s = &session{}
		s.lruHandle = t.lru.PushFront(s)
		t.onSize(1)
	} else {
		t.lru.MoveToFront(s.lruHandle)
	}
	for _, k := range keys {
		if t.byKey[k] != s {
			t.byKey[k] = s
			s.keys = append(s.keys, k)
		}
	}
	s.lastSeen = now
	fn(s)
	for t.lru.Len() > t.max {
		t.remove(t.lru.Back().Value.(*session))
		t.onEvict()
	}
}

// remove drops a session and every key that leads to it; t.mu is held.
func (t *sessionTable) remove(s *session) {
	for _, k := range s.keys {
		if t.byKey[k] == s {
			delete(t.byKey, k)
		}
	}
	t.lru.Remove(s.lruHandle)
	t.onSize(-1)
}

// len is the number of sessions held.
func (t *sessionTable) len() int {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.lru.Len()
}
